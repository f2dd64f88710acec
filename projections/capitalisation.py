"""The capitalisation read model: the register's entries and each one's history.

One row per entry with what it says now (its fields as JSON, so the four kinds share
a table), and one row per step (recorded, amended, withdrawn) with who, when, why and
what the entry said after it. Withdrawn entries stay, marked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
)

from governance import events
from governance.values import (
    AssetType,
    CapitalisationEntry,
    CapitalisationKind,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
)
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import add_row, update_rows

entries = Table(
    "capitalisation_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("entry_on", Date),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("amended_at", UtcDateTime),
    Column("withdrawn_at", UtcDateTime),
    Column("withdrawal_reason", Text, nullable=False),
)

steps = Table(
    "capitalisation_steps",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("entry_id", String(36), nullable=False, index=True),
    Column("step", String(16), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("content", Text, nullable=False),
)

ENTRY_TYPES: dict[CapitalisationKind, type[Any]] = {
    CapitalisationKind.LESSON: Lesson,
    CapitalisationKind.ASSET: ReusableAsset,
    CapitalisationKind.REPLICATION: Replication,
    CapitalisationKind.DISSEMINATION: Dissemination,
}
LIVE, WITHDRAWN, EVERY = "live", "withdrawn", "all"


def entry_to_json(entry: CapitalisationEntry) -> str:
    """An entry's fields as JSON: enums by value, dates in ISO form."""
    data: dict[str, Any] = {}
    for f in fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        data[f.name] = value
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(kind: CapitalisationKind, text: str) -> CapitalisationEntry:
    """The entry of ``kind`` that ``entry_to_json`` wrote."""
    data = json.loads(text)
    if "asset_type" in data:
        data["asset_type"] = AssetType(data["asset_type"])
    if "on" in data:
        data["on"] = date.fromisoformat(data["on"])
    entry: CapitalisationEntry = ENTRY_TYPES[kind](**data)
    return entry


@dataclass(frozen=True)
class CapitalisationRow:
    """One entry of the register, as it stands."""

    entry_id: str
    consortium_id: str
    kind: CapitalisationKind
    entry: CapitalisationEntry
    recorded_at: datetime
    recorded_by: str
    amended_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass(frozen=True)
class StepRow:
    """One step of an entry's history; ``entry`` is None for a withdrawal."""

    step: str
    recorded_at: datetime
    actor_id: str
    reason: str
    entry: CapitalisationEntry | None


class CapitalisationProjection(Projection):
    """The capitalisation register and each entry's history."""

    name: ClassVar[str] = "capitalisation"
    tables: ClassVar[tuple[Table, ...]] = (entries, steps)

    def _step(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        step: str,
        reason: str = "",
        content: str = "",
    ) -> None:
        add_row(
            connection,
            steps,
            {
                "position": envelope.position,
                "entry_id": envelope.originator_id,
                "step": step,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "reason": reason,
                "content": content,
            },
        )

    @on(*events.CAPITALISATION_RECORDED)
    def recorded(
        self, connection: Connection, envelope: Envelope[events.CapitalisationRecorded]
    ) -> None:
        e = envelope.event
        content = entry_to_json(e.entry)
        add_row(
            connection,
            entries,
            {
                "entry_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "position": envelope.position,
                "kind": e.entry.kind.value,
                "content": content,
                "entry_on": getattr(e.entry, "on", None),
                "recorded_at": envelope.recorded_at,
                "recorded_by": envelope.actor_id,
                "withdrawal_reason": "",
            },
        )
        self._step(connection, envelope, "recorded", content=content)

    @on(events.CapitalisationEntryAmended)
    def amended(
        self,
        connection: Connection,
        envelope: Envelope[events.CapitalisationEntryAmended],
    ) -> None:
        e = envelope.event
        content = entry_to_json(e.entry)
        update_rows(
            connection,
            entries,
            {"entry_id": envelope.originator_id},
            {
                "content": content,
                "entry_on": getattr(e.entry, "on", None),
                "amended_at": envelope.recorded_at,
            },
        )
        self._step(connection, envelope, "amended", e.reason, content)

    @on(events.CapitalisationEntryWithdrawn)
    def withdrawn(
        self,
        connection: Connection,
        envelope: Envelope[events.CapitalisationEntryWithdrawn],
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            entries,
            {"entry_id": envelope.originator_id},
            {"withdrawn_at": envelope.recorded_at, "withdrawal_reason": e.reason},
        )
        self._step(connection, envelope, "withdrawn", e.reason)


def _row(r: Any) -> CapitalisationRow:
    kind = CapitalisationKind(r.kind)
    return CapitalisationRow(
        r.entry_id,
        r.consortium_id,
        kind,
        entry_from_json(kind, r.content),
        r.recorded_at,
        r.recorded_by,
        r.amended_at,
        r.withdrawn_at,
        r.withdrawal_reason,
    )


def capitalisation_of(
    connection: Connection,
    consortium_id: str,
    *,
    kind: CapitalisationKind | None = None,
    status: str = LIVE,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[CapitalisationRow], int]:
    """A page of the register, newest first, and how many entries match in all.

    ``status`` is ``live`` (not withdrawn), ``withdrawn`` or ``all``.
    """
    where = [entries.c.consortium_id == consortium_id]
    if kind is not None:
        where.append(entries.c.kind == kind.value)
    if status == LIVE:
        where.append(entries.c.withdrawn_at.is_(None))
    elif status == WITHDRAWN:
        where.append(entries.c.withdrawn_at.is_not(None))
    total = connection.execute(
        select(func.count()).select_from(entries).where(*where)
    ).scalar_one()
    query = (
        select(entries)
        .where(*where)
        .order_by(entries.c.position.desc())
        .offset(offset)
        .limit(limit)
    )
    return [_row(r) for r in connection.execute(query)], int(total)


def capitalisation_counts(
    connection: Connection, consortium_id: str
) -> dict[CapitalisationKind, int]:
    """How many live entries of each kind the register holds."""
    counts = dict.fromkeys(CapitalisationKind, 0)
    for kind, count in connection.execute(
        select(entries.c.kind, func.count())
        .where(
            entries.c.consortium_id == consortium_id,
            entries.c.withdrawn_at.is_(None),
        )
        .group_by(entries.c.kind)
    ):
        counts[CapitalisationKind(kind)] = int(count)
    return counts


def capitalisation_entry(
    connection: Connection, consortium_id: str, entry_id: str
) -> CapitalisationRow | None:
    """One entry of this consortium's register (None if not there)."""
    row = connection.execute(
        select(entries).where(
            entries.c.entry_id == entry_id, entries.c.consortium_id == consortium_id
        )
    ).first()
    return _row(row) if row is not None else None


def steps_of_entry(connection: Connection, entry_id: str) -> list[StepRow]:
    """An entry's history, oldest first."""
    kind_text = connection.execute(
        select(entries.c.kind).where(entries.c.entry_id == entry_id)
    ).scalar_one_or_none()
    if kind_text is None:
        return []
    kind = CapitalisationKind(kind_text)
    return [
        StepRow(
            r.step,
            r.recorded_at,
            r.actor_id,
            r.reason,
            entry_from_json(kind, r.content) if r.content else None,
        )
        for r in connection.execute(
            select(steps).where(steps.c.entry_id == entry_id).order_by(steps.c.position)
        )
    ]
