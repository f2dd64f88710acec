"""The work plan's read model: work packages, deliverables with their steps, and
milestones (the tables and their handlers; ``workplan_queries`` reads them).

Feeds the work plan page, each deliverable's page, "My deadlines" and the iCalendar
feed. A withdrawn package's row goes (the history keeps the event).
"""

from __future__ import annotations

import json
from typing import ClassVar

from sqlalchemy import Column, Connection, Date, Integer, String, Table, Text

from governance import events
from governance.values import Evidence
from governance.workplan.values import DeliverableStatus
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import add_row, delete_rows, find_row, update_rows

workplans = Table(
    "workplan_plans",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
)

work_packages = Table(
    "workplan_packages",
    metadata,
    Column("package_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("code", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("lead_id", String(36), nullable=False),
    Column("participants", Text, nullable=False),
)

deliverables = Table(
    "workplan_deliverables",
    metadata,
    Column("deliverable_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("package_id", String(36), nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("due_on", Date, nullable=False, index=True),
    Column("responsible_id", String(36), nullable=False),
    Column("status", String(24), nullable=False),
    Column("file", Text),
    Column("submitted_at", UtcDateTime),
)

deliverable_steps = Table(
    "workplan_deliverable_steps",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("deliverable_id", String(36), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("comment", Text, nullable=False),
    Column("file", Text),
)

milestones = Table(
    "workplan_milestones",
    metadata,
    Column("milestone_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("package_id", String(36), nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("reached_on", Date),
    Column("note", Text, nullable=False),
    Column("evidence", Text, nullable=False),
)


def _evidence_json(evidence: Evidence | None) -> str | None:
    if evidence is None:
        return None
    return json.dumps(
        {
            "sha256": evidence.sha256,
            "size": evidence.size,
            "media_type": evidence.media_type,
            "filename": evidence.filename,
        }
    )


def evidence_from_json(text: str | None) -> Evidence | None:
    return Evidence(**json.loads(text)) if text else None


def _consortium(connection: Connection, envelope: Envelope[LoggedEvent]) -> str:
    row = find_row(connection, workplans, {"plan_id": envelope.originator_id})
    if row is None:
        raise LookupError(f"no work plan {envelope.originator_id}")
    return str(row["consortium_id"])


class WorkPlanProjection(Projection):
    """The work plan of each consortium."""

    name: ClassVar[str] = "workplan"
    tables: ClassVar[tuple[Table, ...]] = (
        workplans,
        work_packages,
        deliverables,
        deliverable_steps,
        milestones,
    )

    @on(events.WorkPlanOpened)
    def opened(
        self, connection: Connection, envelope: Envelope[events.WorkPlanOpened]
    ) -> None:
        add_row(
            connection,
            workplans,
            {
                "plan_id": envelope.originator_id,
                "consortium_id": envelope.event.consortium_id,
            },
        )

    @on(events.WorkPackageDefined)
    def package_defined(
        self, connection: Connection, envelope: Envelope[events.WorkPackageDefined]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            work_packages,
            {
                "package_id": e.package_id,
                "consortium_id": _consortium(connection, envelope),
                "position": envelope.position,
                "code": e.code,
                "title": e.title,
                "lead_id": e.lead_id,
                "participants": json.dumps(list(e.participants)),
            },
        )

    @on(events.WorkPackageChanged)
    def package_changed(
        self, connection: Connection, envelope: Envelope[events.WorkPackageChanged]
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            work_packages,
            {"package_id": e.package_id},
            {
                "code": e.code,
                "title": e.title,
                "lead_id": e.lead_id,
                "participants": json.dumps(list(e.participants)),
            },
        )

    @on(events.WorkPackageWithdrawn)
    def package_withdrawn(
        self, connection: Connection, envelope: Envelope[events.WorkPackageWithdrawn]
    ) -> None:
        delete_rows(
            connection, work_packages, {"package_id": envelope.event.package_id}
        )

    @on(events.DeliverablePlanned)
    def deliverable_planned(
        self, connection: Connection, envelope: Envelope[events.DeliverablePlanned]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            deliverables,
            {
                "deliverable_id": e.deliverable_id,
                "consortium_id": _consortium(connection, envelope),
                "package_id": e.package_id,
                "position": envelope.position,
                "title": e.title,
                "due_on": e.due_on,
                "responsible_id": e.responsible_id,
                "status": DeliverableStatus.DUE.value,
                "file": None,
                "submitted_at": None,
            },
        )
        self._step(connection, envelope, e.deliverable_id, "planned")

    @on(events.DeliverableSubmitted)
    def deliverable_submitted(
        self, connection: Connection, envelope: Envelope[events.DeliverableSubmitted]
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            deliverables,
            {"deliverable_id": e.deliverable_id},
            {
                "status": DeliverableStatus.SUBMITTED.value,
                "file": _evidence_json(e.file),
                "submitted_at": envelope.recorded_at,
            },
        )
        self._step(connection, envelope, e.deliverable_id, "submitted", e.note, e.file)

    @on(events.DeliverableAccepted)
    def deliverable_accepted(
        self, connection: Connection, envelope: Envelope[events.DeliverableAccepted]
    ) -> None:
        e = envelope.event
        self._status(connection, e.deliverable_id, DeliverableStatus.ACCEPTED)
        self._step(connection, envelope, e.deliverable_id, "accepted", e.comment)

    @on(events.DeliverableChangesRequested)
    def deliverable_changes_requested(
        self,
        connection: Connection,
        envelope: Envelope[events.DeliverableChangesRequested],
    ) -> None:
        e = envelope.event
        self._status(connection, e.deliverable_id, DeliverableStatus.CHANGES_REQUESTED)
        self._step(
            connection, envelope, e.deliverable_id, "changes_requested", e.comment
        )

    @on(events.MilestonePlanned)
    def milestone_planned(
        self, connection: Connection, envelope: Envelope[events.MilestonePlanned]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            milestones,
            {
                "milestone_id": e.milestone_id,
                "consortium_id": _consortium(connection, envelope),
                "package_id": e.package_id,
                "position": envelope.position,
                "title": e.title,
                "planned_on": e.planned_on,
                "reached_on": None,
                "note": "",
                "evidence": "[]",
            },
        )

    @on(events.MilestoneReached)
    def milestone_reached(
        self, connection: Connection, envelope: Envelope[events.MilestoneReached]
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            milestones,
            {"milestone_id": e.milestone_id},
            {
                "reached_on": e.reached_on,
                "note": e.note,
                "evidence": json.dumps(
                    [json.loads(_evidence_json(x) or "{}") for x in e.evidence]
                ),
            },
        )

    @staticmethod
    def _status(
        connection: Connection, deliverable_id: str, status: DeliverableStatus
    ) -> None:
        update_rows(
            connection,
            deliverables,
            {"deliverable_id": deliverable_id},
            {"status": status.value},
        )

    @staticmethod
    def _step(
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        deliverable_id: str,
        kind: str,
        comment: str = "",
        file: Evidence | None = None,
    ) -> None:
        add_row(
            connection,
            deliverable_steps,
            {
                "position": envelope.position,
                "deliverable_id": deliverable_id,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "kind": kind,
                "comment": comment,
                "file": _evidence_json(file),
            },
        )
