"""The Indicator aggregate: a measured quantity with a baseline and a target.

Funders ask for shared evaluation: what is measured, by whom, toward which target by
when. Measurements are appended, never overwritten: a correction or a withdrawal is
a new event with its reason, and the original value stays in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import NotFound, RuleViolated
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

    class MeasurementCorrected(GovernanceEvent):
        """A measured value replaced by the right one; the original stays in the log."""

        measurement_id: str
        value: Decimal
        on: date
        source: str
        reason: str

    class MeasurementWithdrawn(GovernanceEvent):
        """A measured value taken back (measured twice, wrong indicator…)."""

        measurement_id: str
        reason: str

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
        # A tuple, not a set: snapshots are JSON, and the transcoder keeps tuples.
        self.withdrawn: tuple[str, ...] = ()

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

    def correct_measurement(
        self, measurement_id: str, value: Decimal, on: date, source: str, reason: str
    ) -> None:
        """Replace a measured value by the right one, saying why."""
        current = self.measurement(measurement_id)
        _check_value(value, "measurement")
        if not source.strip():
            raise RuleViolated("indicator.source_required", field="source")
        if not reason.strip():
            raise RuleViolated("measurement.reason_required", field="reason")
        if (current.value, current.on, current.source) == (value, on, source.strip()):
            raise RuleViolated("measurement.unchanged")
        self._correct(
            measurement_id=measurement_id,
            value=value,
            on=on,
            source=source.strip(),
            reason=reason.strip(),
        )

    @event(MeasurementCorrected)
    def _correct(
        self, measurement_id: str, value: Decimal, on: date, source: str, reason: str
    ) -> None:
        self.measurements = [
            Measurement(measurement_id, value, on, source)
            if m.measurement_id == measurement_id
            else m
            for m in self.measurements
        ]

    def withdraw_measurement(self, measurement_id: str, reason: str) -> None:
        """Take a measured value back, saying why."""
        self.measurement(measurement_id)
        if not reason.strip():
            raise RuleViolated("measurement.reason_required", field="reason")
        self._withdraw(measurement_id=measurement_id, reason=reason.strip())

    @event(MeasurementWithdrawn)
    def _withdraw(self, measurement_id: str, reason: str) -> None:
        self.measurements = [
            m for m in self.measurements if m.measurement_id != measurement_id
        ]
        self.withdrawn = (*self.withdrawn, measurement_id)

    def measurement(self, measurement_id: str) -> Measurement:
        """A current measurement (``NotFound`` if none, refused if withdrawn)."""
        if measurement_id in self.withdrawn:
            raise RuleViolated("measurement.withdrawn")
        for m in self.measurements:
            if m.measurement_id == measurement_id:
                return m
        raise NotFound("measurement", measurement_id)

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
