"""The history of the call's rules: each recording, in its consortium's history.

A reminder of the application's closing date has no aggregate of its own to name
it: ``remind_of_application`` writes its row (the reminders' handler asks first).
The rulebook is an aggregate of its own: its rows go to its consortium's history
(its owner, recorded when it is opened); a recording says what it sets in a few
words (the ceiling and the maximum rate, when the call has them).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from governance import events
from governance.call.values import application_deadline_id
from projections.base import Envelope, on
from projections.history.rows import HistoryRows


def is_application_deadline(consortium_id: str, obligation_id: str, on: date) -> bool:
    """Whether a reminder's ``obligation_id`` is the application's closing date
    (derived from the consortium and the day: no aggregate, no owner row)."""
    return obligation_id == application_deadline_id(consortium_id, on)


def remind_of_application(
    rows: HistoryRows,
    connection: Connection,
    envelope: Envelope[events.ReminderRequested],
) -> None:
    """The history's row of a reminder of the application's closing date."""
    e = envelope.event
    rows._own(connection, envelope, e.consortium_id, "")
    rows._add(
        connection,
        envelope,
        "application_reminder_requested",
        e.recipient_id,
        consortium_id=e.consortium_id,
        about_id=e.consortium_id,
        on=e.due_on,
        stage=e.stage,
    )


class CallRulesHistory(HistoryRows):
    """Each recording of the call's rules, in its consortium's history."""

    @on(events.CallRulebookOpened)
    def call_rulebook_opened(
        self, connection: Connection, envelope: Envelope[events.CallRulebookOpened]
    ) -> None:
        # No row: the rulebook opens with its first recording, which has one.
        self._own(connection, envelope, envelope.event.consortium_id, "")

    @on(events.CallRulesRecorded)
    def call_rules_recorded(
        self, connection: Connection, envelope: Envelope[events.CallRulesRecorded]
    ) -> None:
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        rules = envelope.event.rules
        self._add(
            connection,
            envelope,
            "call_rules_recorded",
            consortium_id=consortium_id,
            ceiling=rules.budget_ceiling,
            rate=rules.funding.max_funder_rate,
        )
