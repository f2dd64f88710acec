"""Month arithmetic and the periods of a periodic reporting schedule."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import RuleViolated
from governance.rules import add_months, reporting_periods

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


# -- adding months --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 3, 2), 0, date(2026, 3, 2), id="none"),
        pytest.param(date(2026, 1, 15), 1, date(2026, 2, 15), id="one"),
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="31-jan-to-28-feb"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31-jan-to-29-feb"),
        pytest.param(date(2026, 3, 31), 1, date(2026, 4, 30), id="31-mar-to-30-apr"),
        pytest.param(date(2026, 8, 31), 6, date(2027, 2, 28), id="31-aug-to-feb"),
        pytest.param(date(2026, 11, 30), 3, date(2027, 2, 28), id="30-nov-to-feb"),
        pytest.param(date(2026, 12, 15), 1, date(2027, 1, 15), id="december-to-jan"),
        pytest.param(date(2026, 1, 1), 12, date(2027, 1, 1), id="a-year"),
        pytest.param(date(2026, 7, 10), 24, date(2028, 7, 10), id="two-years"),
        pytest.param(date(2026, 12, 31), 14, date(2028, 2, 29), id="into-a-leap-feb"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="29-feb-a-year-on"),
        pytest.param(date(2028, 2, 29), 48, date(2032, 2, 29), id="29-feb-to-29-feb"),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_a_month_from_the_last_day_of_february_is_not_the_end_of_march() -> None:
    assert add_months(date(2026, 2, 28), 1) == date(2026, 3, 28)


# -- periods --------------------------------------------------------------------------


def test_a_quarterly_schedule_covers_the_year_with_reports_due_a_month_after() -> None:
    periods = reporting_periods(date(2026, 1, 1), every_months=3, due_days=30, count=4)

    assert periods == [
        (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 30)),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 30)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 30)),
    ]


def test_a_half_yearly_schedule_crosses_the_year() -> None:
    periods = reporting_periods(date(2026, 9, 1), every_months=6, due_days=60, count=2)

    assert periods == [
        (date(2026, 9, 1), date(2027, 2, 28), date(2027, 4, 29)),
        (date(2027, 3, 1), date(2027, 8, 31), date(2027, 10, 30)),
    ]


def test_monthly_periods_from_the_31st_follow_each_other_without_a_gap() -> None:
    # Each period ends the day before the next one starts, counted from 31 January:
    # its month goes to the 28th of February, not to the 3rd of March.
    periods = reporting_periods(date(2026, 1, 31), every_months=1, due_days=0, count=4)

    assert [(start, end) for start, end, _ in periods] == [
        (date(2026, 1, 31), date(2026, 2, 27)),
        (date(2026, 2, 28), date(2026, 3, 30)),
        (date(2026, 3, 31), date(2026, 4, 29)),
        (date(2026, 4, 30), date(2026, 5, 30)),
    ]


def test_periods_do_not_drift_after_a_short_month() -> None:
    periods = reporting_periods(date(2026, 1, 31), every_months=1, due_days=0, count=3)

    assert [start for start, _, _ in periods] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_a_report_due_zero_days_after_is_due_on_the_periods_last_day() -> None:
    [(_, end, due)] = reporting_periods(date(2026, 1, 1), 12, due_days=0, count=1)

    assert due == end == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("every_months", "due_days", "count"),
    [
        pytest.param(1, 0, 1, id="smallest"),
        pytest.param(24, 365, 60, id="largest"),
    ],
)
def test_the_limits_themselves_are_accepted(
    every_months: int, due_days: int, count: int
) -> None:
    periods = reporting_periods(date(2026, 1, 1), every_months, due_days, count)

    assert len(periods) == count
    assert periods[-1][2] - periods[-1][1] == timedelta(days=due_days)


@pytest.mark.parametrize(
    ("every_months", "due_days", "count", "code"),
    [
        pytest.param(0, 30, 4, "reporting.every_months_invalid", id="every-0-months"),
        pytest.param(-3, 30, 4, "reporting.every_months_invalid", id="every--3-months"),
        pytest.param(25, 30, 4, "reporting.every_months_invalid", id="every-25-months"),
        pytest.param(3, -1, 4, "reporting.due_days_invalid", id="due-a-day-before"),
        pytest.param(3, 366, 4, "reporting.due_days_invalid", id="due-366-days-after"),
        pytest.param(3, 30, 0, "reporting.count_invalid", id="no-period"),
        pytest.param(3, 30, -1, "reporting.count_invalid", id="negative-count"),
        pytest.param(3, 30, 61, "reporting.count_invalid", id="61-periods"),
    ],
)
def test_a_schedule_outside_the_limits_is_refused(
    every_months: int, due_days: int, count: int, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        reporting_periods(date(2026, 1, 1), every_months, due_days, count)

    assert refused.value.code == code


# -- properties -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    first_start=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    every_months=st.integers(1, 24),
    due_days=st.integers(0, 365),
    count=st.integers(1, 60),
)
def test_periods_never_overlap_and_none_is_due_before_it_ends(
    first_start: date, every_months: int, due_days: int, count: int
) -> None:
    periods = reporting_periods(first_start, every_months, due_days, count)

    assert len(periods) == count
    assert periods[0][0] == first_start
    for start, end, due in periods:
        assert start <= end
        assert due - end == timedelta(days=due_days)
        assert due > end or due_days == 0
    for (_, end, _), (next_start, _, _) in pairwise(periods):
        assert next_start == end + timedelta(days=1)


@PROPERTY_SETTINGS
@given(day=st.dates(date(2000, 1, 1), date(2100, 12, 31)), months=st.integers(0, 1200))
def test_adding_months_keeps_the_day_unless_the_month_is_too_short(
    day: date, months: int
) -> None:
    later = add_months(day, months)

    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    is_last_day_of_month = (later + timedelta(days=1)).day == 1
    assert later.day == day.day or is_last_day_of_month
