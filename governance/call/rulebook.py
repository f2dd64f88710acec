"""The CallRulebook aggregate: the call's rules as one consortium records them.

One per consortium (its id derived from the consortium's). Each recording is a new
event carrying the whole rules; the latest is in force, the earlier ones stay in
the trail. Who may record them, and the financing plan that follows them, is the
service's business.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.call.values import CallRules, call_rules_id


class CallRulebook(Aggregate):
    """A consortium's record of its call's rules."""

    class Opened(GovernanceCreated):
        consortium_id: str

    class RulesRecorded(GovernanceEvent):
        rules: CallRules

    @staticmethod
    def create_id(consortium_id: str) -> UUID:
        """One rulebook per consortium."""
        return call_rules_id(consortium_id)

    @event(Opened)
    def __init__(self, consortium_id: str) -> None:
        self.consortium_id = consortium_id
        self.rules: CallRules | None = None

    @classmethod
    def open(cls, consortium_id: str) -> CallRulebook:
        """A consortium's rulebook, with no rules yet."""
        return cls(consortium_id=consortium_id)

    def record(self, rules: CallRules) -> None:
        """Record the rules, checked; the same rules again record nothing."""
        checked = rules.checked()
        if checked != self.rules:
            self._record(rules=checked)

    @event(RulesRecorded)
    def _record(self, rules: CallRules) -> None:
        self.rules = rules
