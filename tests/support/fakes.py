"""Fakes: small, real implementations of the ports the code under test depends on.

No mocks: a fake behaves like the real thing, only more predictably.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class FixedClock:
    """A clock that stays where it is put; tests move it on explicitly."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta
