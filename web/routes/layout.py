"""The layout's data for a page: the menu's flags and counts, computed before the
template runs (``web.htmx.render`` asks once per page; templates do no I/O)."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from projections.base import ReadConnection
from projections.page_facts import LayoutFacts, layout_facts
from web.auth import current_account
from web.presentation.layout import MAX_UNREAD, NO_ONE, REMINDER_LIMIT, Layout
from web.request_state import request_state
from web.routes.common import notices_seen_at, queries
from web.routes.notification_list import notice_store


def page_layout(request: Request) -> Layout:
    """What the layout shows the request's person: nothing to nobody; to a logged-in
    person, the portfolio link if they fund a consortium, and their unread count.
    """
    account = current_account(request)
    if account is None:
        return NO_ONE
    asked = request_state(request).layout_facts
    if asked is not None:
        # Asked with the membership (a consortium's page): no read-model connection.
        person = account.account_id
        return _layout(request, person, notices_seen_at(request, person), asked)
    with queries(request) as connection:
        return layout_in(request, connection)


def layout_in(
    request: Request, connection: ReadConnection, facts: LayoutFacts | None = None
) -> Layout:
    """``page_layout`` through a read-model connection the caller holds, with the
    read models' part (``facts``) if the caller asked it already (a page's tag asks
    it with its own questions): one statement there if not, and one to the
    accounts' database for the count."""
    account = current_account(request)
    if account is None:
        return NO_ONE
    person = account.account_id
    seen = notices_seen_at(request, person)
    if facts is None:
        facts = layout_facts(connection, person, seen, REMINDER_LIMIT)
    return _layout(request, person, seen, facts)


def _layout(
    request: Request, person: str, seen: datetime | None, facts: LayoutFacts
) -> Layout:
    """The layout from the read models' facts, with the unread count."""
    unread = notice_store(request).unread(
        person, seen, facts.reminder_ids, MAX_UNREAD + 1
    )
    return counted_layout(facts, unread)


def counted_layout(facts: LayoutFacts, unread: int) -> Layout:
    """The layout from the read models' facts and the unread count (asked with
    them by a tagged page: ``notifications.page_unread``)."""
    return Layout(portfolio=facts.funds_any, unread=unread)
