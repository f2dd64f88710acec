"""The indicators' forms: a definition, a measurement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from web.forms.fields import Fields


@dataclass(frozen=True)
class IndicatorForm:
    """An indicator's definition, as submitted."""

    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_on: date
    measured_by: str


def parse_indicator(data: Mapping[str, str]) -> IndicatorForm:
    """Parse the define-an-indicator form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    unit = f.text("unit", required=True, max_length=40)
    baseline = f.amount("baseline")
    target = f.amount("target")
    target_on = f.day("target_on", required=True)
    measured_by = f.text("measured_by")
    f.errors.raise_if_any()
    if baseline is None or target is None or target_on is None:
        raise f.errors
    return IndicatorForm(name, unit, baseline, target, target_on, measured_by)


@dataclass(frozen=True)
class MeasurementForm:
    """A measurement, as submitted."""

    value: Decimal
    on: date
    source: str


def parse_measurement(data: Mapping[str, str], *, today: date) -> MeasurementForm:
    """Parse the record-a-measurement form; raises ``FormErrors``."""
    f = Fields(data)
    value = f.amount("value")
    on = f.day("on") or today
    source = f.text("source", required=True)
    f.errors.raise_if_any()
    if value is None:
        raise f.errors
    return MeasurementForm(value, on, source)
