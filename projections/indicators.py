"""The indicators read model: what is measured, toward which target, and the values.

Progress toward the target is computed with ``governance.rules.indicator_progress``
from the latest measurement; the page draws the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
)

from governance import events
from governance.rules import in_report_window, indicator_progress
from governance.values import ReportedIndicator, ReportedValue
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, delete_rows, update_rows
from projections.ledger import DecimalText

indicators = Table(
    "indicators",
    metadata,
    Column("indicator_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("baseline", DecimalText, nullable=False),
    Column("target", DecimalText, nullable=False),
    Column("target_on", Date, nullable=False),
    Column("measured_by", Text, nullable=False),
)

measurements = Table(
    "measurements",
    metadata,
    Column("measurement_id", String(36), primary_key=True),
    Column("indicator_id", String(36), nullable=False, index=True),
    Column("value", DecimalText, nullable=False),
    Column("on", Date, nullable=False),
    Column("source", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    # The log position that measured it: of two values the same day, the one
    # measured later is the latest, even when the clock gave both one instant.
    Column("position", Integer, nullable=False),
)


@dataclass(frozen=True)
class MeasurementRow:
    """One measured value."""

    measurement_id: str
    value: Decimal
    on: date
    source: str
    recorded_by: str


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator with its measurements, oldest first."""

    indicator_id: str
    consortium_id: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_on: date
    measured_by: str
    measurements: tuple[MeasurementRow, ...]

    @property
    def latest(self) -> MeasurementRow | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def progress(self) -> Decimal | None:
        """Share of the way from baseline to target (1 = reached), or None."""
        if self.latest is None:
            return None
        return indicator_progress(self.baseline, self.target, self.latest.value)


@dataclass(frozen=True)
class PeriodValues:
    """An indicator with its values over a report's period, live or as reported."""

    indicator_id: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_on: date
    values: tuple[ReportedValue, ...]

    @classmethod
    def of(cls, reported: ReportedIndicator) -> PeriodValues:
        """The values a report included."""
        return cls(
            reported.indicator_id,
            reported.name,
            reported.unit,
            reported.baseline,
            reported.target,
            reported.target_on,
            reported.values,
        )

    @property
    def latest(self) -> ReportedValue | None:
        """The period's last value, or None when nothing was measured in it."""
        return self.values[-1] if self.values else None

    @property
    def progress(self) -> Decimal | None:
        """Share of the way from baseline to target at the period's last value."""
        if self.latest is None:
            return None
        return indicator_progress(self.baseline, self.target, self.latest.value)


def period_values(
    rows: list[IndicatorRow],
    period_start: date | None,
    period_end: date | None,
    due_on: date,
) -> list[PeriodValues]:
    """Each indicator with what was measured within a report's period, by date.

    The same selection as ``Indicator.reported`` on the write side (one rule,
    ``governance.rules.in_report_window``), over the read model.
    """
    return [
        PeriodValues(
            r.indicator_id,
            r.name,
            r.unit,
            r.baseline,
            r.target,
            r.target_on,
            tuple(
                ReportedValue(m.on, m.value, m.source)
                for m in r.measurements
                if in_report_window(m.on, period_start, period_end, due_on)
            ),
        )
        for r in rows
    ]


class IndicatorsProjection(Projection):
    """Indicators and their measurements."""

    name: ClassVar[str] = "indicators"
    tables: ClassVar[tuple[Table, ...]] = (indicators, measurements)

    @on(events.IndicatorDefined)
    def defined(
        self, connection: Connection, envelope: Envelope[events.IndicatorDefined]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            indicators,
            {
                "indicator_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "name": e.name,
                "unit": e.unit,
                "baseline": e.baseline,
                "target": e.target,
                "target_on": e.target_on,
                "measured_by": e.measured_by,
            },
        )

    @on(events.IndicatorMeasured)
    def measured(
        self, connection: Connection, envelope: Envelope[events.IndicatorMeasured]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            measurements,
            {
                "measurement_id": e.measurement_id,
                "indicator_id": envelope.originator_id,
                "value": e.value,
                "on": e.on,
                "source": e.source,
                "recorded_at": envelope.recorded_at,
                "recorded_by": envelope.actor_id,
                "position": envelope.position,
            },
        )

    @on(events.MeasurementCorrected)
    def corrected(
        self, connection: Connection, envelope: Envelope[events.MeasurementCorrected]
    ) -> None:
        """The right value replaces the wrong one here; the log keeps both."""
        e = envelope.event
        update_rows(
            connection,
            measurements,
            {"measurement_id": e.measurement_id},
            {"value": e.value, "on": e.on, "source": e.source},
        )

    @on(events.MeasurementWithdrawn)
    def withdrawn(
        self, connection: Connection, envelope: Envelope[events.MeasurementWithdrawn]
    ) -> None:
        delete_rows(
            connection, measurements, {"measurement_id": envelope.event.measurement_id}
        )


def _defined(connection: Connection, consortium_id: str) -> list[Any]:
    """The consortium's indicators' rows, by name."""
    return list(
        connection.execute(
            select(indicators)
            .where(indicators.c.consortium_id == consortium_id)
            .order_by(indicators.c.name)
        )
    )


def _measurement(m: Any) -> MeasurementRow:
    return MeasurementRow(m.measurement_id, m.value, m.on, m.source, m.recorded_by)


def indicators_of(connection: Connection, consortium_id: str) -> list[IndicatorRow]:
    """The consortium's indicators by name, each with its measurements by date."""
    rows = _defined(connection, consortium_id)
    values: dict[str, list[MeasurementRow]] = {r.indicator_id: [] for r in rows}
    if rows:
        for m in connection.execute(
            select(measurements)
            .where(measurements.c.indicator_id.in_(list(values)))
            .order_by(measurements.c.on, measurements.c.position)
        ):
            values[m.indicator_id].append(_measurement(m))
    return [_row(r, values[r.indicator_id]) for r in rows]


def indicator_count(connection: Connection, consortium_id: str) -> int:
    """How many indicators the consortium defined."""
    return connection.execute(
        select(func.count()).where(indicators.c.consortium_id == consortium_id)
    ).scalar_one()


@dataclass(frozen=True)
class LatestValues:
    """The consortium's indicators, each with its latest values only (oldest first,
    as ``IndicatorRow`` keeps them), and how many values each has in all."""

    rows: list[IndicatorRow]
    counts: dict[str, int]


def latest_values_of(
    connection: Connection, consortium_id: str, last: int
) -> LatestValues:
    """The consortium's indicators by name, each with its ``last`` latest values.

    What the indicators page shows: its cost follows the number of indicators, not
    the years of values behind them (each indicator's own page lists them all).
    """
    rows = _defined(connection, consortium_id)
    values: dict[str, list[MeasurementRow]] = {r.indicator_id: [] for r in rows}
    counts = dict.fromkeys(values, 0)
    if rows:
        newest_first = func.row_number().over(
            partition_by=measurements.c.indicator_id,
            order_by=(measurements.c.on.desc(), measurements.c.position.desc()),
        )
        ranked = (
            select(
                measurements,
                newest_first.label("rank"),
                func.count()
                .over(partition_by=measurements.c.indicator_id)
                .label("measured"),
            )
            .where(measurements.c.indicator_id.in_(list(values)))
            .subquery()
        )
        for m in connection.execute(
            select(ranked)
            .where(ranked.c.rank <= last)
            .order_by(ranked.c.on, ranked.c.position)
        ):
            values[m.indicator_id].append(_measurement(m))
            counts[m.indicator_id] = m.measured
    return LatestValues([_row(r, values[r.indicator_id]) for r in rows], counts)


def indicator_of(
    connection: Connection, consortium_id: str, indicator_id: str
) -> IndicatorRow | None:
    """The consortium's indicator ``indicator_id`` with all its values, by date;
    ``None`` when it has none such."""
    found = connection.execute(
        select(indicators).where(
            indicators.c.consortium_id == consortium_id,
            indicators.c.indicator_id == indicator_id,
        )
    ).first()
    if found is None:
        return None
    return _row(
        found,
        [
            _measurement(m)
            for m in connection.execute(
                select(measurements)
                .where(measurements.c.indicator_id == indicator_id)
                .order_by(measurements.c.on, measurements.c.position)
            )
        ],
    )


@dataclass(frozen=True)
class MeasuredValue:
    """One value with the indicator it measures: what its correction page shows."""

    indicator_id: str
    name: str
    unit: str
    measurement: MeasurementRow


def measured_value_of(
    connection: Connection, consortium_id: str, indicator_id: str, measurement_id: str
) -> MeasuredValue | None:
    """The value ``measurement_id`` of the consortium's indicator ``indicator_id``;
    ``None`` when there is none such (withdrawn, or another consortium's)."""
    found = connection.execute(
        select(indicators.c.name, indicators.c.unit, measurements)
        .join(measurements, measurements.c.indicator_id == indicators.c.indicator_id)
        .where(
            indicators.c.consortium_id == consortium_id,
            indicators.c.indicator_id == indicator_id,
            measurements.c.measurement_id == measurement_id,
        )
    ).first()
    if found is None:
        return None
    return MeasuredValue(indicator_id, found.name, found.unit, _measurement(found))


def _row(r: Any, measured: list[MeasurementRow]) -> IndicatorRow:
    return IndicatorRow(
        r.indicator_id,
        r.consortium_id,
        r.name,
        r.unit,
        r.baseline,
        r.target,
        r.target_on,
        r.measured_by,
        tuple(measured),
    )
