"""Whether a measured value looks like a slip: a pure rule, warned about, not refused.

A value may be right and still surprising (an event drew a crowd), so the person is
warned in words and records it once they confirm. Two signs of a slip (an extra zero,
a misplaced decimal point), both measured against the change the indicator plans,
from its baseline to its target:

- far from the target: the value is more than ``FACTOR`` times as far from the
  baseline as the target is (60 people for a target of 10 from 0);
- a jump: the value moves from the previous one (by date) by more than
  ``JUMP_FACTOR`` times the whole planned change at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FACTOR = Decimal(3)
JUMP_FACTOR = Decimal(2)


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
    if abs(value - baseline) > FACTOR * planned:
        return Implausible("plausibility.far_from_target")
    if previous is not None and abs(value - previous[1]) > JUMP_FACTOR * planned:
        return Implausible("plausibility.jump", previous[1], previous[0])
    return None
