"""The history of the call's rules: each recording, in its consortium's history.

The rulebook is an aggregate of its own: its rows go to its consortium's history
(its owner, recorded when it is opened); a recording says what it sets in a few
words (the ceiling and the maximum rate, when the call has them).
"""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.rows import HistoryRows


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
