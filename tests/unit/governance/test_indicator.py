"""The Indicator aggregate: defining what is measured, then recording measurements.

Commands are checked on the events they record (``collect_events``); a refused
command records nothing and leaves the indicator as it stood.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest

from governance.errors import RuleViolated
from governance.indicator import Indicator, Measurement
from tests.support.builders import INDICATOR_TARGET_ON, an_indicator

pytestmark = pytest.mark.usefixtures("acting")

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

Emitted = list[tuple[type, dict[str, object]]]

INVALID_VALUES = [
    pytest.param(Decimal("NaN"), id="nan"),
    pytest.param(Decimal("sNaN"), id="signalling-nan"),
    pytest.param(Decimal("Infinity"), id="infinity"),
    pytest.param(Decimal("-Infinity"), id="minus-infinity"),
    pytest.param(Decimal("1000000000000.01"), id="above-1e12"),
    pytest.param(Decimal("-1E+13"), id="below-minus-1e12"),
]


def emitted(indicator: Indicator) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in indicator.collect_events()
    ]


def a_defined_indicator(**overrides: Any) -> Indicator:
    """An indicator whose definition is already collected."""
    indicator = an_indicator(**overrides)
    indicator.collect_events()
    return indicator


# -- defining -------------------------------------------------------------------------


def test_defining_records_the_indicator_with_its_trimmed_texts() -> None:
    indicator = an_indicator(
        "c-1",
        name="  Personnes accompagnées ",
        unit=" personnes  ",
        measured_by=" Laboratoire fictif ",
    )

    assert emitted(indicator) == [
        (
            Indicator.Defined,
            {
                "consortium_id": "c-1",
                "name": "Personnes accompagnées",
                "unit": "personnes",
                "baseline": Decimal("120"),
                "target": Decimal("500"),
                "target_on": INDICATOR_TARGET_ON,
                "measured_by": "Laboratoire fictif",
            },
        )
    ]
    assert indicator.measurements == []


def test_a_target_may_be_below_the_baseline() -> None:
    indicator = an_indicator(baseline=Decimal("21"), target=Decimal("7"))

    assert (indicator.baseline, indicator.target) == (Decimal("21"), Decimal("7"))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Decimal("1000000000000"), id="1e12"),
        pytest.param(Decimal("-1000000000000"), id="minus-1e12"),
        pytest.param(Decimal("0.0001"), id="tiny"),
    ],
)
def test_values_up_to_a_thousand_billion_either_way_are_accepted(
    value: Decimal,
) -> None:
    indicator = an_indicator(baseline=Decimal("0"), target=value)

    indicator.measure("m-1", value, date(2026, 6, 30), "Comptage")

    assert indicator.target == indicator.measurements[0].value == value


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"name": ""}, "indicator.name_required", id="no-name"),
        pytest.param({"name": "  "}, "indicator.name_required", id="blank-name"),
        pytest.param({"unit": ""}, "indicator.unit_required", id="no-unit"),
        pytest.param({"unit": " \t"}, "indicator.unit_required", id="blank-unit"),
        pytest.param(
            {"baseline": Decimal("500"), "target": Decimal("500.00")},
            "indicator.target_equals_baseline",
            id="target-equals-baseline",
        ),
    ],
)
def test_an_incomplete_indicator_is_refused(
    overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        an_indicator(**overrides)

    assert refused.value.code == code


@pytest.mark.parametrize("value", INVALID_VALUES)
@pytest.mark.parametrize("field", ["baseline", "target"])
def test_a_baseline_or_target_not_finite_or_too_large_is_refused(
    field: str, value: Decimal
) -> None:
    with pytest.raises(RuleViolated) as refused:
        an_indicator(**{field: value})

    assert refused.value.code == f"{field}.invalid"


# -- measuring ------------------------------------------------------------------------


def test_a_measurement_records_its_value_date_and_trimmed_source() -> None:
    indicator = a_defined_indicator()

    indicator.measure("m-1", Decimal("180"), date(2026, 6, 30), "  Fiches d'accueil ")

    assert emitted(indicator) == [
        (
            Indicator.Measured,
            {
                "measurement_id": "m-1",
                "value": Decimal("180"),
                "on": date(2026, 6, 30),
                "source": "Fiches d'accueil",
            },
        )
    ]


def test_measurements_are_appended_in_the_order_recorded_never_replaced() -> None:
    indicator = a_defined_indicator()

    indicator.measure("m-1", Decimal("180"), date(2026, 6, 30), "Fiches d'accueil")
    indicator.measure("m-2", Decimal("260"), date(2026, 12, 31), "Fiches d'accueil")
    # A correction of the first half-year, recorded later: a new measurement.
    indicator.measure("m-3", Decimal("175"), date(2026, 6, 30), "Enquête corrigée")

    assert indicator.measurements == [
        Measurement("m-1", Decimal("180"), date(2026, 6, 30), "Fiches d'accueil"),
        Measurement("m-2", Decimal("260"), date(2026, 12, 31), "Fiches d'accueil"),
        Measurement("m-3", Decimal("175"), date(2026, 6, 30), "Enquête corrigée"),
    ]
    assert [kind for kind, _ in emitted(indicator)] == [Indicator.Measured] * 3


@pytest.mark.parametrize("value", INVALID_VALUES)
def test_a_measurement_not_finite_or_too_large_is_refused_and_records_nothing(
    value: Decimal,
) -> None:
    indicator = a_defined_indicator()

    with pytest.raises(RuleViolated) as refused:
        indicator.measure("m-1", value, date(2026, 6, 30), "Fiches d'accueil")

    assert refused.value.code == "measurement.invalid"
    assert emitted(indicator) == []
    assert indicator.measurements == []


@pytest.mark.parametrize("source", ["", "   "], ids=["empty", "blank"])
def test_a_measurement_without_a_source_is_refused_and_records_nothing(
    source: str,
) -> None:
    indicator = a_defined_indicator()

    with pytest.raises(RuleViolated) as refused:
        indicator.measure("m-1", Decimal("180"), date(2026, 6, 30), source)

    assert refused.value.code == "indicator.source_required"
    assert emitted(indicator) == []
    assert indicator.measurements == []


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_indicator() -> None:
    indicator = an_indicator(baseline=Decimal("21.5"), target=Decimal("7"))
    indicator.measure("m-1", Decimal("18.25"), date(2026, 3, 31), "Fiches d'accueil")
    indicator.measure("m-2", Decimal("12"), date(2026, 6, 30), "Enquête")
    history = indicator.collect_events()

    replayed = reduce(lambda state, past: past.mutate(state), history, None)

    assert replayed == indicator
    assert replayed is not None
    assert vars(replayed) == vars(indicator)
    assert [m.measurement_id for m in replayed.measurements] == ["m-1", "m-2"]
