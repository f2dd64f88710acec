"""The layout's data for a page: the menu's flags and counts, computed before the
template runs (``web.htmx.render`` asks once per page; templates do no I/O)."""

from __future__ import annotations

from starlette.requests import Request

from projections import portfolio as portfolios
from projections.base import ReadConnection
from projections.notice_subjects import reminder_ids_since
from web.auth import current_account, current_session
from web.presentation.layout import NO_ONE, Layout
from web.routes.common import queries, stores
from web.routes.notification_list import MAX_UNREAD, notice_store


def page_layout(request: Request) -> Layout:
    """What the layout shows the request's person: nothing to nobody; to a logged-in
    person, the portfolio link if they fund a consortium, and their unread count.
    """
    if current_account(request) is None:
        return NO_ONE
    with queries(request) as connection:
        return layout_in(request, connection)


def layout_in(
    request: Request, connection: ReadConnection, *, funds_any: bool | None = None
) -> Layout:
    """``page_layout`` through a read-model connection the caller holds (a page's
    tag asks its own questions on it first, the portfolio flag among them when
    given as ``funds_any``): one or two statements there (the reminders only if the
    notices do not fill the count), and one connection to the accounts' database
    for the notices."""
    account = current_account(request)
    if account is None:
        return NO_ONE
    person = account.account_id
    session = current_session(request)
    known = session.preferences if session is not None else None
    if known is None or request.method not in ("GET", "HEAD"):
        # A command may have changed them since the session was looked up.
        known = stores(request).accounts.preferences(person)
    seen = known.notifications_seen_at
    portfolio = (
        portfolios.funds_any(connection, person) if funds_any is None else funds_any
    )

    def reminders() -> list[str]:
        return reminder_ids_since(connection, person, seen, MAX_UNREAD * 2)

    unread = notice_store(request).unread(person, seen, reminders, MAX_UNREAD + 1)
    return Layout(portfolio=portfolio, unread=unread)
