"""The month grid of a reporting calendar, as pure functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from governance.values import ReportKind, ReportStatus
from projections.reporting import ObligationRow
from web.presentation.month import BadMonth, month_grid, month_param, parse_month, shift

TODAY = date(2026, 11, 18)


def a_row(due_on: date, title: str = "Activity report") -> ObligationRow:
    return ObligationRow(
        obligation_id=f"o-{due_on.isoformat()}-{title}",
        consortium_id="c-1",
        series_id="s-1",
        funder="Banque fictive",
        title=title,
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        period_start=None,
        period_end=None,
        due_on=due_on,
        status=ReportStatus.DUE,
        text="",
        attachments=(),
        submitted_at=None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, date(2026, 11, 1)),
        ("", date(2026, 11, 1)),
        ("2026-02", date(2026, 2, 1)),
        ("1900-01", date(1900, 1, 1)),
        ("2999-12", date(2999, 12, 1)),
    ],
)
def test_a_month_is_read_from_the_query_string(
    text: str | None, expected: date
) -> None:
    assert parse_month(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-11",
        "2026/11",
        "november",
        "0000-01",
        "99999-01",
        "1899-12",
        "3000-01",
        "2026-11-01",
        " 2026-11",
        "２０２６-11",
    ],
)
def test_anything_else_is_a_bad_month(text: str) -> None:
    with pytest.raises(BadMonth):
        parse_month(text, TODAY)


def test_months_shift_across_years_and_stop_at_the_edges() -> None:
    assert shift(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert shift(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert shift(date(1900, 1, 1), -1) is None
    assert shift(date(2999, 12, 1), 1) is None
    assert month_param(date(2026, 3, 1)) == "2026-03"


def test_weeks_start_on_monday_and_borrow_days_from_the_neighbours() -> None:
    grid = month_grid(date(2026, 11, 1), [], TODAY)  # 1 November 2026 is a Sunday

    first_week, last_week = grid.weeks[0], grid.weeks[-1]
    assert first_week[0].day == date(2026, 10, 26)
    assert all(c.day.weekday() == 0 for c in (week[0] for week in grid.weeks))
    assert [c.in_month for c in first_week] == [False] * 6 + [True]
    assert last_week[0].day == date(2026, 11, 30)
    assert last_week[-1].day == date(2026, 12, 6)
    assert len(grid.weeks) == 6
    assert (grid.previous, grid.next) == (date(2026, 10, 1), date(2026, 12, 1))


def test_each_deadline_lands_in_its_day_and_today_is_marked() -> None:
    rows = [
        a_row(date(2026, 11, 5), "A"),
        a_row(date(2026, 11, 5), "B"),
        a_row(date(2026, 12, 1), "Next month"),
        a_row(date(2027, 1, 4), "Far away"),
    ]

    grid = month_grid(date(2026, 11, 1), rows, TODAY)
    cells = {c.day: c for week in grid.weeks for c in week}

    assert [r.title for r in cells[date(2026, 11, 5)].entries] == ["A", "B"]
    assert [r.title for r in cells[date(2026, 12, 1)].entries] == ["Next month"]
    assert not cells[date(2026, 12, 1)].in_month
    assert sum(len(c.entries) for c in cells.values()) == 3
    assert grid.due_in_month == 2
    assert [d for d, c in cells.items() if c.is_today] == [TODAY]
    assert grid.is_current


def test_a_month_without_deadline_counts_none_even_with_neighbours_due() -> None:
    grid = month_grid(date(2026, 11, 1), [a_row(date(2026, 10, 26))], TODAY)

    assert grid.due_in_month == 0
    assert grid.weeks[0][0].entries
    assert not replace(grid, weeks=()).is_current
