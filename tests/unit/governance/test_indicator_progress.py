"""How far an indicator has come: 0 at its baseline, 1 at its target."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.rules import indicator_progress

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

values = st.decimals(
    min_value=Decimal("-1000000"),
    max_value=Decimal("1000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("baseline", "target"),
    [
        pytest.param(Decimal("120"), Decimal("500"), id="increasing"),
        pytest.param(Decimal("21"), Decimal("7"), id="decreasing"),
        pytest.param(Decimal("-3.5"), Decimal("2"), id="from-negative"),
    ],
)
def test_progress_is_0_at_the_baseline_and_1_at_the_target(
    baseline: Decimal, target: Decimal
) -> None:
    assert indicator_progress(baseline, target, baseline) == 0
    assert indicator_progress(baseline, target, target) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Decimal("310"), Decimal("0.5"), id="halfway"),
        pytest.param(Decimal("215"), Decimal("0.25"), id="a-quarter"),
        pytest.param(Decimal("690"), Decimal("1.5"), id="beyond-the-target"),
        pytest.param(Decimal("25"), Decimal("-0.25"), id="below-the-baseline"),
    ],
)
def test_progress_toward_more_people_helped(value: Decimal, expected: Decimal) -> None:
    assert indicator_progress(Decimal("120"), Decimal("500"), value) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(Decimal("14"), Decimal("0.5"), id="halfway-down"),
        pytest.param(Decimal("7"), Decimal("1"), id="target-reached"),
        pytest.param(Decimal("3.5"), Decimal("1.25"), id="shorter-than-the-target"),
        pytest.param(Decimal("28"), Decimal("-0.5"), id="waiting-longer"),
    ],
)
def test_reducing_waiting_time_from_21_to_7_days_is_progress_as_it_goes_down(
    days: Decimal, expected: Decimal
) -> None:
    assert indicator_progress(Decimal("21"), Decimal("7"), days) == expected


def test_a_value_past_the_target_is_more_than_1_either_way() -> None:
    assert indicator_progress(Decimal("120"), Decimal("500"), Decimal("501")) > 1
    assert indicator_progress(Decimal("21"), Decimal("7"), Decimal("6.9")) > 1


def test_a_value_going_the_wrong_way_is_below_0_either_way() -> None:
    assert indicator_progress(Decimal("120"), Decimal("500"), Decimal("119")) < 0
    assert indicator_progress(Decimal("21"), Decimal("7"), Decimal("21.1")) < 0


@PROPERTY_SETTINGS
@given(baseline=values, target=values, value=values)
def test_progress_grows_as_the_value_moves_toward_the_target(
    baseline: Decimal, target: Decimal, value: Decimal
) -> None:
    if target == baseline:
        return
    step = Decimal("0.01") if target > baseline else Decimal("-0.01")

    assert indicator_progress(baseline, target, value + step) > indicator_progress(
        baseline, target, value
    )
