"""The layout's data for a page: the menu's flags and counts, computed before the
template runs (``web.htmx.render`` asks once per page; templates do no I/O)."""

from __future__ import annotations

from starlette.requests import Request

from web.auth import current_account
from web.presentation.layout import NO_ONE, Layout
from web.routes.common import layout_and_membership


def page_layout(request: Request) -> Layout:
    """What the layout shows the request's person: nothing to nobody; to a logged-in
    person, the portfolio link if they fund a consortium, and their unread count.

    A consortium's page has it already, asked with the membership
    (``web.routes.common.consortium_access``) or the page's tag.
    """
    account = current_account(request)
    if account is None:
        return NO_ONE
    return layout_and_membership(request, account.account_id, None)[1]
