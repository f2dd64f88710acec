"""Time as a dependency: the service asks a clock, tests pass a fixed one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def today(clock: Clock) -> date:
    """The current date in UTC."""
    return clock.now().date()
