"""Now, in UTC: the time the web layer reads when it does not take a clock."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
