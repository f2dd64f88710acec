"""Versioned table sets: a reshaped read model is built beside the old one.

Each version of a projection's tables (its *shape*, see ``fingerprint``) lives in a
table set of its own: the first set of a projection uses the tables' plain names,
every later shape the same names with a suffix of its fingerprint
(``commitments__3fa2b1c9``, indexes too). A set has its own tracking row, and a
state in ``projection_sets``: ``building`` (filled from the log, not read yet),
``current`` (the one pages read) and ``retired`` (replaced; still kept up to date
by any process of the older version, dropped only by ``projections prune``).

Projection code keeps naming its module-level ``Table`` objects: statements are
compiled with the plain names, and the engine renames them just before they reach
the database (``before_cursor_execute``), after the map of the connection's
execution option ``projection_tables`` (the writer's: this process's own sets; a
reader's: the current sets, see ``ReadSide``). A name is only renamed as a whole
identifier; no column of any read-model table may bear a table's name (checked).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    String,
    Table,
    Text,
    event,
    inspect,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from projections.base import Projection, metadata

OPTION = "projection_tables"

BUILDING = "building"
CURRENT = "current"
RETIRED = "retired"

sets = Table(
    "projection_sets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("fingerprint", String(64), primary_key=True),
    Column("suffix", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    # JSON: {plain table name: [physical name, [column names]]}, in creation order.
    Column("shape", Text, nullable=False),
)


def fingerprint(projection: Projection) -> str:
    """A digest of the shape of a projection's tables (columns, types, indexes)."""
    parts: list[str] = []
    for table in projection.tables:
        parts.append(f"table:{table.name}")
        for column in table.columns:
            parts.append(
                f"{column.name}:{column.type!r}:{column.nullable}:{column.primary_key}"
            )
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(f"index:{index.name}:{[c.name for c in index.columns]}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class TableSet:
    """One version of a projection's tables, as registered."""

    name: str
    fingerprint: str
    suffix: str
    state: str
    shape: dict[str, tuple[str, tuple[str, ...]]]

    @property
    def tracking_name(self) -> str:
        """Its row in ``projection_tracking`` (the plain set keeps the bare name)."""
        return f"{self.name}@{self.suffix}" if self.suffix else self.name

    def physical(self, plain: str) -> str:
        return f"{plain}__{self.suffix}" if self.suffix else plain

    def renames(self, projection: Projection) -> dict[str, str]:
        """Plain → physical names of its tables and their indexes (none if plain)."""
        if not self.suffix:
            return {}
        names: dict[str, str] = {}
        for table in projection.tables:
            names[table.name] = self.physical(table.name)
            for index in table.indexes:
                names[str(index.name)] = self.physical(str(index.name))
            for constraint in table.constraints:
                if constraint.name:
                    names[str(constraint.name)] = self.physical(str(constraint.name))
        return names

    def can_serve(self, projection: Projection) -> bool:
        """Whether ``projection``'s queries can read this set: every table and column
        they name is in it (types are not compared; indexes do not matter)."""
        for table in projection.tables:
            found = self.shape.get(table.name)
            if found is None or not {c.name for c in table.columns} <= set(found[1]):
                return False
        return True


def shape_of(projection: Projection, suffix: str) -> str:
    return json.dumps(
        {
            t.name: [
                f"{t.name}__{suffix}" if suffix else t.name,
                [c.name for c in t.columns],
            ]
            for t in projection.tables
        }
    )


def registered(connection: Connection, names: Iterable[str]) -> list[TableSet]:
    """The sets registered for these projections."""
    rows = connection.execute(select(sets).where(sets.c.name.in_(list(names))))
    found = []
    for row in rows:
        shape = {k: (v[0], tuple(v[1])) for k, v in json.loads(row.shape).items()}
        found.append(TableSet(row.name, row.fingerprint, row.suffix, row.state, shape))
    return found


def all_registered(connection: Connection) -> list[TableSet]:
    names = connection.scalars(select(sets.c.name).distinct()).all()
    return registered(connection, names)


def legacy_columns(connection: Connection, projection: Projection) -> str:
    """The shape of a set made before sets existed, read from the database."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    return json.dumps(
        {
            t.name: [t.name, [c["name"] for c in inspector.get_columns(t.name)]]
            for t in projection.tables
            if t.name in existing
        }
    )


def check_names(projections: Iterable[Projection]) -> None:
    """Refuse a column named like a read-model table (renaming would touch it)."""
    tables: set[str] = set()
    columns: set[str] = set()
    for projection in projections:
        for table in projection.tables:
            tables.add(table.name)
            columns |= {c.name for c in table.columns}
    clash = tables & columns
    if clash:
        raise TypeError(f"columns named like read-model tables: {sorted(clash)}")


# -- renaming at execution -----------------------------------------------------------


class Renames:
    """A map of plain → physical names and the statements it has renamed."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = dict(names)
        self._done: dict[str, str] = {}
        self._pattern = (
            re.compile(
                # A whole identifier, bare or quoted, never part of a longer one nor a
                # bound parameter's name (``%(x)s``, ``:x``).
                r'(?<![\w$"])(?<!%\()(?<!:)("?)('
                + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                + r')\1(?![\w$"])'
            )
            if names
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Renames) and other.names == self.names

    __hash__ = None  # type: ignore[assignment]

    def apply(self, statement: str) -> str:
        if self._pattern is None:
            return statement
        done = self._done.get(statement)
        if done is None:
            names = self.names
            done = self._pattern.sub(
                lambda m: f"{m.group(1)}{names[m.group(2)]}{m.group(1)}", statement
            )
            if len(self._done) > 5000:
                self._done.clear()
            self._done[statement] = done
        return done


NO_RENAMES = Renames({})


def _rename(
    connection: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    options = (
        context.execution_options
        if context is not None
        else connection.get_execution_options()
    )
    renames: Renames | None = options.get(OPTION)
    if renames:
        return renames.apply(statement), parameters
    return statement, parameters


def rename_tables(engine: Engine) -> None:
    """Let connections with a ``projection_tables`` option reach versioned tables."""
    if not event.contains(engine, "before_cursor_execute", _rename):
        event.listen(engine, "before_cursor_execute", _rename, retval=True)


def current_renames(
    connection: Connection, projections: Iterable[Projection]
) -> Renames:
    """The renames that make these projections' queries read their current sets."""
    chosen = list(projections)
    current = {
        s.name: s
        for s in registered(connection, [p.name for p in chosen])
        if s.state == CURRENT
    }
    names: dict[str, str] = {}
    for projection in chosen:
        found = current.get(projection.name)
        if found is not None and found.suffix:
            for table in projection.tables:
                if table.name in found.shape:
                    names[table.name] = found.shape[table.name][0]
    return Renames(names)


def reading_current(engine: Engine, projections: Iterable[Projection]) -> Engine:
    """``engine`` reading the current sets (for a tool without a ``ReadSide``)."""
    rename_tables(engine)
    try:
        with engine.connect() as connection:
            renames = current_renames(connection, projections)
    except SQLAlchemyError:  # no registry yet: the plain names
        renames = NO_RENAMES
    return engine.execution_options(**{OPTION: renames})


def drop_set(connection: Connection, found: TableSet) -> None:
    """Drop a set's tables by their physical names (children first)."""
    preparer = connection.dialect.identifier_preparer
    for physical, _ in reversed(list(found.shape.values())):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {preparer.quote(physical)}")
