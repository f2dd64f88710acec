"""The amendments' read model: each amendment of a plan, its changes, its decision.

One row per amendment, numbered in its consortium in the order drafted; its changes
are kept whole as exact JSON text (added lines as a plan's content, withdrawn line
ids, the new end of the eligible period), rebuilt as ``AmendmentChanges`` so the
page shows the plan it proposes with the same arithmetic as the domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
)

from governance import events
from governance.financing.changes import (
    AmendmentChanges,
    AmendmentKind,
    AmendmentStatus,
)
from governance.financing.values import PlanContent
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.budget_json import content_from_json, content_to_json
from projections.buffer import add_row, find_row, update_rows

amendments = Table(
    "budget_amendments",
    metadata,
    Column("amendment_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("proposal_id", String(36)),
    Column("status", String(16), nullable=False),
    Column("drafted_at", UtcDateTime, nullable=False),
    Column("drafted_by", String(64), nullable=False),
    Column("proposed_at", UtcDateTime),
    Column("decided_at", UtcDateTime),
    Column("decided_by", String(64)),
    Column("decision_reason", Text),
    Column("version_number", Integer),
    Column("changes", Text, nullable=False),
)


@dataclass(frozen=True)
class AmendmentRow:
    """An amendment as the pages show it."""

    amendment_id: str
    consortium_id: str
    number: int
    kind: AmendmentKind
    reason: str
    proposal_id: str | None
    status: AmendmentStatus
    drafted_at: datetime
    drafted_by: str
    proposed_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    version_number: int | None
    changes: AmendmentChanges


def changes_to_json(changes: AmendmentChanges) -> str:
    """An amendment's changes as JSON text."""
    added = PlanContent(changes.expenses, changes.resources)
    return json.dumps(
        {
            "added": json.loads(content_to_json(added)),
            "withdrawn": list(changes.withdrawn),
            "eligible_until": changes.eligible_until.isoformat()
            if changes.eligible_until
            else None,
        },
        sort_keys=True,
    )


def changes_from_json(text: str) -> AmendmentChanges:
    """An amendment's changes back from ``changes_to_json``."""
    data = json.loads(text)
    added = content_from_json(json.dumps(data["added"]))
    until = data["eligible_until"]
    return AmendmentChanges(
        added.expenses,
        added.resources,
        tuple(data["withdrawn"]),
        date.fromisoformat(until) if until else None,
    )


def _changes(connection: Connection, amendment_id: str) -> AmendmentChanges:
    row = find_row(connection, amendments, {"amendment_id": amendment_id})
    if row is None:
        raise LookupError(f"no amendment {amendment_id}")
    return changes_from_json(str(row["changes"]))


class AmendmentsProjection(Projection):
    """The amendments of each consortium's financing plan."""

    name: ClassVar[str] = "amendments"
    tables: ClassVar[tuple[Table, ...]] = (amendments,)

    def _set(
        self, connection: Connection, envelope: Envelope[LoggedEvent], **values: Any
    ) -> None:
        update_rows(
            connection, amendments, {"amendment_id": envelope.originator_id}, values
        )

    def _change(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        changes: AmendmentChanges,
    ) -> None:
        self._set(connection, envelope, changes=changes_to_json(changes))

    @on(events.AmendmentDrafted)
    def drafted(
        self, connection: Connection, envelope: Envelope[events.AmendmentDrafted]
    ) -> None:
        event = envelope.event
        count = connection.scalar(
            select(func.count())
            .select_from(amendments)
            .where(amendments.c.consortium_id == event.consortium_id)
        )
        add_row(
            connection,
            amendments,
            {
                "amendment_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "number": int(count or 0) + 1,
                "kind": event.kind.value,
                "reason": event.reason,
                "proposal_id": event.proposal_id,
                "status": AmendmentStatus.DRAFT.value,
                "drafted_at": envelope.recorded_at,
                "drafted_by": envelope.actor_id,
                "proposed_at": None,
                "decided_at": None,
                "decided_by": None,
                "decision_reason": None,
                "version_number": None,
                "changes": changes_to_json(AmendmentChanges()),
            },
        )

    @on(events.AmendmentExpenseAdded)
    def expense_added(
        self, connection: Connection, envelope: Envelope[events.AmendmentExpenseAdded]
    ) -> None:
        c = _changes(connection, envelope.originator_id)
        line = envelope.event.line
        self._change(connection, envelope, replace(c, expenses=(*c.expenses, line)))

    @on(events.AmendmentResourceAdded)
    def resource_added(
        self, connection: Connection, envelope: Envelope[events.AmendmentResourceAdded]
    ) -> None:
        c = _changes(connection, envelope.originator_id)
        line = envelope.event.line
        self._change(connection, envelope, replace(c, resources=(*c.resources, line)))

    @on(events.AmendmentLineWithdrawn)
    def line_withdrawn(
        self, connection: Connection, envelope: Envelope[events.AmendmentLineWithdrawn]
    ) -> None:
        c = _changes(connection, envelope.originator_id)
        withdrawn = (*c.withdrawn, envelope.event.line_id)
        self._change(connection, envelope, replace(c, withdrawn=withdrawn))

    @on(events.AmendmentChangeDropped)
    def change_dropped(
        self, connection: Connection, envelope: Envelope[events.AmendmentChangeDropped]
    ) -> None:
        c = _changes(connection, envelope.originator_id)
        gone = envelope.event.line_id
        self._change(
            connection,
            envelope,
            replace(
                c,
                expenses=tuple(e for e in c.expenses if e.line_id != gone),
                resources=tuple(r for r in c.resources if r.line_id != gone),
                withdrawn=tuple(i for i in c.withdrawn if i != gone),
            ),
        )

    @on(events.AmendmentPeriodExtended)
    def period_extended(
        self,
        connection: Connection,
        envelope: Envelope[events.AmendmentPeriodExtended],
    ) -> None:
        c = _changes(connection, envelope.originator_id)
        until = envelope.event.eligible_until
        self._change(connection, envelope, replace(c, eligible_until=until))

    @on(events.AmendmentProposed)
    def proposed(
        self, connection: Connection, envelope: Envelope[events.AmendmentProposed]
    ) -> None:
        self._set(
            connection,
            envelope,
            status=AmendmentStatus.PROPOSED.value,
            proposed_at=envelope.recorded_at,
        )

    @on(events.AmendmentApproved)
    def approved(
        self, connection: Connection, envelope: Envelope[events.AmendmentApproved]
    ) -> None:
        self._set(
            connection,
            envelope,
            status=AmendmentStatus.APPROVED.value,
            decided_at=envelope.recorded_at,
            decided_by=envelope.actor_id,
            decision_reason=envelope.event.reason,
            version_number=envelope.event.version_number,
        )

    @on(events.AmendmentRefused)
    def refused(
        self, connection: Connection, envelope: Envelope[events.AmendmentRefused]
    ) -> None:
        self._set(
            connection,
            envelope,
            status=AmendmentStatus.REFUSED.value,
            decided_at=envelope.recorded_at,
            decided_by=envelope.actor_id,
            decision_reason=envelope.event.reason,
        )


def _row(r: Any) -> AmendmentRow:
    return AmendmentRow(
        r.amendment_id,
        r.consortium_id,
        r.number,
        AmendmentKind(r.kind),
        r.reason,
        r.proposal_id,
        AmendmentStatus(r.status),
        r.drafted_at,
        r.drafted_by,
        r.proposed_at,
        r.decided_at,
        r.decided_by,
        r.decision_reason,
        r.version_number,
        changes_from_json(r.changes),
    )


def amendments_of(connection: Connection, consortium_id: str) -> list[AmendmentRow]:
    """A consortium's amendments, the latest first."""
    rows = connection.execute(
        select(amendments)
        .where(amendments.c.consortium_id == consortium_id)
        .order_by(amendments.c.number.desc())
    )
    return [_row(r) for r in rows]


def amendment_of(
    connection: Connection, consortium_id: str, amendment_id: str
) -> AmendmentRow | None:
    """One amendment of a consortium, or None."""
    row = connection.execute(
        select(amendments).where(
            amendments.c.consortium_id == consortium_id,
            amendments.c.amendment_id == amendment_id,
        )
    ).first()
    return _row(row) if row is not None else None
