"""What every projection is: a name, the tables it owns, and one handler per event.

A projection only reshapes facts into rows; it decides nothing. Handlers receive the
open SQLAlchemy connection of the batch's transaction, so rows and the tracking
position commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Update,
    and_,
    bindparam,
    event,
    insert,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.util import find_tables
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )


tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)


@dataclass(frozen=True)
class StoredRecord:
    """An event as the store holds it: the bytes the audit chain hashes."""

    originator_id: str
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Envelope:
    """An event with where it sits in the log and when it was recorded.

    ``stored`` is the record as stored (the audit chain hashes those bytes, not a
    re-encoding of the event, so that the chain commits to what is on disk).
    """

    position: int
    event: Any
    stored: StoredRecord | None = None

    @property
    def originator_id(self) -> str:
        return str(self.event.originator_id)

    @property
    def actor_id(self) -> str:
        return str(getattr(self.event, "actor_id", ""))

    @property
    def recorded_at(self) -> datetime:
        timestamp: datetime = self.event.timestamp
        return timestamp


Handler = Callable[[Any, Connection, Envelope], None]
H = TypeVar("H", bound=Handler)


class Projection:
    """Base class: subclasses list their tables and register handlers with ``on``."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for attribute in vars(cls).values():
            for event_type in getattr(attribute, "_handles", ()):
                cls.handlers[event_type] = attribute

    batched: ClassVar[bool] = False
    """True for a projection that reads no other projection's tables and whose
    tables no other projection reads: it gets each batch at once (``apply_batch``)."""

    def apply_batch(
        self, connection: Connection, envelopes: Sequence[Envelope]
    ) -> None:
        """Apply several events in order (a batched projection writes them at once)."""
        for envelope in envelopes:
            self.apply(connection, envelope)

    def apply(self, connection: Connection, envelope: Envelope) -> None:
        """Apply one event; events without a handler change nothing."""
        handler = self.handlers.get(type(envelope.event))
        if handler is not None:
            handler(self, connection, envelope)


def on(*event_types: type) -> Callable[[H], H]:
    """Mark a projection method as the handler of these event types."""

    def mark(method: H) -> H:
        method._handles = event_types  # type: ignore[attr-defined]
        return method

    return mark


# -- buffered writes ------------------------------------------------------------------
#
# Building and compiling one Core statement per row costs far more than the SQL
# itself. During a batch the runtime opens a buffer on the connection: ``add_row``
# collects inserted rows per table, and they are written with one prebuilt
# ``insert(table)`` and a list of rows (executemany) when the batch ends, or earlier,
# as soon as any statement touches a table with rows waiting (a read sees every row
# written before it, as if each had been inserted at once). Without a buffer (a
# projection applied on its own) a row is inserted at once.

_BUFFER = "projection_row_buffer"
_INSERTS: dict[Table, Insert] = {}
_UPDATES: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], Update] = {}


@dataclass
class RowBuffer:
    """Rows waiting to be inserted, per table in order, and per-batch lookups."""

    pending: dict[Table, list[tuple[tuple[str, ...], list[dict[str, Any]]]]] = field(
        default_factory=dict
    )
    caches: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        runs = self.pending.setdefault(table, [])
        keys = tuple(row)
        # Rows with the same columns share one executemany; order is kept.
        if runs and runs[-1][0] == keys:
            runs[-1][1].append(row)
        else:
            runs.append((keys, [row]))

    def flush(self, connection: Connection, tables: set[Table] | None = None) -> None:
        """Write the waiting rows (of ``tables`` and the tables they may refer to)."""
        if not self.pending:
            return
        order = _table_order()
        if tables is None:
            chosen = list(self.pending)
        else:
            # A touched table and the tables it refers to (foreign keys), so that
            # parents are written before their children.
            chosen = [t for t in self.pending if not _needing(t).isdisjoint(tables)]
            if not chosen:
                return
        chosen.sort(key=lambda t: order.get(t, len(order)))
        for table in chosen:
            runs = self.pending.pop(table)
            statement = _INSERTS.get(table)
            if statement is None:
                statement = _INSERTS[table] = insert(table)
            for _, rows in runs:
                connection.execute(statement, rows)


_ORDER: dict[Table, int] = {}
_CHILDREN: dict[Table, frozenset[Table]] = {}


def _needing(table: Table) -> frozenset[Table]:
    """The tables a statement may touch only once ``table``'s rows are written:
    itself and the tables referring to it (a child's row needs its parent's)."""
    found = _CHILDREN.get(table)
    if found is None:
        found = frozenset(
            {table}
            | {
                t
                for t in metadata.sorted_tables
                if any(fk.column.table is table for fk in t.foreign_keys)
            }
        )
        _CHILDREN[table] = found
    return found


def _table_order() -> dict[Table, int]:
    if len(_ORDER) != len(metadata.tables):
        _ORDER.clear()
        _ORDER.update({t: i for i, t in enumerate(metadata.sorted_tables)})
    return _ORDER


def _flush_before(
    connection: Connection,
    clause: Any,
    multiparams: Any,
    params: Any,
    execution_options: Any,
) -> None:
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None or not buffer.pending:
        return
    if isinstance(clause, ClauseElement) and not isinstance(clause, TextClause):
        buffer.flush(connection, _tables_of(clause))
    else:
        buffer.flush(connection)


_TABLES: dict[Any, set[Any]] = {}


def _tables_of(clause: ClauseElement) -> set[Any]:
    """The tables a statement reads or writes, remembered per statement shape (the
    cache key SQLAlchemy computes anyway, memoised on the statement, to compile it)."""
    cache_key = clause._generate_cache_key()
    if cache_key is not None:
        known = _TABLES.get(cache_key.key)
        if known is not None:
            return known
    tables: set[Any] = set(
        find_tables(
            clause,
            check_columns=True,
            include_aliases=True,
            include_joins=True,
            include_selects=True,
            include_crud=True,
        )
    )
    if cache_key is not None:
        if len(_TABLES) > 2000:
            _TABLES.clear()
        _TABLES[cache_key.key] = tables
    return tables


def watch_writes(engine: Engine) -> None:
    """Let buffered rows be written before any statement that touches their table."""
    if not event.contains(engine, "before_execute", _flush_before):
        event.listen(engine, "before_execute", _flush_before)


@contextmanager
def buffered_writes(connection: Connection) -> Iterator[RowBuffer]:
    """Collect ``add_row`` rows on this connection; the caller flushes at the end.

    The engine must be watched (``watch_writes``) so reads see waiting rows. The
    buffer is dropped on the way out, flushed or not (a failed batch rolls back).
    """
    buffer = RowBuffer()
    connection.info[_BUFFER] = buffer
    try:
        yield buffer
    finally:
        connection.info.pop(_BUFFER, None)


def add_row(connection: Connection, table: Table, row: dict[str, Any]) -> None:
    """Insert a row: at once, or with the batch's other rows when a buffer is open."""
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None:
        statement = _INSERTS.get(table)
        if statement is None:
            statement = _INSERTS[table] = insert(table)
        connection.execute(statement, row)
    else:
        buffer.add(table, row)


def batch_cache(connection: Connection, name: str) -> dict[Any, Any]:
    """A lookup cache that lives as long as the batch's buffer (empty without one)."""
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None:
        return {}
    return buffer.caches.setdefault(name, {})


def update_rows(
    connection: Connection,
    table: Table,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
) -> int:
    """``UPDATE table SET values WHERE column = value …`` through a prebuilt statement.

    Returns the number of rows matched.
    """
    key = (table, tuple(where), tuple(values))
    statement = _UPDATES.get(key)
    if statement is None:
        statement = _UPDATES[key] = (
            update(table)
            .where(and_(*(table.c[c] == bindparam(f"w_{c}") for c in where)))
            .values({c: bindparam(f"v_{c}") for c in values})
        )
    parameters = {f"w_{c}": v for c, v in where.items()}
    parameters.update({f"v_{c}": v for c, v in values.items()})
    return connection.execute(statement, parameters).rowcount
