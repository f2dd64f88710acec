"""What the page layout shows around the content, as plain values.

The layout (``base.html``) never fetches anything: the routes' side computes this
once per page (``web.routes.layout``) and the renderer passes it in as ``layout``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """The menu's flags and counts for the person looking at the page."""

    # The person is a financer of some consortium: the menu links the portfolio.
    portfolio: bool = False
    # Reminders the person has not seen yet: the badge beside "Notifications".
    unread: int = 0


MAX_UNREAD = 99
"""The badge counts up to this many."""
REMINDER_LIMIT = MAX_UNREAD * 2
"""The reminders the unread count looks at: enough to fill it, some read."""

# Nobody logged in (or a page rendered without the database): nothing to show.
NO_ONE = Layout()
