"""Buffered writes: a batch's inserted rows written together, at the latest moment.

Building and compiling one Core statement per row costs far more than the SQL
itself. During a batch the runtime opens a buffer on the connection: ``add_row``
collects inserted rows per table, and they are written with one prebuilt
``insert(table)`` and a list of rows (executemany) when the batch ends, or earlier,
as soon as any statement touches a table with rows waiting (a read sees every row
written before it, as if each had been inserted at once). Without a buffer (a
projection applied on its own) a row is inserted at once.

``update_rows``, ``delete_rows`` and ``find_row`` go through prebuilt statements and
change, drop or read a row where it waits when it is still in the buffer.

Rows a batch will look up by primary key can be loaded before it, one statement per
table (``prefetch_rows``): the buffer then holds each such row as the database has
it, or knows it is missing, and answers ``find_row`` (and a ``delete_rows`` or
``update_rows`` of a missing row) without a statement. The helpers keep what it
holds in step with what they write; any other statement that may change a table
drops what is held of it. On PostgreSQL each look-up saved is a round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Delete,
    Engine,
    Insert,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    event,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.ddl import sort_tables
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.util import find_tables

T = TypeVar("T")
_BUFFER = "projection_row_buffer"
_INSERTS: dict[Table, Insert] = {}
_UPDATES: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], Update] = {}


@dataclass
class RowBuffer:
    """Rows waiting to be inserted, per table in order, and per-batch lookups."""

    pending: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    by_key: dict[tuple[Table, tuple[Any, ...]], dict[str, Any]] = field(
        default_factory=dict
    )
    caches: dict[str, dict[Any, Any]] = field(default_factory=dict)
    # Tables with a waiting row not indexed by its primary key (none today).
    unindexed: set[Table] = field(default_factory=set)
    # Rows loaded before the batch, by primary key, as the database has them (None:
    # no such row); only where no row waits under the same key.
    held: dict[tuple[Table, tuple[Any, ...]], dict[str, Any] | None] = field(
        default_factory=dict
    )
    held_tables: set[Table] = field(default_factory=set)
    # Set while running a statement known not to touch any waiting row.
    bypass: bool = False

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.pending.setdefault(table, []).append(row)
        key = _primary_key(table)
        if key and all(c in row for c in key):
            self.by_key[table, tuple(row[c] for c in key)] = row
        else:
            self.unindexed.add(table)

    def lookup(
        self, table: Table, where: Mapping[str, Any]
    ) -> tuple[bool, dict[str, Any] | None]:
        """Whether ``where`` names one row by its whole primary key, and if so the
        waiting row it names (None: no waiting row can match ``where``)."""
        key = _primary_key(table)
        if (
            not key
            or len(where) != len(key)
            or table in self.unindexed
            or any(c not in where for c in key)
        ):
            return False, None
        return True, self.by_key.get((table, tuple(where[c] for c in key)))

    def holds(
        self, table: Table, where: Mapping[str, Any]
    ) -> tuple[bool, dict[str, Any] | None]:
        """Whether the row ``where`` names by its whole primary key is held, and if
        so the row (None: known to be missing)."""
        if table not in self.held_tables:
            return False, None
        key = tuple(where[c] for c in _primary_key(table))
        if (table, key) not in self.held:
            return False, None
        return True, self.held[table, key]

    def forget(self, tables: set[Table] | None) -> None:
        """Drop what is held of these tables (all if None): a statement that may
        change them ran."""
        dropped = (
            set(self.held_tables)
            if tables is None
            else self.held_tables.intersection(tables)
        )
        if not dropped:
            return
        self.held = {k: v for k, v in self.held.items() if k[0] not in dropped}
        self.held_tables -= dropped

    def remove(self, table: Table, row: dict[str, Any]) -> None:
        """Forget a waiting row (deleted before it was written)."""
        rows = self.pending[table]
        for i, candidate in enumerate(rows):
            if candidate is row:
                del rows[i]
                break
        if not rows:
            del self.pending[table]
        key = _primary_key(table)
        self.by_key.pop((table, tuple(row[c] for c in key)), None)

    def run(self, connection: Connection, statement: Any, parameters: Any) -> Any:
        """Execute a statement that touches no waiting row, leaving them waiting."""
        self.bypass = True
        try:
            return connection.execute(statement, parameters)
        finally:
            self.bypass = False

    def flush(self, connection: Connection, tables: set[Table] | None = None) -> None:
        """Write the waiting rows (of ``tables`` and the tables they may refer to)."""
        if not self.pending:
            return
        if tables is None:
            chosen = list(self.pending)
        else:
            # A touched table and the tables it refers to (foreign keys), so that
            # parents are written before their children.
            chosen = [t for t in self.pending if not _needing(t).isdisjoint(tables)]
            if not chosen:
                return
        chosen = _parents_first(chosen)
        for table in chosen:
            rows = self.pending.pop(table)
            key = _primary_key(table)
            held = table in self.held_tables
            for row in rows:
                named = (table, tuple(row[c] for c in key))
                self.by_key.pop(named, None)
                if held and named in self.held:
                    self.held[named] = _whole(table, row)
            if not _has_defaults(table):
                # A row patched while waiting may have gained columns: given every
                # column (None where the row has none, as the table has no
                # defaults), the rows are one executemany, not one per run.
                width = len(table.columns)
                rows = [r if len(r) == width else _whole(table, r) for r in rows]
            # One executemany per run of rows with the same columns, in order.
            start = 0
            for end in range(1, len(rows) + 1):
                if end == len(rows) or rows[end].keys() != rows[start].keys():
                    self._insert(connection, table, rows[start:end])
                    start = end

    def _insert(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]]
    ) -> None:
        """Insert rows of the same columns: the driver's executemany with the
        statement compiled once and each value through its column type's bind
        processor, as SQLAlchemy's own executemany does, without building its
        per-row parameter structures (most of a rebuild's write time)."""
        plan = _plan(connection.dialect, table, tuple(rows[0]))
        if plan is None:
            statement = _INSERTS.get(table)
            if statement is None:
                statement = _INSERTS[table] = insert(table)
            self.run(connection, statement, rows)
            return
        names, processors, sql, positional = plan
        processed = [(i, p) for i, p in enumerate(processors) if p is not None]
        values: list[Any] = [[row[n] for n in names] for row in rows]
        for value in values:
            for i, process in processed:
                value[i] = process(value[i])
        if positional:
            values = [tuple(value) for value in values]
        else:
            values = [dict(zip(names, value, strict=True)) for value in values]
        self.bypass = True
        try:
            connection.exec_driver_sql(sql, values)
        finally:
            self.bypass = False


def _whole(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with every column (those not given are None: no column defaults)."""
    return {c.name: row.get(c.name) for c in table.columns}


_DEFAULTS: dict[Table, bool] = {}


def _has_defaults(table: Table) -> bool:
    """Whether a column of ``table`` has a default of its own (Python or server
    side), which leaving it out of an insert would give (remembered)."""
    found = _DEFAULTS.get(table)
    if found is None:
        found = _DEFAULTS[table] = any(
            c.default is not None
            or c.server_default is not None
            or c.onupdate is not None
            or c.server_onupdate is not None
            for c in table.columns
        ) or (table.autoincrement_column is not None)
    return found


Plan = tuple[tuple[str, ...], tuple[Any, ...], str, bool]
_PLANS: dict[tuple[str, Table, tuple[str, ...]], Plan | None] = {}


def _plan(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Plan | None:
    """How to insert rows of these columns with the driver: the value keys in the
    order of the compiled statement's parameters, their bind processors, the SQL,
    and whether its parameters are positional (remembered). None where the
    statement needs more than that (parameter names escaped, column defaults):
    SQLAlchemy's executemany then."""
    key = (dialect.name, table, columns)
    if key in _PLANS:
        return _PLANS[key]
    plan: Plan | None = None
    if not any(c.default is not None or c.onupdate is not None for c in table.c):
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        if compiled.positional:
            names = tuple(compiled.binds[n].key for n in compiled.positiontup or ())
        else:
            names = tuple(columns)
        escaped = compiled.escaped_bind_names
        if escaped:
            raise NotImplementedError(f"escaped parameter names in {table.name}")
        processors = tuple(
            table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
        )
        plan = _PLANS[key] = (names, processors, compiled.string, compiled.positional)
    return plan


_KEYS: dict[Table, tuple[str, ...]] = {}


def _primary_key(table: Table) -> tuple[str, ...]:
    key = _KEYS.get(table)
    if key is None:
        key = _KEYS[table] = tuple(c.name for c in table.primary_key.columns)
    return key


_SORTED: dict[frozenset[Table], list[Table]] = {}
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
                for t in table.metadata.sorted_tables
                if any(fk.column.table is table for fk in t.foreign_keys)
            }
        )
        _CHILDREN[table] = found
    return found


def _parents_first(tables: list[Table]) -> list[Table]:
    """The tables in foreign-key order (remembered per set of tables)."""
    if len(tables) < 2:
        return tables
    key = frozenset(tables)
    ordered = _SORTED.get(key)
    if ordered is None:
        ordered = _SORTED[key] = list(sort_tables(tables))
    return ordered


def _flush_before(
    connection: Connection,
    clause: Any,
    multiparams: Any,
    params: Any,
    execution_options: Any,
) -> None:
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None or buffer.bypass or not (buffer.pending or buffer.held_tables):
        return
    if isinstance(clause, ClauseElement) and not isinstance(clause, TextClause):
        tables = _tables_of(clause)
        buffer.flush(connection, tables)
        if not isinstance(clause, Select):
            buffer.forget(tables)
    else:
        buffer.flush(connection)
        buffer.forget(None)


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

    Returns the number of rows matched. A row still waiting in the batch's buffer,
    named by its primary key, is changed where it waits (no statement at all).
    """
    key = (table, tuple(where), tuple(values))
    statement = _UPDATES.get(key)
    if statement is None:
        statement = _UPDATES[key] = (
            update(table)
            .where(_where(table, where))
            .values({c: bindparam(f"v_{c}") for c in values})
        )
    parameters = _parameters(where)
    parameters.update({f"v_{c}": v for c, v in values.items()})
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is not None:
        by_key, row = buffer.lookup(table, where)
        if by_key and not any(c in values for c in _primary_key(table)):
            if row is not None:
                row.update(values)
                return 1
            known, held = buffer.holds(table, where)
            if known and held is None:
                return 0
            rowcount: int = buffer.run(connection, statement, parameters).rowcount
            if held is not None:
                held.update(values)
            return rowcount
    rowcount = connection.execute(statement, parameters).rowcount
    return rowcount


_DELETES: dict[tuple[Table, tuple[str, ...]], Delete] = {}
_SELECTS: dict[tuple[Table, tuple[str, ...]], Select[Any]] = {}


def _where(table: Table, where: Mapping[str, Any]) -> ColumnElement[bool]:
    return and_(*(table.c[c] == bindparam(f"w_{c}") for c in where))


def _parameters(where: Mapping[str, Any]) -> dict[str, Any]:
    return {f"w_{c}": v for c, v in where.items()}


def delete_rows(connection: Connection, table: Table, where: Mapping[str, Any]) -> int:
    """``DELETE FROM table WHERE column = value …`` through a prebuilt statement.

    A row still waiting in the batch's buffer, named by its primary key, is simply
    not written. Returns the number of rows deleted.
    """
    key = (table, tuple(where))
    statement = _DELETES.get(key)
    if statement is None:
        statement = _DELETES[key] = delete(table).where(_where(table, where))
    parameters = _parameters(where)
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is not None:
        by_key, row = buffer.lookup(table, where)
        if by_key:
            if row is not None:
                buffer.remove(table, row)
                return 1
            known, held = buffer.holds(table, where)
            if known and held is None:
                return 0
            rowcount: int = buffer.run(connection, statement, parameters).rowcount
            if known:
                buffer.held[table, tuple(where[c] for c in _primary_key(table))] = None
            return rowcount
    rowcount = connection.execute(statement, parameters).rowcount
    return rowcount


def discard_waiting(
    connection: Connection, table: Table, where: Mapping[str, Any]
) -> int:
    """Forget the rows of ``table`` waiting in the batch's buffer where column =
    value … (any columns): for rows known to be nowhere else, a delete without a
    statement. Returns how many were waiting."""
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None:
        return 0
    matching = [
        row
        for row in buffer.pending.get(table, ())
        if all(row.get(c) == v for c, v in where.items())
    ]
    for row in matching:
        buffer.remove(table, row)
    return len(matching)


def find_row(
    connection: Connection, table: Table, where: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The row of ``table`` where column = value … (the first one), or None.

    A row still waiting in the batch's buffer is read where it waits, with every
    column (those not given are None, as the table has no column defaults).
    """
    key = (table, tuple(where))
    statement = _SELECTS.get(key)
    if statement is None:
        statement = _SELECTS[key] = select(table).where(_where(table, where))
    parameters = _parameters(where)
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is not None:
        by_key, row = buffer.lookup(table, where)
        if by_key:
            if row is not None:
                return _whole(table, row)
            known, held = buffer.holds(table, where)
            if known:
                return None if held is None else dict(held)
            found = buffer.run(connection, statement, parameters).first()
            return None if found is None else dict(found._mapping)
    found = connection.execute(statement, parameters).first()
    return None if found is None else dict(found._mapping)


def found_or_added(
    connection: Connection,
    table: Table,
    key: Mapping[str, Any],
    defaults: Mapping[str, Any],
) -> Mapping[str, Any]:
    """The row of ``table`` with this primary key, added with ``defaults`` (the
    other columns) when it is missing: a running total's line."""
    row = find_row(connection, table, key)
    if row is not None:
        return row
    added = {**key, **defaults}
    add_row(connection, table, added)
    return added


KEYS_PER_STATEMENT = 500


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` by ``KEYS_PER_STATEMENT``: the keys of one ``IN (…)`` each."""
    for start in range(0, len(values), KEYS_PER_STATEMENT):
        yield values[start : start + KEYS_PER_STATEMENT]


def prefetch_rows(
    connection: Connection, table: Table, keys: Iterable[Mapping[str, Any]]
) -> None:
    """Load the rows of ``table`` these primary keys name into the batch's buffer,
    in one statement per 500 keys, so that looking them up (``find_row``) needs
    none; a key without a row is known to be missing. Nothing without a buffer.

    Call it before the batch writes to ``table`` (rows already waiting under one of
    these keys are left as they are). The keys must be the column values as the
    database returns them: should a row come back under a key not asked for (a
    value of another type), nothing of the table is held.
    """
    buffer: RowBuffer | None = connection.info.get(_BUFFER)
    if buffer is None:
        return
    names = _primary_key(table)
    wanted = list(
        dict.fromkeys(
            named
            for named in (tuple(k[c] for c in names) for k in keys)
            if (table, named) not in buffer.by_key and (table, named) not in buffer.held
        )
    )
    if len(wanted) < 2:
        return  # one look-up costs what its loading would
    columns = tuple(table.c[c] for c in names)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for chunk in in_chunks(wanted):
        condition = (
            columns[0].in_([k[0] for k in chunk])
            if len(columns) == 1
            else tuple_(*columns).in_(chunk)
        )
        for row in buffer.run(connection, select(table).where(condition), None):
            values = dict(row._mapping)
            found[tuple(values[c] for c in names)] = values
    asked = set(wanted)
    if not asked.issuperset(found):
        return
    for named in wanted:
        buffer.held[table, named] = found.get(named)
    buffer.held_tables.add(table)
