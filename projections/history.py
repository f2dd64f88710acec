"""The history read model: every event of a consortium, ready to be told in words.

Each row keeps the event's kind, its author, when it was recorded, the thing it is
about (a partner, a person) and the parameters a sentence needs, with names as they
were at the time. The web layer turns a row into a translated sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
)

from governance import events
from projections.base import Envelope, Projection, UtcDateTime, metadata, on

history = Table(
    "consortium_history",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("consortium_id", String(36), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("subject_id", String(64)),
    Column("params", Text, nullable=False),
    # A consortium's pages, newest first, keyset by position: one index range scan
    # however many other consortia share the log.
    Index("ix_history_consortium_position", "consortium_id", "position"),
)

commitment_owners = Table(
    "history_commitments",
    metadata,
    Column("commitment_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False),
    Column("partner_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
)

labels = Table(
    "history_labels",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("subject_id", String(64), primary_key=True),
    Column("label", Text, nullable=False),
)


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a consortium."""

    position: int
    consortium_id: str
    recorded_at: datetime
    actor_id: str
    kind: str
    subject_id: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class HistoryPage:
    """A page of history, newest first, with the key of the next (older) page."""

    entries: tuple[HistoryEntry, ...]
    older_than: int | None


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class HistoryProjection(Projection):
    """Appends one row per consortium event."""

    name: ClassVar[str] = "history"
    tables: ClassVar[tuple[Table, ...]] = (history, labels, commitment_owners)

    def _add(
        self,
        connection: Connection,
        envelope: Envelope,
        what: str,
        subject_id: str | None = None,
        /,
        consortium_id: str | None = None,
        **params: Any,
    ) -> None:
        connection.execute(
            insert(history).values(
                position=envelope.position,
                consortium_id=consortium_id or envelope.originator_id,
                recorded_at=envelope.recorded_at,
                actor_id=envelope.actor_id,
                kind=what,
                subject_id=subject_id,
                params=json.dumps({k: _value(v) for k, v in params.items()}),
            )
        )

    def _add_about_partner(
        self, connection: Connection, envelope: Envelope, what: str, /, **params: Any
    ) -> None:
        """A row about the event's partner, named as it was then."""
        partner_id = envelope.event.partner_id
        label = self._label(connection, envelope, partner_id)
        self._add(connection, envelope, what, partner_id, partner=label, **params)

    def _add_about_commitment(
        self, connection: Connection, envelope: Envelope, what: str, /, **params: Any
    ) -> None:
        """A row in the history of the commitment's consortium, about its partner."""
        owner = connection.execute(
            select(commitment_owners).where(
                commitment_owners.c.commitment_id == envelope.originator_id
            )
        ).one()
        label = connection.scalar(
            select(labels.c.label).where(
                labels.c.consortium_id == owner.consortium_id,
                labels.c.subject_id == owner.partner_id,
            )
        )
        self._add(
            connection,
            envelope,
            what,
            owner.partner_id,
            consortium_id=owner.consortium_id,
            partner=label or "?",
            kind=owner.kind,
            unit=owner.unit,
            **params,
        )

    @on(events.CommitmentPledged)
    def pledged(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        connection.execute(
            insert(commitment_owners).values(
                commitment_id=envelope.originator_id,
                consortium_id=e.consortium_id,
                partner_id=e.partner_id,
                kind=e.kind.value,
                unit=e.unit.value,
            )
        )
        self._add_about_commitment(
            connection, envelope, "commitment_pledged", amount=e.amount
        )

    @on(events.CommitmentAmended)
    def commitment_amended(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_amended", amount=e.amount, reason=e.reason
        )

    @on(events.CommitmentWithdrawn)
    def commitment_withdrawn(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_withdrawn", on=e.on, reason=e.reason
        )

    @on(events.ContributionDelivered)
    def contribution_delivered(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection,
            envelope,
            "contribution_delivered",
            amount=e.amount,
            on=e.delivered_on,
        )

    def _label(
        self, connection: Connection, envelope: Envelope, subject_id: str
    ) -> str:
        label = connection.scalar(
            select(labels.c.label).where(
                labels.c.consortium_id == envelope.originator_id,
                labels.c.subject_id == subject_id,
            )
        )
        return label or "?"

    @on(events.ConsortiumFounded)
    def founded(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "founded", name=envelope.event.name)

    @on(events.ProfileRevised)
    def revised(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "profile_revised", name=envelope.event.name)

    @on(events.PhaseChanged)
    def phase_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add(connection, envelope, "phase_changed", phase=e.phase, on=e.on)

    @on(events.PartnerJoined)
    def joined(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        connection.execute(
            insert(labels).values(
                consortium_id=envelope.originator_id,
                subject_id=e.partner_id,
                label=e.name,
            )
        )
        self._add(
            connection,
            envelope,
            "partner_joined",
            e.partner_id,
            partner=e.name,
            role=e.role,
            kind=e.kind,
            on=e.joined_on,
        )

    @on(events.PartnerRoleChanged)
    def role_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_role_changed",
            role=e.role,
        )

    @on(events.PartnerAxisChanged)
    def axis_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_axis_changed",
            axis=e.axis,
        )

    @on(events.PartnerPaperRecorded)
    def paper_recorded(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_paper_recorded",
            paper=e.paper,
            on=e.signed_on,
        )

    @on(events.PartnerWithdrew)
    def withdrew(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_withdrew",
            on=e.on,
            reason=e.reason,
        )

    @on(events.InvitationIssued)
    def invited(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "invitation_issued",
            e.invitation_id,
            role=e.role,
            partner=partner,
        )

    @on(events.InvitationCancelled)
    def invitation_cancelled(self, connection: Connection, envelope: Envelope) -> None:
        self._add(
            connection, envelope, "invitation_cancelled", envelope.event.invitation_id
        )

    @on(events.MembershipGranted)
    def granted(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "membership_granted",
            e.account_id,
            role=e.role,
            partner=partner,
        )

    @on(events.MembershipRevoked)
    def revoked(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "membership_revoked", envelope.event.account_id)


def _entry(row: Any) -> HistoryEntry:
    return HistoryEntry(
        row.position,
        row.consortium_id,
        row.recorded_at,
        row.actor_id,
        row.kind,
        row.subject_id,
        json.loads(row.params),
    )


def history_of(
    connection: Connection,
    consortium_id: str,
    *,
    older_than: int | None = None,
    subject_id: str | None = None,
    limit: int = 50,
) -> HistoryPage:
    """A page of the consortium's history, newest first (keyset paging)."""
    query = select(history).where(history.c.consortium_id == consortium_id)
    if subject_id is not None:
        query = query.where(history.c.subject_id == subject_id)
    if older_than is not None:
        query = query.where(history.c.position < older_than)
    rows = list(
        connection.execute(query.order_by(history.c.position.desc()).limit(limit + 1))
    )
    entries = tuple(_entry(r) for r in rows[:limit])
    older = entries[-1].position if len(rows) > limit else None
    return HistoryPage(entries, older)
