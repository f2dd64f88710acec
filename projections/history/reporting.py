"""The history of reporting: reports, indicators and reminders."""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.call_rules import (
    is_application_deadline,
    remind_of_application,
)
from projections.history.rows import HistoryRows
from projections.history.workplan import is_deliverable


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

    @on(events.ReminderRequested)
    def reminded(
        self, connection: Connection, envelope: Envelope[events.ReminderRequested]
    ) -> None:
        e = envelope.event
        if is_application_deadline(e.consortium_id, e.obligation_id, e.due_on):
            remind_of_application(self, connection, envelope)
            return
        _, title = self._owner(connection, e.obligation_id)
        self._own(connection, envelope, e.consortium_id, title)
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
