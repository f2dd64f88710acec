"""Pure rules of the domain: what is allowed in which state.

No I/O, no clock: every function takes what it needs and answers or raises
``RuleViolated``. Aggregates call these; so may read models, to explain a state.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from governance.errors import RuleViolated
from governance.values import Phase

# The project's life as the funders describe it; a rejected application may go to
# a later wave of the call, or stop there.
PHASE_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.SETUP: frozenset({Phase.APPLICATION_SUBMITTED}),
    Phase.APPLICATION_SUBMITTED: frozenset({Phase.SELECTED, Phase.REJECTED}),
    Phase.SELECTED: frozenset({Phase.AGREEMENT_SIGNED}),
    Phase.REJECTED: frozenset({Phase.APPLICATION_SUBMITTED, Phase.CLOSED}),
    Phase.AGREEMENT_SIGNED: frozenset({Phase.IMPLEMENTATION}),
    Phase.IMPLEMENTATION: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}

PHASE_ORDER: tuple[Phase, ...] = (
    Phase.SETUP,
    Phase.APPLICATION_SUBMITTED,
    Phase.SELECTED,
    Phase.REJECTED,
    Phase.AGREEMENT_SIGNED,
    Phase.IMPLEMENTATION,
    Phase.CLOSED,
)


def next_phases(current: Phase) -> frozenset[Phase]:
    """The phases a consortium in ``current`` may move to."""
    return PHASE_TRANSITIONS[current]


def check_phase_transition(current: Phase, requested: Phase) -> None:
    """Raise unless ``current`` → ``requested`` is a move of the project's life."""
    if requested not in PHASE_TRANSITIONS[current]:
        raise RuleViolated(
            "phase.illegal_transition", current=current.value, requested=requested.value
        )


def needs_lead_partner(phase: Phase) -> bool:
    """Past setup, a consortium has exactly one lead partner."""
    return phase is not Phase.SETUP


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_periods(
    first_start: date, every_months: int, due_days: int, count: int
) -> list[tuple[date, date, date]]:
    """``(start, end, due)`` of each period of a periodic reporting schedule.

    Periods follow each other every ``every_months`` months from ``first_start``; a
    report is due ``due_days`` days after each period's last day.
    """
    if not 1 <= every_months <= 24:
        raise RuleViolated("reporting.every_months_invalid")
    if not 0 <= due_days <= 365:
        raise RuleViolated("reporting.due_days_invalid")
    if not 1 <= count <= 60:
        raise RuleViolated("reporting.count_invalid")
    periods = []
    for index in range(count):
        start = add_months(first_start, index * every_months)
        end = add_months(first_start, (index + 1) * every_months) - timedelta(days=1)
        periods.append((start, end, end + timedelta(days=due_days)))
    return periods


def indicator_progress(baseline: Decimal, target: Decimal, value: Decimal) -> Decimal:
    """How far ``value`` has come from the baseline toward the target (1 = reached)."""
    return (value - baseline) / (target - baseline)


def in_report_window(
    on: date, period_start: date | None, period_end: date | None, due_on: date
) -> bool:
    """Whether a value measured ``on`` belongs to a report.

    A periodic report covers its period; a one-off report without a period covers
    everything measured up to its due date.
    """
    if period_start is not None and period_end is not None:
        return period_start <= on <= period_end
    return on <= due_on


# -- plausibility of a measured value (issue 17) ------------------------------

# Whether a measured value looks like a slip: a pure rule, warned about, not refused.
#
# A value may be right and still surprising (an event drew a crowd), so the person is
# warned in words and records it once they confirm. Two signs of a slip (an extra zero,
# a misplaced decimal point), both measured against the change the indicator plans,
# from its baseline to its target:
#
# - far from the target: the value is more than ``PLAUSIBLE_FACTOR`` times as far
#   from the baseline as the target is (60 people for a target of 10 from 0);
# - a jump: the value moves from the previous one (by date) by more than
#   ``PLAUSIBLE_JUMP`` times the whole planned change at once.

PLAUSIBLE_FACTOR = Decimal(3)
PLAUSIBLE_JUMP = Decimal(2)


@dataclass(frozen=True)
class Implausible:
    """Why a value looks like a slip: ``code`` and the previous value, if that."""

    code: str
    previous: Decimal | None = None
    previous_on: date | None = None


def implausible(
    value: Decimal,
    baseline: Decimal,
    target: Decimal,
    previous: tuple[date, Decimal] | None = None,
) -> Implausible | None:
    """Why ``value`` looks like a slip, or None when it looks plausible."""
    planned = abs(target - baseline)
    if planned == 0:
        return None
    if abs(value - baseline) > PLAUSIBLE_FACTOR * planned:
        return Implausible("plausibility.far_from_target")
    jump = abs(value - previous[1]) if previous is not None else Decimal(0)
    if previous is not None and jump > PLAUSIBLE_JUMP * planned:
        return Implausible("plausibility.jump", previous[1], previous[0])
    return None
