"""The month view of a reporting calendar: weeks as rows, Monday first.

Pure functions over the reporting read model's rows: which month the query string
asks for, and the grid of that month's weeks with each deadline in its day. Days of
the previous and next months that fill the first and last weeks are kept (greyed by
the template), with their deadlines, as paper calendars do.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from projections.reporting import ObligationRow

# Months outside these years are refused: nobody reports that far away, and the
# neighbours of the last month must stay valid dates.
FIRST_YEAR = 1900
LAST_YEAR = 2999

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class BadMonth(ValueError):
    """The ``month`` parameter is not a month we show (``YYYY-MM``)."""


def parse_month(text: str | None, today: date) -> date:
    """The first day of the month asked for, or of today's month when none is.

    Raises ``BadMonth`` for anything but ``YYYY-MM`` within the years we show.
    """
    if text is None or text == "":
        return today.replace(day=1)
    match = _MONTH.fullmatch(text)
    if match is None:
        raise BadMonth(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise BadMonth(text)
    return date(year, month, 1)


def month_param(month: date) -> str:
    """How a month is written in the query string (``2026-11``)."""
    return f"{month.year:04d}-{month.month:02d}"


def shift(month: date, months: int) -> date | None:
    """The first day of the month ``months`` away, or None outside the years shown."""
    index = month.year * 12 + month.month - 1 + months
    year, month_number = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return date(year, month_number + 1, 1)


@dataclass(frozen=True)
class DayCell:
    """One day of the grid and the reports due that day."""

    day: date
    in_month: bool
    is_today: bool
    entries: tuple[ObligationRow, ...]


@dataclass(frozen=True)
class MonthGrid:
    """A month as weeks of seven days, with its neighbours for navigation."""

    month: date
    weeks: tuple[tuple[DayCell, ...], ...]
    previous: date | None
    next: date | None
    due_in_month: int

    @property
    def is_current(self) -> bool:
        """Whether today falls in this month."""
        return any(c.is_today and c.in_month for week in self.weeks for c in week)


def month_grid(month: date, rows: list[ObligationRow], today: date) -> MonthGrid:
    """The grid of ``month`` (Monday first) with each report in its due day."""
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
        month.year, month.month
    )
    by_day: dict[date, list[ObligationRow]] = defaultdict(list)
    for row in rows:
        by_day[row.due_on].append(row)
    grid = tuple(
        tuple(
            DayCell(
                day=day,
                in_month=day.month == month.month,
                is_today=day == today,
                entries=tuple(by_day.get(day, ())),
            )
            for day in week
        )
        for week in weeks
    )
    due_in_month = sum(
        len(rows_of_day)
        for day, rows_of_day in by_day.items()
        if (day.year, day.month) == (month.year, month.month)
    )
    return MonthGrid(month, grid, shift(month, -1), shift(month, 1), due_in_month)
