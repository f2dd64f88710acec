"""Measurements corrected and withdrawn (the original stays in the log), and the
plausibility rule that warns about a likely slip (issue 17)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import NotFound, RuleViolated
from governance.indicator import Indicator
from governance.rules import implausible
from tests.support.builders import an_indicator

pytestmark = pytest.mark.usefixtures("acting")

MARCH = date(2026, 3, 31)


def measured() -> Indicator:
    indicator = an_indicator()  # from 120 to 500 people
    indicator.measure("m-1", Decimal("205"), MARCH, "Feuilles")
    indicator.collect_events()
    return indicator


def test_a_correction_replaces_the_value_and_records_its_reason() -> None:
    indicator = measured()

    indicator.correct_measurement("m-1", Decimal("250"), MARCH, "Feuilles", "Oubli")

    (event,) = indicator.collect_events()
    assert isinstance(event, Indicator.MeasurementCorrected)
    assert (event.value, event.reason) == (Decimal("250"), "Oubli")
    assert [m.value for m in indicator.measurements] == [Decimal("250")]


def test_a_withdrawn_value_is_gone_and_cannot_be_withdrawn_or_corrected_again() -> None:
    indicator = measured()
    indicator.withdraw_measurement("m-1", "Compté deux fois")
    indicator.collect_events()

    with pytest.raises(RuleViolated) as again:
        indicator.withdraw_measurement("m-1", "Encore")
    with pytest.raises(RuleViolated) as corrected:
        indicator.correct_measurement("m-1", Decimal("1"), MARCH, "x", "y")

    assert indicator.measurements == []
    assert again.value.code == corrected.value.code == "measurement.withdrawn"
    assert indicator.collect_events() == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda i: i.correct_measurement("m-1", Decimal("250"), MARCH, "F", " "),
         "measurement.reason_required"),
        (lambda i: i.correct_measurement("m-1", Decimal("205"), MARCH, "Feuilles", "r"),
         "measurement.unchanged"),
        (lambda i: i.withdraw_measurement("m-1", ""), "measurement.reason_required"),
    ],
)  # fmt: skip
def test_a_change_without_reason_or_without_change_is_refused(
    change: object, code: str
) -> None:
    indicator = measured()

    with pytest.raises(RuleViolated) as refused:
        change(indicator)  # type: ignore[operator]

    assert refused.value.code == code
    assert indicator.collect_events() == []


def test_an_unknown_measurement_is_not_found() -> None:
    with pytest.raises(NotFound):
        measured().withdraw_measurement("m-404", "Why")


@pytest.mark.parametrize(
    ("value", "previous", "code"),
    [
        (Decimal("600"), None, None),  # beyond the target, plausibly
        (Decimal("1261"), None, "plausibility.far_from_target"),  # > 120 + 3 × 380
        (Decimal("3000"), None, "plausibility.far_from_target"),  # six times 500
        (Decimal("800"), (MARCH, Decimal("130")), None),  # a jump of 670 < 2 × 380
        (Decimal("100"), (MARCH, Decimal("900")), "plausibility.jump"),
    ],
)
def test_a_value_looks_like_a_slip_only_far_from_what_the_indicator_plans(
    value: Decimal, previous: tuple[date, Decimal] | None, code: str | None
) -> None:
    found = implausible(value, Decimal("120"), Decimal("500"), previous)

    assert (found.code if found else None) == code
