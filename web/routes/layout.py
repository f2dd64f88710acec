"""The layout's data for a page: the menu's flags and counts, computed before the
template runs (``web.htmx.render`` asks once per page; templates do no I/O)."""

from __future__ import annotations

from starlette.requests import Request

from web.auth import current_account
from web.presentation.layout import NO_ONE, Layout
from web.routes.notifications import unread_count
from web.routes.portfolio import funds_any


def page_layout(request: Request) -> Layout:
    """What the layout shows the request's person: nothing to nobody; to a logged-in
    person, the portfolio link if they fund a consortium, and their unread count."""
    if current_account(request) is None:
        return NO_ONE
    return Layout(portfolio=funds_any(request), unread=unread_count(request))
