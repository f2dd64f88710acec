"""The audit chain: every stored event hashed and chained to the one before it.

What is hashed is the record *as stored* (originator id, version, topic and the
state bytes), through a canonical, length-prefixed encoding, so the chain commits to
what is on disk and a rebuild gives the same chain, byte for byte:

- ``record_hash = SHA-256("consortium-ledger:record:v1\\0" || len‖originator_id ||
  len‖version || len‖topic || len‖state)``, each length an 8-byte big-endian
  count of the bytes after it, the originator id in its canonical UUID text form and
  the version in decimal;
- ``chain_hash[n] = SHA-256(chain_hash[n-1] || position[n] || record_hash[n])``, the
  position as 8 bytes big-endian, and 32 zero bytes before the first event.

A record hash leaves the position out on purpose: the verifier recognises an event
that moved (reordered, shifted by an insertion) by its record hash. The chain and the
Merkle leaves (``position || record_hash``) put the position back in.

The checkpoints read model lists the platform's signed checkpoints and who
countersigned them, for the audit page and the sealer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.utils import get_topic
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
)

from governance.events import CheckpointCountersigned, CheckpointSealed
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row
from projections.merkle import MerkleAccumulator

RECORD_DOMAIN = b"consortium-ledger:record:v1\x00"
GENESIS = bytes(32)
CHECKPOINT_TOPICS = (get_topic(CheckpointSealed), get_topic(CheckpointCountersigned))

audit_chain = Table(
    "audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("topic", String(255), nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("checkpoint_id", String(36), primary_key=True),
    Column("position", BigInteger, nullable=False, index=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),
    Column("chain_head", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("sealed_at", UtcDateTime, nullable=False),
    Column("recorded_at_position", BigInteger, nullable=False),
)

audit_countersignatures = Table(
    "audit_countersignatures",
    metadata,
    Column(
        "checkpoint_id",
        String(36),
        ForeignKey("audit_checkpoints.checkpoint_id"),
        primary_key=True,
    ),
    Column("consortium_id", String(36), primary_key=True),
    Column("financer_id", String(64), primary_key=True),
    Column("countersigned_at", UtcDateTime, nullable=False),
    Column("position", Integer, nullable=False),
)


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def record_hash(
    originator_id: str, originator_version: int, topic: str, state: bytes
) -> bytes:
    """The SHA-256 of one stored record's canonical encoding (see the module doc)."""
    return hashlib.sha256(
        b"".join(
            (
                RECORD_DOMAIN,
                _field(originator_id.encode()),
                _field(str(originator_version).encode()),
                _field(topic.encode()),
                _field(state),
            )
        )
    ).digest()


def chain_link(previous: bytes, position: int, hashed_record: bytes) -> bytes:
    """The chain hash of the record at ``position`` following ``previous``."""
    return hashlib.sha256(
        previous + position.to_bytes(8, "big") + hashed_record
    ).digest()


def merkle_leaf(position: int, hashed_record: bytes) -> bytes:
    """The Merkle leaf of a record: its position and record hash."""
    return position.to_bytes(8, "big") + hashed_record


class AuditChainProjection(Projection):
    """One row per stored event, whatever its type, chained to the previous one."""

    name = "audit_chain"
    tables = (audit_chain,)
    batched = True  # nothing else reads the chain while projecting

    def __init__(self) -> None:
        # The position and head of the last link this instance wrote. The head at
        # a position is a function of the log up to it, so whoever committed the
        # chain's link at that position wrote this head: when the chain is there
        # (``after``), its head need not be read (a statement, on PostgreSQL a
        # round trip, of every command's catching up). A batch rolled back, or
        # another process's, leaves the chain elsewhere, and it is read.
        self._written: tuple[int, bytes] | None = None

    def apply(self, connection: Connection, envelope: Envelope[Any]) -> None:
        self.apply_batch(connection, [envelope])

    def apply_batch(
        self,
        connection: Connection,
        envelopes: Sequence[Envelope[Any]],
        *,
        after: int | None = None,
    ) -> None:
        """Chain the events in order: the head is read once (or known), the rows
        written in one multi-row insert (a rebuild writes thousands of links per
        statement)."""
        written = self._written
        if after is not None and written is not None and written[0] == after:
            head = written[1]
        else:
            previous = connection.execute(
                select(audit_chain.c.chain_hash)
                .order_by(audit_chain.c.position.desc())
                .limit(1)
            ).scalar()
            head = bytes.fromhex(previous) if previous else GENESIS
        rows = []
        for envelope in envelopes:
            stored = envelope.stored
            if stored is None:
                raise ValueError(
                    "the audit chain needs the stored record of each event"
                )
            hashed = record_hash(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                stored.state,
            )
            head = chain_link(head, envelope.position, hashed)
            rows.append(
                {
                    "position": envelope.position,
                    "originator_id": stored.originator_id,
                    "originator_version": stored.originator_version,
                    "topic": stored.topic,
                    "record_hash": hashed.hex(),
                    "chain_hash": head.hex(),
                }
            )
        if rows:
            connection.execute(insert(audit_chain), rows)
            self._written = (envelopes[-1].position, head)


class CheckpointsProjection(Projection):
    """The signed checkpoints and their countersignatures."""

    name = "audit_checkpoints"
    tables = (audit_checkpoints, audit_countersignatures)

    @on(CheckpointSealed)
    def _sealed(
        self, connection: Connection, envelope: Envelope[CheckpointSealed]
    ) -> None:
        event = envelope.event
        add_row(
            connection,
            audit_checkpoints,
            {
                "checkpoint_id": envelope.originator_id,
                "position": event.position,
                "tree_size": event.tree_size,
                "root": event.root,
                "chain_head": event.chain_head,
                "signature": event.signature,
                "key_id": event.key_id,
                "public_key": event.public_key,
                "sealed_at": envelope.recorded_at,
                "recorded_at_position": envelope.position,
            },
        )

    @on(CheckpointCountersigned)
    def _countersigned(
        self, connection: Connection, envelope: Envelope[CheckpointCountersigned]
    ) -> None:
        event = envelope.event
        add_row(
            connection,
            audit_countersignatures,
            {
                "checkpoint_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "financer_id": event.financer_id,
                "countersigned_at": envelope.recorded_at,
                "position": envelope.position,
            },
        )


# -- queries ------------------------------------------------------------------------


class ChainLink(NamedTuple):
    """One row of the chain read model (a tuple: ``audit verify`` makes one per
    event, and a frozen dataclass costs several times as much to build)."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    record_hash: str
    chain_hash: str


@dataclass(frozen=True)
class CheckpointRow:
    """A signed checkpoint as the read model holds it."""

    checkpoint_id: str
    position: int
    tree_size: int
    root: str
    chain_head: str
    signature: str
    key_id: str
    public_key: str
    sealed_at: datetime
    recorded_at_position: int


@dataclass(frozen=True)
class Summary:
    """The Merkle root and chain head of the chain up to a position."""

    position: int
    tree_size: int
    root: str
    chain_head: str


def iter_chain(
    connection: Connection,
    *,
    after: int = 0,
    up_to: int | None = None,
    batch: int = 5000,
) -> Iterator[ChainLink]:
    """Every chain row after ``after`` (up to ``up_to``) in order, read in batches."""
    while True:
        query = select(audit_chain).where(audit_chain.c.position > after)
        if up_to is not None:
            query = query.where(audit_chain.c.position <= up_to)
        rows = connection.execute(
            query.order_by(audit_chain.c.position).limit(batch)
        ).all()
        yield from map(ChainLink._make, rows)
        if len(rows) < batch:
            return
        after = rows[-1].position


def link_hashes(
    connection: Connection, *, up_to: int, batch: int = 5000
) -> Iterator[tuple[int, str, str]]:
    """Every chain row's ``(position, record hash, chain hash)`` up to ``up_to``,
    in order, read in batches (memory stays flat however long the chain).

    ``audit verify`` reads one per event, so the driver's rows are given as they
    come: SQLAlchemy's own rows cost as much as the rest of verify's work beside
    the hashing. The statement still goes through the connection's ``execute``,
    so that the table is the one of this version's table set.
    """
    columns = (
        audit_chain.c.position,
        audit_chain.c.record_hash,
        audit_chain.c.chain_hash,
    )
    after = 0
    while True:
        result = connection.execute(
            select(*columns)
            .where(audit_chain.c.position > after, audit_chain.c.position <= up_to)
            .order_by(audit_chain.c.position)
            .limit(batch)
        )
        rows: Sequence[tuple[int, str, str]] = result.cursor.fetchall()
        result.close()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


def chain_head(connection: Connection) -> tuple[int, str] | None:
    """The last chained position and its chain hash, or None for an empty chain."""
    row = connection.execute(
        select(audit_chain.c.position, audit_chain.c.chain_hash)
        .order_by(audit_chain.c.position.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.position), str(row.chain_hash))


def summarise(connection: Connection, up_to: int | None = None) -> Summary | None:
    """The Merkle root and chain head of the chain up to ``up_to`` (default: all)."""
    accumulator = MerkleAccumulator()
    last: ChainLink | None = None
    for link in iter_chain(connection):
        if up_to is not None and link.position > up_to:
            break
        accumulator.add(merkle_leaf(link.position, bytes.fromhex(link.record_hash)))
        last = link
    if last is None:
        return None
    return Summary(
        last.position, accumulator.size, accumulator.root().hex(), last.chain_hash
    )


def checkpoints(connection: Connection) -> list[CheckpointRow]:
    """Every checkpoint, newest first."""
    rows = connection.execute(
        select(audit_checkpoints).order_by(audit_checkpoints.c.position.desc())
    )
    return [CheckpointRow(*row) for row in rows]


def checkpoint(connection: Connection, checkpoint_id: str) -> CheckpointRow | None:
    """One checkpoint, or None."""
    row = connection.execute(
        select(audit_checkpoints).where(
            audit_checkpoints.c.checkpoint_id == checkpoint_id
        )
    ).first()
    return None if row is None else CheckpointRow(*row)


def countersignatures(
    connection: Connection, checkpoint_id: str, *, consortium_id: str
) -> list[str]:
    """The financer ids who countersigned a checkpoint for one consortium, in order.

    A checkpoint covers the whole platform, but who vouched for it is each
    consortium's own business: consortium B's pages and exports never name A's
    financers, hence the consortium is not optional here.
    """
    return list(
        connection.scalars(
            select(audit_countersignatures.c.financer_id)
            .where(
                audit_countersignatures.c.checkpoint_id == checkpoint_id,
                audit_countersignatures.c.consortium_id == consortium_id,
            )
            .order_by(audit_countersignatures.c.position)
        )
    )


def countersigned_in(
    connection: Connection, consortium_id: str
) -> dict[str, list[str]]:
    """``{checkpoint_id: [financer_id, …]}`` of one consortium's countersignatures,
    each list in the order they were recorded."""
    rows = connection.execute(
        select(
            audit_countersignatures.c.checkpoint_id,
            audit_countersignatures.c.financer_id,
        )
        .where(audit_countersignatures.c.consortium_id == consortium_id)
        .order_by(audit_countersignatures.c.position)
    )
    found: dict[str, list[str]] = {}
    for checkpoint_id, financer_id in rows:
        found.setdefault(str(checkpoint_id), []).append(str(financer_id))
    return found


def grown_since(connection: Connection, position: int) -> bool:
    """Whether the chain holds an event after ``position`` other than checkpoints.

    Checkpoint events themselves do not call for a new checkpoint, or each one
    would call for the next.
    """
    count = connection.execute(
        select(func.count())
        .select_from(audit_chain)
        .where(
            audit_chain.c.position > position,
            audit_chain.c.topic.not_in(CHECKPOINT_TOPICS),
        )
    ).scalar_one()
    return bool(count)
