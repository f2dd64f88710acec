"""The history of reporting: reports, indicators and reminders."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text

from governance import events
from projections.base import Envelope, metadata, on
from projections.buffer import add_row, batch_cache, find_row
from projections.history.call_rules import (
    is_application_deadline,
    remind_of_application,
)
from projections.history.money_reminders import remind_of_money
from projections.history.rows import HistoryRows
from projections.history.workplan import is_deliverable

# A report's period (or due date), kept for the reminders of it and for each
# reminder: three reports may share a title ("Rapport d'activité"), so a reminder's
# line names its period.
report_periods = Table(
    "history_report_periods",
    metadata,
    Column("item_id", String(36), primary_key=True),
    Column("params", Text, nullable=False),
)
_CACHE = "history.report_periods"


def _keep_period(connection: Connection, item_id: str, params: dict[str, Any]) -> None:
    add_row(
        connection, report_periods, {"item_id": item_id, "params": json.dumps(params)}
    )
    batch_cache(connection, _CACHE)[item_id] = json.dumps(params)


def _period_of(connection: Connection, item_id: str) -> dict[str, Any]:
    cache = batch_cache(connection, _CACHE)
    if item_id not in cache:
        # Held when the batch began (``HistoryProjection.lookups``), or a statement.
        row = find_row(connection, report_periods, {"item_id": item_id})
        cache[item_id] = None if row is None else row["params"]
    text = cache[item_id]
    found: dict[str, Any] = json.loads(str(text)) if text else {}
    return found


class ReportingHistory(HistoryRows):
    """Reports through their review, indicators and their measures, reminders."""

    @on(events.ReportingObligationScheduled)
    def scheduled(
        self,
        connection: Connection,
        envelope: Envelope[events.ReportingObligationScheduled],
    ) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        period: dict[str, Any] = {"due": e.due_on.isoformat()}
        if e.period_start is not None and e.period_end is not None:
            period |= {
                "period_from": e.period_start.isoformat(),
                "period_until": e.period_end.isoformat(),
            }
        _keep_period(connection, envelope.originator_id, period)
        self._add_about_own(
            connection,
            envelope,
            "report_scheduled",
            funder=e.funder,
            on=e.due_on,
        )

    @on(events.ReportDrafted)
    def drafted(
        self, connection: Connection, envelope: Envelope[events.ReportDrafted]
    ) -> None:
        e = envelope.event
        self._add_about_own(
            connection,
            envelope,
            "report_drafted",
            files=len(e.attachments),
        )

    @on(events.ReportSubmitted)
    def submitted(
        self, connection: Connection, envelope: Envelope[events.ReportSubmitted]
    ) -> None:
        self._add_about_own(connection, envelope, "report_submitted")

    @on(events.ReportAccepted)
    def accepted(
        self, connection: Connection, envelope: Envelope[events.ReportAccepted]
    ) -> None:
        self._add_about_own(
            connection,
            envelope,
            "report_accepted",
            comment=envelope.event.comment,
        )

    @on(events.ReportChangesRequested)
    def changes_requested(
        self, connection: Connection, envelope: Envelope[events.ReportChangesRequested]
    ) -> None:
        self._add_about_own(
            connection,
            envelope,
            "report_changes_requested",
            comment=envelope.event.comment,
        )

    @on(events.IndicatorDefined)
    def indicator_defined(
        self, connection: Connection, envelope: Envelope[events.IndicatorDefined]
    ) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.name)
        self._add_about_own(
            connection,
            envelope,
            "indicator_defined",
            baseline=e.baseline,
            target=e.target,
            unit=e.unit,
            on=e.target_on,
        )

    @on(events.IndicatorMeasured)
    def indicator_measured(
        self, connection: Connection, envelope: Envelope[events.IndicatorMeasured]
    ) -> None:
        e = envelope.event
        self._add_about_own(
            connection,
            envelope,
            "indicator_measured",
            value=e.value,
            on=e.on,
            source=e.source,
        )

    @on(events.MeasurementCorrected)
    def measurement_corrected(
        self, connection: Connection, envelope: Envelope[events.MeasurementCorrected]
    ) -> None:
        e = envelope.event
        self._add_about_own(
            connection,
            envelope,
            "measurement_corrected",
            value=e.value,
            on=e.on,
            source=e.source,
            reason=e.reason,
        )

    @on(events.MeasurementWithdrawn)
    def measurement_withdrawn(
        self, connection: Connection, envelope: Envelope[events.MeasurementWithdrawn]
    ) -> None:
        self._add_about_own(
            connection,
            envelope,
            "measurement_withdrawn",
            reason=envelope.event.reason,
        )

    @on(events.ReminderRequested)
    def reminded(
        self, connection: Connection, envelope: Envelope[events.ReminderRequested]
    ) -> None:
        e = envelope.event
        if is_application_deadline(e.consortium_id, e.obligation_id, e.due_on):
            remind_of_application(self, connection, envelope)
            return
        if remind_of_money(self, connection, envelope):
            return  # a partner's statement, or a tranche ready to be paid
        _, title = self._owner(connection, e.obligation_id)
        self._own(connection, envelope, e.consortium_id, title)
        period = _period_of(connection, e.obligation_id)
        if period:
            _keep_period(connection, envelope.originator_id, period)
        # A reminder is of a report, or of a deliverable (its id in the same field).
        self._add(
            connection,
            envelope,
            "deliverable_reminder_requested"
            if is_deliverable(connection, e.obligation_id)
            else "reminder_requested",
            e.recipient_id,
            consortium_id=e.consortium_id,
            about_id=e.obligation_id,
            title=title,
            stage=e.stage,
            **period,
        )

    @on(events.ReminderSent)
    def reminder_sent(
        self, connection: Connection, envelope: Envelope[events.ReminderSent]
    ) -> None:
        e = envelope.event
        consortium_id, title = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            # Only a reminder of the application's closing date has no title.
            "reminder_sent" if title else "application_reminder_sent",
            consortium_id=consortium_id,
            title=title,
            channel=e.channel,
            **_period_of(connection, envelope.originator_id),
        )

    @on(events.ReminderScheduleSet, events.ReminderScheduleChanged)
    def reminder_days(
        self,
        connection: Connection,
        envelope: Envelope[events.ReminderScheduleSet | events.ReminderScheduleChanged],
    ) -> None:
        e = envelope.event
        if isinstance(e, events.ReminderScheduleSet):
            self._own(connection, envelope, e.consortium_id, "")
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            "reminder_schedule_set",
            consortium_id=consortium_id,
            days=", ".join(str(d) for d in e.days_before) or "—",
        )
