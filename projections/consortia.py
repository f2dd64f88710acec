"""The consortia read model: profile, call, phase and phase timeline of each one.

Feeds "my consortia" and the overview page. Lead partner and partner counts come
from the partners read model at query time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    Select,
    String,
    Table,
    Text,
    and_,
    bindparam,
    func,
    select,
)

from governance import events
from governance.values import CallForProjects, Phase
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import add_row, update_rows
from projections.members import memberships
from projections.partners import partners

consortia = Table(
    "consortia",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("acronym", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("territory", Text, nullable=False),
    Column("call_name", Text, nullable=False),
    Column("call_funder", Text, nullable=False),
    Column("call_reference", Text, nullable=False),
    Column("call_opens_on", Date),
    Column("call_closing_dates", Text, nullable=False),
    Column("call_url", Text, nullable=False),
    Column("phase", String(32), nullable=False),
    Column("phase_since", Date, nullable=False),
    Column("founded_on", Date, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

phases = Table(
    "consortium_phases",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("phase", String(32), nullable=False),
    Column("on", Date, nullable=False),
)


@dataclass(frozen=True)
class PhaseStep:
    """One step of a consortium's phase timeline."""

    phase: Phase
    on: date


@dataclass(frozen=True)
class ConsortiumDetails:
    """Everything the overview shows about one consortium."""

    consortium_id: str
    name: str
    acronym: str
    summary: str
    territory: str
    call: CallForProjects
    phase: Phase
    phase_since: date
    founded_on: date
    timeline: tuple[PhaseStep, ...]
    updated_at: datetime


@dataclass(frozen=True)
class ConsortiumRow:
    """A consortium in a list."""

    consortium_id: str
    name: str
    acronym: str
    phase: Phase
    lead_partner: str | None
    partner_count: int


def _call_columns(call: CallForProjects) -> dict[str, object]:
    return {
        "call_name": call.name,
        "call_funder": call.funder,
        "call_reference": call.reference,
        "call_opens_on": call.opens_on,
        "call_closing_dates": json.dumps([d.isoformat() for d in call.closing_dates]),
        "call_url": call.url,
    }


class ConsortiaProjection(Projection):
    """Keeps one row per consortium and its phase timeline."""

    name: ClassVar[str] = "consortia"
    tables: ClassVar[tuple[Table, ...]] = (consortia, phases)

    @on(events.ConsortiumFounded)
    def founded(
        self, connection: Connection, envelope: Envelope[events.ConsortiumFounded]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            consortia,
            {
                "consortium_id": envelope.originator_id,
                "name": e.name,
                "acronym": e.acronym,
                "summary": e.summary,
                "territory": e.territory,
                "phase": Phase.SETUP.value,
                "phase_since": e.founded_on,
                "founded_on": e.founded_on,
                "updated_at": envelope.recorded_at,
                **_call_columns(e.call),
            },
        )
        add_row(
            connection,
            phases,
            {
                "consortium_id": envelope.originator_id,
                "position": envelope.position,
                "phase": Phase.SETUP.value,
                "on": e.founded_on,
            },
        )

    @on(events.ProfileRevised)
    def revised(
        self, connection: Connection, envelope: Envelope[events.ProfileRevised]
    ) -> None:
        e = envelope.event
        self._update(
            connection,
            envelope,
            name=e.name,
            acronym=e.acronym,
            summary=e.summary,
            territory=e.territory,
            **_call_columns(e.call),
        )

    @on(events.PhaseChanged)
    def phase_changed(
        self, connection: Connection, envelope: Envelope[events.PhaseChanged]
    ) -> None:
        e = envelope.event
        self._update(connection, envelope, phase=e.phase.value, phase_since=e.on)
        add_row(
            connection,
            phases,
            {
                "consortium_id": envelope.originator_id,
                "position": envelope.position,
                "phase": e.phase.value,
                "on": e.on,
            },
        )

    @staticmethod
    def _update(
        connection: Connection, envelope: Envelope[LoggedEvent], **values: object
    ) -> None:
        update_rows(
            connection,
            consortia,
            {"consortium_id": envelope.originator_id},
            {"updated_at": envelope.recorded_at, **values},
        )


_PHASE = select(consortia.c.phase).where(
    consortia.c.consortium_id == bindparam("consortium_id")
)


def phase_of(connection: Connection, consortium_id: str) -> Phase | None:
    """The consortium's current phase, or None if there is no such consortium: for
    pages that only ask whether it is closed (``consortium_details`` reads all)."""
    value = connection.execute(_PHASE, {"consortium_id": consortium_id}).scalar()
    return None if value is None else Phase(value)


def consortium_details(
    connection: Connection, consortium_id: str
) -> ConsortiumDetails | None:
    """One consortium's overview, or None if there is no such consortium."""
    row = (
        connection.execute(
            select(consortia).where(consortia.c.consortium_id == consortium_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    steps = connection.execute(
        select(phases.c.phase, phases.c.on)
        .where(phases.c.consortium_id == consortium_id)
        .order_by(phases.c.position)
    )
    call = CallForProjects(
        name=row["call_name"],
        funder=row["call_funder"],
        reference=row["call_reference"],
        opens_on=row["call_opens_on"],
        closing_dates=tuple(
            date.fromisoformat(d) for d in json.loads(row["call_closing_dates"])
        ),
        url=row["call_url"],
    )
    return ConsortiumDetails(
        consortium_id=row["consortium_id"],
        name=row["name"],
        acronym=row["acronym"],
        summary=row["summary"],
        territory=row["territory"],
        call=call,
        phase=Phase(row["phase"]),
        phase_since=row["phase_since"],
        founded_on=row["founded_on"],
        timeline=tuple(PhaseStep(Phase(p), d) for p, d in steps),
        updated_at=row["updated_at"],
    )


def _listed() -> Select[Any]:
    """Consortia as lists show them: with the lead partner and the partner count."""
    active = partners.c.withdrawn_on.is_(None)
    count = (
        select(func.count())
        .where(
            partners.c.consortium_id == consortia.c.consortium_id,
            active,
        )
        .scalar_subquery()
    )
    lead = (
        select(partners.c.name)
        .where(
            partners.c.consortium_id == consortia.c.consortium_id,
            active,
            partners.c.role == "lead",
        )
        .limit(1)
        .scalar_subquery()
    )
    return select(
        consortia.c.consortium_id,
        consortia.c.name,
        consortia.c.acronym,
        consortia.c.phase,
        lead.label("lead"),
        count.label("partner_count"),
    )


def _row(r: Any) -> ConsortiumRow:
    return ConsortiumRow(
        r.consortium_id,
        r.name,
        r.acronym,
        Phase(r.phase),
        r.lead,
        int(r.partner_count),
    )


def consortia_of(connection: Connection, account_id: str) -> list[ConsortiumRow]:
    """The consortia this account belongs to, by name, with lead and partner count."""
    rows = connection.execute(
        _listed()
        .join(
            memberships,
            and_(
                memberships.c.consortium_id == consortia.c.consortium_id,
                memberships.c.account_id == account_id,
            ),
        )
        .order_by(func.lower(consortia.c.name))
    )
    return [_row(r) for r in rows]


def all_consortia(
    connection: Connection, *, offset: int = 0, limit: int = 50
) -> tuple[list[ConsortiumRow], int]:
    """A page of every consortium of the platform by name, and how many there are
    (for platform administrators)."""
    total = connection.scalar(select(func.count()).select_from(consortia)) or 0
    rows = connection.execute(
        _listed()
        .order_by(func.lower(consortia.c.name), consortia.c.consortium_id)
        .offset(offset)
        .limit(limit)
    )
    return [_row(r) for r in rows], int(total)
