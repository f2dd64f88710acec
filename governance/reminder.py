"""Reminders of reporting deadlines: each one issued once, then delivered once.

A ``Reminder`` is one person reminded of one report at one stage (J-7, the day, J+7…).
Its id is derived from that key, so asking twice for the same reminder collides in
the event store and is refused: the scheduler can run late, twice, or after a crash,
and each reminder still exists once. Financers see both facts in the trail: the
consortium was reminded, and how it was told (e-mail, daily digest or in-app only).

A consortium's ``ReminderSchedule`` says how many days before a deadline people are
reminded; without one, ``DEFAULT_DAYS_BEFORE`` applies (``reminder_rules.py``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.reminder_rules import check_days_before, reminder_id, schedule_id
from governance.values import ReminderChannel as Channel


class Reminder(Aggregate):
    """One person reminded of one report's deadline at one stage."""

    class Requested(GovernanceCreated):
        consortium_id: str
        obligation_id: str
        due_on: date
        stage: int
        recipient_id: str
        escalation: int

    class Sent(GovernanceEvent):
        channel: Channel
        message_id: str

    @staticmethod
    def create_id(
        obligation_id: str, due_on: date, stage: int, recipient_id: str
    ) -> UUID:
        """The reminder's id: the same key always gives the same id."""
        return reminder_id(obligation_id, due_on, stage, recipient_id)

    @event(Requested)
    def __init__(
        self,
        consortium_id: str,
        obligation_id: str,
        due_on: date,
        stage: int,
        recipient_id: str,
        escalation: int,
    ) -> None:
        self.consortium_id = consortium_id
        self.obligation_id = obligation_id
        self.due_on = due_on
        self.stage = stage
        self.recipient_id = recipient_id
        self.escalation = escalation
        self.channel: Channel | None = None
        self.message_id = ""

    def mark_sent(self, channel: Channel, message_id: str) -> None:
        """Record how the reminder reached its recipient (once)."""
        if self.channel is not None:
            raise RuleViolated("reminder.already_sent")
        if channel is not Channel.IN_APP and not message_id:
            raise RuleViolated("reminder.message_id_required")
        self._sent(channel=channel, message_id=message_id)

    @event(Sent)
    def _sent(self, channel: Channel, message_id: str) -> None:
        self.channel = channel
        self.message_id = message_id


class ReminderSchedule(Aggregate):
    """How many days before its deadlines a consortium wants to be reminded."""

    class Set(GovernanceCreated):
        consortium_id: str
        days_before: tuple[int, ...]

    class Changed(GovernanceEvent):
        days_before: tuple[int, ...]

    @staticmethod
    def create_id(consortium_id: str) -> UUID:
        """One schedule per consortium."""
        return schedule_id(consortium_id)

    @event(Set)
    def __init__(self, consortium_id: str, days_before: tuple[int, ...]) -> None:
        self.consortium_id = consortium_id
        self.days_before = tuple(days_before)

    @classmethod
    def set(cls, consortium_id: str, days_before: tuple[int, ...]) -> ReminderSchedule:
        """A consortium's first schedule."""
        return cls(
            consortium_id=consortium_id, days_before=check_days_before(days_before)
        )

    def change(self, days_before: tuple[int, ...]) -> None:
        """Change the days; a change to the same days records nothing."""
        days = check_days_before(days_before)
        if days != self.days_before:
            self._change(days_before=days)

    @event(Changed)
    def _change(self, days_before: tuple[int, ...]) -> None:
        self.days_before = tuple(days_before)
