"""Reading the work plan's read model: a consortium's plan, a deliverable and its
steps, its files, and a person's deliverables across consortia.

Late is not stored: it depends on the day the page is read
(``DeliverableRow.late_on``, ``MilestoneRow.late_on``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from governance.values import Evidence
from governance.workplan.values import OPEN_STATUSES, DeliverableStatus
from projections.members import memberships
from projections.workplan import (
    deliverable_steps,
    deliverables,
    evidence_from_json,
    milestones,
    work_packages,
)


@dataclass(frozen=True)
class PackageRow:
    """A standing work package."""

    package_id: str
    code: str
    title: str
    lead_id: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class DeliverableRow:
    """A deliverable and where it stands."""

    deliverable_id: str
    consortium_id: str
    package_id: str
    title: str
    due_on: date
    responsible_id: str
    status: DeliverableStatus
    file: Evidence | None
    submitted_at: datetime | None

    @property
    def open(self) -> bool:
        """Still to be handed in (never submitted, or sent back)."""
        return self.status in OPEN_STATUSES

    def late_on(self, today: date) -> bool:
        """Late while still to be handed in after its due date."""
        return self.open and self.due_on < today


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone, planned and perhaps reached."""

    milestone_id: str
    package_id: str
    title: str
    planned_on: date
    reached_on: date | None
    note: str
    evidence: tuple[Evidence, ...]

    def late_on(self, today: date) -> bool:
        """Late while not reached after its planned date."""
        return self.reached_on is None and self.planned_on < today


@dataclass(frozen=True)
class StepRow:
    """One step of a deliverable's life."""

    position: int
    recorded_at: datetime
    actor_id: str
    kind: str
    comment: str
    file: Evidence | None


@dataclass(frozen=True)
class WorkPlanView:
    """A consortium's work plan as its page shows it."""

    packages: list[PackageRow]
    deliverables: list[DeliverableRow]
    milestones: list[MilestoneRow]

    def deliverables_of(self, package_id: str) -> list[DeliverableRow]:
        return [d for d in self.deliverables if d.package_id == package_id]

    def milestones_of(self, package_id: str) -> list[MilestoneRow]:
        return [m for m in self.milestones if m.package_id == package_id]


def _deliverable(r: Any) -> DeliverableRow:
    return DeliverableRow(
        r.deliverable_id,
        r.consortium_id,
        r.package_id,
        r.title,
        r.due_on,
        r.responsible_id,
        DeliverableStatus(r.status),
        evidence_from_json(r.file),
        r.submitted_at,
    )


def _milestone(r: Any) -> MilestoneRow:
    return MilestoneRow(
        r.milestone_id,
        r.package_id,
        r.title,
        r.planned_on,
        r.reached_on,
        r.note,
        tuple(Evidence(**x) for x in json.loads(r.evidence)),
    )


def workplan_of(connection: Connection, consortium_id: str) -> WorkPlanView:
    """A consortium's work packages (in the order defined), deliverables and
    milestones (by date)."""
    packages = [
        PackageRow(
            r.package_id,
            r.code,
            r.title,
            r.lead_id,
            tuple(json.loads(r.participants)),
        )
        for r in connection.execute(
            select(work_packages)
            .where(work_packages.c.consortium_id == consortium_id)
            .order_by(work_packages.c.position)
        )
    ]
    found = connection.execute(
        select(deliverables)
        .where(deliverables.c.consortium_id == consortium_id)
        .order_by(deliverables.c.due_on, deliverables.c.position)
    )
    marks = connection.execute(
        select(milestones)
        .where(milestones.c.consortium_id == consortium_id)
        .order_by(milestones.c.planned_on, milestones.c.position)
    )
    return WorkPlanView(
        packages, [_deliverable(r) for r in found], [_milestone(r) for r in marks]
    )


def deliverable(
    connection: Connection, consortium_id: str, deliverable_id: str
) -> DeliverableRow | None:
    """One deliverable of the consortium, or None."""
    r = connection.execute(
        select(deliverables).where(
            deliverables.c.consortium_id == consortium_id,
            deliverables.c.deliverable_id == deliverable_id,
        )
    ).first()
    return _deliverable(r) if r is not None else None


def steps_of_deliverable(connection: Connection, deliverable_id: str) -> list[StepRow]:
    """A deliverable's life, oldest first."""
    rows = connection.execute(
        select(deliverable_steps)
        .where(deliverable_steps.c.deliverable_id == deliverable_id)
        .order_by(deliverable_steps.c.position)
    )
    return [
        StepRow(
            r.position,
            r.recorded_at,
            r.actor_id,
            r.kind,
            r.comment,
            evidence_from_json(r.file),
        )
        for r in rows
    ]


def workplan_file(
    connection: Connection, consortium_id: str, sha256: str
) -> Evidence | None:
    """A file of the consortium's work plan (a deliverable's, any version, or a
    milestone's evidence) with this hash, if any."""
    pattern = f'%"{sha256}"%'
    handed_in = connection.execute(
        select(deliverable_steps.c.file)
        .join(
            deliverables,
            deliverables.c.deliverable_id == deliverable_steps.c.deliverable_id,
        )
        .where(
            deliverables.c.consortium_id == consortium_id,
            deliverable_steps.c.file.like(pattern),
        )
    ).first()
    if handed_in is not None:
        return evidence_from_json(handed_in[0])
    for (text,) in connection.execute(
        select(milestones.c.evidence).where(
            milestones.c.consortium_id == consortium_id,
            milestones.c.evidence.like(pattern),
        )
    ):
        for item in json.loads(text):
            if item["sha256"] == sha256:
                return Evidence(**item)
    return None


def deliverables_of_account(
    connection: Connection, account_id: str
) -> list[DeliverableRow]:
    """Every deliverable of the consortia this account belongs to, by due date."""
    rows = connection.execute(
        select(deliverables)
        .join(memberships, memberships.c.consortium_id == deliverables.c.consortium_id)
        .where(memberships.c.account_id == account_id)
        .order_by(deliverables.c.due_on, deliverables.c.title)
    )
    return [_deliverable(r) for r in rows]


def deliverables_due_to(
    connection: Connection, account_id: str
) -> list[DeliverableRow]:
    """The deliverables not accepted yet in this account's consortia, by due date:
    "My deadlines" and the calendar feed."""
    return [
        d
        for d in deliverables_of_account(connection, account_id)
        if d.status is not DeliverableStatus.ACCEPTED
    ]
