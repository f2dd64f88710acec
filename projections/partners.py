"""The partners read model: every organisation of every consortium, withdrawn ones too.

Feeds the partners table with its filters and the partner mix by kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import Column, Connection, Date, String, Table, Text, func, select

from governance import events
from governance.values import AuthorityLevel, Paper, PartnerKind, PartnerRole
from projections.base import Envelope, Projection, metadata, on
from projections.buffer import add_row, update_rows

partners = Table(
    "partners",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("authority_level", String(32)),
    Column("siret", String(14), nullable=False),
    Column("rna", String(10), nullable=False),
    Column("role", String(16), nullable=False),
    Column("axis", Text, nullable=False),
    Column("paper", String(32), nullable=False),
    Column("paper_signed_on", Date),
    Column("joined_on", Date, nullable=False),
    Column("withdrawn_on", Date),
    Column("withdrawal_reason", Text, nullable=False),
)


@dataclass(frozen=True)
class PartnerRow:
    """One partner as the partners page shows it."""

    partner_id: str
    consortium_id: str
    name: str
    kind: PartnerKind
    authority_level: AuthorityLevel | None
    siret: str
    rna: str
    role: PartnerRole
    axis: str
    paper: Paper
    paper_signed_on: date | None
    joined_on: date
    withdrawn_on: date | None
    withdrawal_reason: str

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass(frozen=True)
class PartnerFilter:
    """What the partners table may be narrowed to."""

    kind: PartnerKind | None = None
    role: PartnerRole | None = None
    include_withdrawn: bool = True
    only_withdrawn: bool = False
    text: str = ""


class PartnersProjection(Projection):
    """One row per partner, updated by each partner event."""

    name: ClassVar[str] = "partners"
    tables: ClassVar[tuple[Table, ...]] = (partners,)

    @on(events.PartnerJoined)
    def joined(
        self, connection: Connection, envelope: Envelope[events.PartnerJoined]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            partners,
            {
                "partner_id": e.partner_id,
                "consortium_id": envelope.originator_id,
                "name": e.name,
                "kind": e.kind.value,
                "authority_level": e.authority_level.value
                if e.authority_level
                else None,
                "siret": e.siret,
                "rna": e.rna,
                "role": e.role.value,
                "axis": e.axis,
                "paper": e.paper.value,
                "paper_signed_on": e.paper_signed_on,
                "joined_on": e.joined_on,
                "withdrawn_on": None,
                "withdrawal_reason": "",
            },
        )

    @on(events.PartnerRoleChanged)
    def role_changed(
        self, connection: Connection, envelope: Envelope[events.PartnerRoleChanged]
    ) -> None:
        self._update(
            connection, envelope.event.partner_id, role=envelope.event.role.value
        )

    @on(events.PartnerAxisChanged)
    def axis_changed(
        self, connection: Connection, envelope: Envelope[events.PartnerAxisChanged]
    ) -> None:
        self._update(connection, envelope.event.partner_id, axis=envelope.event.axis)

    @on(events.PartnerPaperRecorded)
    def paper_recorded(
        self, connection: Connection, envelope: Envelope[events.PartnerPaperRecorded]
    ) -> None:
        e = envelope.event
        self._update(
            connection, e.partner_id, paper=e.paper.value, paper_signed_on=e.signed_on
        )

    @on(events.PartnerWithdrew)
    def withdrew(
        self, connection: Connection, envelope: Envelope[events.PartnerWithdrew]
    ) -> None:
        e = envelope.event
        self._update(
            connection, e.partner_id, withdrawn_on=e.on, withdrawal_reason=e.reason
        )

    @staticmethod
    def _update(connection: Connection, partner_id: str, **values: object) -> None:
        update_rows(connection, partners, {"partner_id": partner_id}, values)


def _row(r: object) -> PartnerRow:
    m = r._mapping  # type: ignore[attr-defined]
    return PartnerRow(
        partner_id=m["partner_id"],
        consortium_id=m["consortium_id"],
        name=m["name"],
        kind=PartnerKind(m["kind"]),
        authority_level=AuthorityLevel(m["authority_level"])
        if m["authority_level"]
        else None,
        siret=m["siret"],
        rna=m["rna"],
        role=PartnerRole(m["role"]),
        axis=m["axis"],
        paper=Paper(m["paper"]),
        paper_signed_on=m["paper_signed_on"],
        joined_on=m["joined_on"],
        withdrawn_on=m["withdrawn_on"],
        withdrawal_reason=m["withdrawal_reason"],
    )


def partners_of(
    connection: Connection, consortium_id: str, where: PartnerFilter | None = None
) -> list[PartnerRow]:
    """The consortium's partners: lead first, then by name; active before withdrawn."""
    where = where or PartnerFilter()
    query = select(partners).where(partners.c.consortium_id == consortium_id)
    if where.kind is not None:
        query = query.where(partners.c.kind == where.kind.value)
    if where.role is not None:
        query = query.where(partners.c.role == where.role.value)
    if not where.include_withdrawn:
        query = query.where(partners.c.withdrawn_on.is_(None))
    if where.only_withdrawn:
        query = query.where(partners.c.withdrawn_on.is_not(None))
    if where.text.strip():
        pattern = f"%{where.text.strip().lower()}%"
        query = query.where(
            func.lower(partners.c.name).like(pattern)
            | func.lower(partners.c.axis).like(pattern)
        )
    rows = [_row(r) for r in connection.execute(query)]
    role_rank = {PartnerRole.LEAD: 0, PartnerRole.PARTNER: 1, PartnerRole.ASSOCIATED: 2}
    return sorted(rows, key=lambda p: (not p.active, role_rank[p.role], p.name.lower()))


def partner(
    connection: Connection, consortium_id: str, partner_id: str
) -> PartnerRow | None:
    """One partner of the consortium, or None."""
    row = connection.execute(
        select(partners).where(
            partners.c.consortium_id == consortium_id,
            partners.c.partner_id == partner_id,
        )
    ).first()
    return _row(row) if row is not None else None


def partner_mix(rows: list[PartnerRow]) -> list[tuple[PartnerKind, int]]:
    """Active partners counted by kind, in the typology's order."""
    counts = Counter(p.kind for p in rows if p.active)
    return [(kind, counts[kind]) for kind in PartnerKind if counts[kind]]
