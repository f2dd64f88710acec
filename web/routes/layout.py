"""The layout's data for a page: the menu's flags and counts, computed before the
template runs (``web.htmx.render`` asks once per page; templates do no I/O)."""

from __future__ import annotations

from starlette.requests import Request

from projections import portfolio as portfolios
from projections.notice_subjects import reminder_ids_since
from web.auth import current_account, current_session
from web.presentation.layout import NO_ONE, Layout
from web.routes.common import queries, stores
from web.routes.notification_list import MAX_UNREAD, notice_store, unread_among


def page_layout(request: Request) -> Layout:
    """What the layout shows the request's person: nothing to nobody; to a logged-in
    person, the portfolio link if they fund a consortium, and their unread count.

    Every page asks this: the read models' two questions share one connection.
    """
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
    with queries(request) as connection:
        portfolio = portfolios.funds_any(connection, person)
        reminders = reminder_ids_since(connection, person, seen, MAX_UNREAD * 2)
    unread = unread_among(notice_store(request), person, seen, reminders)
    return Layout(portfolio=portfolio, unread=unread)
