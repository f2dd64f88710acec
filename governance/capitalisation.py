"""The capitalisation register: what a project leaves behind, one aggregate per entry.

Four kinds of entry (lessons learned, reusable assets, replications, dissemination
events), each created by its own event (``LessonRecorded``, ``AssetPublished``,
``ReplicationRecorded``, ``DisseminationRecorded``) and then amended or withdrawn
with a reason. Nothing is deleted: a withdrawn entry keeps its history and stays in
the register, marked withdrawn. Who may record is the service's business.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.values import (
    CapitalisationEntry,
    CapitalisationKind,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
    tidy,
)


class CapitalisationRecord(Aggregate):
    """One entry of a consortium's capitalisation register."""

    class LessonRecorded(GovernanceCreated):
        consortium_id: str
        entry: Lesson

    class AssetPublished(GovernanceCreated):
        consortium_id: str
        entry: ReusableAsset

    class ReplicationRecorded(GovernanceCreated):
        consortium_id: str
        entry: Replication

    class DisseminationRecorded(GovernanceCreated):
        consortium_id: str
        entry: Dissemination

    class Amended(GovernanceEvent):
        entry: CapitalisationEntry
        reason: str

    class Withdrawn(GovernanceEvent):
        reason: str

    def __init__(self, consortium_id: str, entry: CapitalisationEntry) -> None:
        self.consortium_id = consortium_id
        self.entry: CapitalisationEntry = entry
        self.withdrawn = False

    @classmethod
    def record(
        cls, consortium_id: str, entry: CapitalisationEntry
    ) -> CapitalisationRecord:
        """Record a new entry; the event says which kind it is."""
        entry = tidy(entry)
        entry.check()
        created: dict[CapitalisationKind, Any] = {
            CapitalisationKind.LESSON: cls.LessonRecorded,
            CapitalisationKind.ASSET: cls.AssetPublished,
            CapitalisationKind.REPLICATION: cls.ReplicationRecorded,
            CapitalisationKind.DISSEMINATION: cls.DisseminationRecorded,
        }
        return cls._create(
            event_class=created[entry.kind], consortium_id=consortium_id, entry=entry
        )

    @property
    def kind(self) -> CapitalisationKind:
        """Which of the four kinds this entry is."""
        return self.entry.kind

    def amend(self, entry: CapitalisationEntry, reason: str) -> None:
        """Change what the entry says; the reason is mandatory, the kind fixed."""
        self._check_open()
        entry = tidy(entry)
        if entry.kind is not self.kind:
            raise RuleViolated("capitalisation.kind_unchangeable")
        entry.check()
        if not reason.strip():
            raise RuleViolated("capitalisation.reason_required", field="reason")
        if entry == self.entry:
            raise RuleViolated("capitalisation.unchanged")
        self._amend(entry=entry, reason=reason.strip())

    @event(Amended)
    def _amend(self, entry: CapitalisationEntry, reason: str) -> None:
        self.entry = entry

    def withdraw(self, reason: str) -> None:
        """Withdraw the entry from the register; it stays, marked withdrawn."""
        self._check_open()
        if not reason.strip():
            raise RuleViolated("capitalisation.reason_required", field="reason")
        self._withdraw(reason=reason.strip())

    @event(Withdrawn)
    def _withdraw(self, reason: str) -> None:
        self.withdrawn = True

    def _check_open(self) -> None:
        if self.withdrawn:
            raise RuleViolated("capitalisation.withdrawn")
