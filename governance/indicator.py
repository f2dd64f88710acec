"""The Indicator aggregate: a measured quantity with a baseline and a target.

Funders ask for shared evaluation: what is measured, by whom, toward which target by
when. Measurements are appended, never overwritten; a correction is a new measurement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.rules import in_report_window
from governance.values import ReportedIndicator, ReportedValue

LIMIT = Decimal("1000000000000")


def _check_value(value: Decimal, field: str) -> None:
    if not value.is_finite() or abs(value) > LIMIT:
        raise RuleViolated(f"{field}.invalid")


@dataclass(frozen=True)
class Measurement:
    """One measured value, with its date and source."""

    measurement_id: str
    value: Decimal
    on: date
    source: str


class Indicator(Aggregate):
    """What a consortium measures to show its progress."""

    class Defined(GovernanceCreated):
        consortium_id: str
        name: str
        unit: str
        baseline: Decimal
        target: Decimal
        target_on: date
        measured_by: str

    class Measured(GovernanceEvent):
        measurement_id: str
        value: Decimal
        on: date
        source: str

    @event(Defined)
    def __init__(
        self,
        consortium_id: str,
        name: str,
        unit: str,
        baseline: Decimal,
        target: Decimal,
        target_on: date,
        measured_by: str,
    ) -> None:
        self.consortium_id = consortium_id
        self.name = name
        self.unit = unit
        self.baseline = baseline
        self.target = target
        self.target_on = target_on
        self.measured_by = measured_by
        self.measurements: list[Measurement] = []

    @classmethod
    def define(
        cls,
        consortium_id: str,
        *,
        name: str,
        unit: str,
        baseline: Decimal,
        target: Decimal,
        target_on: date,
        measured_by: str,
    ) -> Indicator:
        """Define an indicator with its baseline and target."""
        if not name.strip():
            raise RuleViolated("indicator.name_required")
        if not unit.strip():
            raise RuleViolated("indicator.unit_required")
        _check_value(baseline, "baseline")
        _check_value(target, "target")
        if target == baseline:
            raise RuleViolated("indicator.target_equals_baseline", field="target")
        return cls(
            consortium_id=consortium_id,
            name=name.strip(),
            unit=unit.strip(),
            baseline=baseline,
            target=target,
            target_on=target_on,
            measured_by=measured_by.strip(),
        )

    def measure(
        self, measurement_id: str, value: Decimal, on: date, source: str
    ) -> None:
        """Record a measured value."""
        _check_value(value, "measurement")
        if not source.strip():
            raise RuleViolated("indicator.source_required")
        self._measure(
            measurement_id=measurement_id, value=value, on=on, source=source.strip()
        )

    @event(Measured)
    def _measure(
        self, measurement_id: str, value: Decimal, on: date, source: str
    ) -> None:
        self.measurements.append(Measurement(measurement_id, value, on, source))

    def reported(
        self, period_start: date | None, period_end: date | None, due_on: date
    ) -> ReportedIndicator:
        """This indicator with the values of a report's period, by date.

        A periodic report takes what was measured within its period; a one-off
        report everything measured up to its due date.
        """
        # Stable sort: values of the same day keep the order they were recorded in.
        values = sorted(self.measurements, key=lambda m: m.on)
        return ReportedIndicator(
            indicator_id=str(self.id),
            name=self.name,
            unit=self.unit,
            baseline=self.baseline,
            target=self.target,
            target_on=self.target_on,
            values=tuple(
                ReportedValue(m.on, m.value, m.source)
                for m in values
                if in_report_window(m.on, period_start, period_end, due_on)
            ),
        )
