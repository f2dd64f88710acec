"""The people read model: who holds which role in which consortium, and invitations.

Also the source of truth for read access: pages ask ``role_of`` before showing
anything of a consortium.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Index,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
)

from governance import events
from governance.values import MemberRole
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, delete_rows, update_rows
from projections.driver_reads import DriverRead

memberships = Table(
    "memberships",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("account_id", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("partner_id", String(36)),
    Column("since", UtcDateTime, nullable=False),
    # A person's consortia (the menu, the portfolio, the calendar across consortia):
    # without it every page scanned all the platform's memberships.
    Index("memberships_by_account", "account_id", "role"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("invitation_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("partner_id", String(36)),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    # Who accepted, and when (the coordinator sees it on the people page).
    Column("account_id", String(64)),
    Column("accepted_at", UtcDateTime),
)


@dataclass(frozen=True)
class MembershipRow:
    """A person's role in a consortium."""

    consortium_id: str
    account_id: str
    role: MemberRole
    partner_id: str | None
    since: datetime


@dataclass(frozen=True)
class InvitationRow:
    """An invitation and what became of it (pending, accepted, cancelled)."""

    invitation_id: str
    consortium_id: str
    role: MemberRole
    partner_id: str | None
    issued_at: datetime
    issued_by: str
    expires_at: datetime
    status: str
    account_id: str | None  # who accepted it
    accepted_at: datetime | None = None


class MembersProjection(Projection):
    """Memberships and invitations, per consortium."""

    name: ClassVar[str] = "members"
    tables: ClassVar[tuple[Table, ...]] = (memberships, invitations)

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterator[tuple[Table, dict[str, Any]]]:
        """The membership a grant replaces, if any."""
        for envelope in envelopes:
            e = envelope.event
            if isinstance(e, events.MembershipGranted):
                yield (
                    memberships,
                    {
                        "consortium_id": envelope.originator_id,
                        "account_id": e.account_id,
                    },
                )

    @on(events.MembershipGranted)
    def granted(
        self, connection: Connection, envelope: Envelope[events.MembershipGranted]
    ) -> None:
        e = envelope.event
        delete_rows(
            connection,
            memberships,
            {"consortium_id": envelope.originator_id, "account_id": e.account_id},
        )
        add_row(
            connection,
            memberships,
            {
                "consortium_id": envelope.originator_id,
                "account_id": e.account_id,
                "role": e.role.value,
                "partner_id": e.partner_id,
                "since": envelope.recorded_at,
            },
        )
        if e.invitation_id is not None:
            update_rows(
                connection,
                invitations,
                {"invitation_id": e.invitation_id},
                {
                    "status": "accepted",
                    "account_id": e.account_id,
                    "accepted_at": envelope.recorded_at,
                },
            )

    @on(events.MembershipRevoked)
    def revoked(
        self, connection: Connection, envelope: Envelope[events.MembershipRevoked]
    ) -> None:
        connection.execute(
            delete(memberships).where(
                memberships.c.consortium_id == envelope.originator_id,
                memberships.c.account_id == envelope.event.account_id,
            )
        )

    @on(events.InvitationIssued)
    def issued(
        self, connection: Connection, envelope: Envelope[events.InvitationIssued]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            invitations,
            {
                "invitation_id": e.invitation_id,
                "consortium_id": envelope.originator_id,
                "role": e.role.value,
                "partner_id": e.partner_id,
                "issued_at": envelope.recorded_at,
                "issued_by": envelope.actor_id,
                "expires_at": e.expires_at,
                "status": "pending",
                "account_id": None,
                "accepted_at": None,
            },
        )

    @on(events.InvitationCancelled)
    def cancelled(
        self, connection: Connection, envelope: Envelope[events.InvitationCancelled]
    ) -> None:
        update_rows(
            connection,
            invitations,
            {"invitation_id": envelope.event.invitation_id},
            {"status": "cancelled"},
        )


# Built once, run on the driver's cursor: every command's POST, fragment and API
# call asks it.
_ROLE = DriverRead(
    select(memberships).where(
        memberships.c.consortium_id == bindparam("consortium_id"),
        memberships.c.account_id == bindparam("account_id"),
    )
)


def role_of(
    connection: Connection, consortium_id: str, account_id: str
) -> MembershipRow | None:
    """The account's membership of the consortium, or None if it has none."""
    row = _ROLE.first(
        connection, {"consortium_id": consortium_id, "account_id": account_id}
    )
    if row is None:
        return None
    return MembershipRow(
        row.consortium_id,
        row.account_id,
        MemberRole(row.role),
        row.partner_id,
        row.since,
    )


def members_of(connection: Connection, consortium_id: str) -> list[MembershipRow]:
    """Everyone who holds a role in the consortium."""
    rows = connection.execute(
        select(memberships)
        .where(memberships.c.consortium_id == consortium_id)
        .order_by(memberships.c.role, memberships.c.since)
    )
    return [
        MembershipRow(
            r.consortium_id, r.account_id, MemberRole(r.role), r.partner_id, r.since
        )
        for r in rows
    ]


_MEMBER_COUNT = (
    select(func.count())
    .select_from(memberships)
    .where(memberships.c.consortium_id == bindparam("consortium_id"))
)


def member_count(connection: Connection, consortium_id: str) -> int:
    """How many roles the consortium's members hold (``members_of``'s length,
    counted by the database)."""
    return int(
        connection.execute(_MEMBER_COUNT, {"consortium_id": consortium_id}).scalar_one()
    )


def memberships_of_account(
    connection: Connection, account_id: str
) -> list[MembershipRow]:
    """Every role one person holds, across consortia (for their data export)."""
    rows = connection.execute(
        select(memberships)
        .where(memberships.c.account_id == account_id)
        .order_by(memberships.c.since)
    )
    return [
        MembershipRow(
            r.consortium_id, r.account_id, MemberRole(r.role), r.partner_id, r.since
        )
        for r in rows
    ]


def invitations_of(connection: Connection, consortium_id: str) -> list[InvitationRow]:
    """The consortium's invitations, newest first."""
    rows = connection.execute(
        select(invitations)
        .where(invitations.c.consortium_id == consortium_id)
        .order_by(invitations.c.issued_at.desc())
    )
    return [_invitation_row(r) for r in rows]


def invitation_by_id(
    connection: Connection, invitation_id: str
) -> InvitationRow | None:
    """One invitation, or None."""
    r = connection.execute(
        select(invitations).where(invitations.c.invitation_id == invitation_id)
    ).first()
    if r is None:
        return None
    return _invitation_row(r)


def _invitation_row(r: Any) -> InvitationRow:
    return InvitationRow(
        r.invitation_id,
        r.consortium_id,
        MemberRole(r.role),
        r.partner_id,
        r.issued_at,
        r.issued_by,
        r.expires_at,
        r.status,
        r.account_id,
        r.accepted_at,
    )
