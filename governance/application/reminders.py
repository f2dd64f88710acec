"""Commands on reminders: the scheduler issues them, the sender records delivery.

Issuing is idempotent by construction: a reminder's id is derived from its key, so a
second request for the same key collides in the event store (``Conflict``) and
nothing is stored twice, whichever process or tick asked.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from governance.actor import SCHEDULER, Actor
from governance.application.base import ServiceBase
from governance.application.retrying import command
from governance.errors import RuleViolated
from governance.permissions import Action
from governance.reminder import Reminder, ReminderSchedule
from governance.reminder_rules import schedule_id
from governance.reporting import WRITABLE, ReportingObligation
from governance.values import ReminderChannel


class ReminderCommands(ServiceBase):
    """Reminders of reporting deadlines and each consortium's schedule of them."""

    @command
    def request_reminder(
        self, obligation_id: UUID, stage: int, recipient_id: str, escalation: int
    ) -> int:
        """The scheduler reminds one person of a report's deadline at one stage.

        Refused (``RuleViolated``) when the report is no longer due or the person no
        longer belongs to the consortium; ``Conflict`` when already issued.
        """
        with self._acting(Actor(SCHEDULER)):
            obligation = self._load(obligation_id, ReportingObligation, "obligation")
            if obligation.status not in WRITABLE:
                raise RuleViolated("reminder.report_not_due")
            consortium = self._consortium(UUID(obligation.consortium_id))
            if consortium.role_of(recipient_id) is None:
                raise RuleViolated("reminder.recipient_not_a_member")
            reminder = Reminder(
                consortium_id=obligation.consortium_id,
                obligation_id=str(obligation_id),
                due_on=obligation.due_on,
                stage=stage,
                recipient_id=recipient_id,
                escalation=escalation,
            )
            return self._save(reminder)

    @command
    def record_reminder_sent(
        self, reminder_id: UUID, channel: ReminderChannel, message_id: str
    ) -> int:
        """The sender records how a reminder reached its recipient (once)."""
        with self._acting(Actor(SCHEDULER)):
            reminder = self._load(reminder_id, Reminder, "reminder")
            reminder.mark_sent(channel, message_id)
            return self._save(reminder)

    @command
    def set_reminder_schedule(
        self, actor: Actor, consortium_id: UUID, days_before: tuple[int, ...]
    ) -> int | None:
        """Choose the days before a deadline when people are reminded.

        Returns the position of the change, or None when nothing changed.
        """
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.MANAGE_CALENDAR)
            schedule: ReminderSchedule
            try:
                schedule = self.repository.get(schedule_id(str(consortium_id)))
            except AggregateNotFoundError:
                schedule = ReminderSchedule.set(str(consortium_id), days_before)
            else:
                schedule.change(days_before)
            if not schedule.pending_events:
                return None
            return self._save(schedule)
