"""Prebuilt reads run on the driver's cursor: the statements every request asks.

SQLAlchemy's execution of a statement (its cache key looked up, an execution
context, a result object and its rows) costs 40–100 µs on this machine where the
driver's own work is a few: on the session's read and the page's facts, asked by
every page and every 304, that was half of a 304. A ``DriverRead`` is compiled once
per database and run through the connection's own cursor execution
(``Connection._cursor_execute``: its events, logging and error wrapping kept, so
that the statement is seen and its errors are SQLAlchemy's), its parameters and
columns converted by their types' own processors, as SQLAlchemy would convert them.
Those are SQLAlchemy's internals (pinned to 2.1 in ``pyproject.toml``): the tests
check the rows against SQLAlchemy's own execution on every store.

For a plain SELECT only: no expanding ``IN`` (bind a JSON list instead,
``projections.json_list``), no post-compile parameter. It runs outside any
transaction the connection has not begun: alone, as a single statement is, on the
driver's terms (SQLite: autocommit, one snapshot; PostgreSQL: the connection's
mode).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Connection, Select

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT of any columns."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order, positional drivers
    defaults: Mapping[str, Any]  # the values written in the statement (literals)
    binds: Mapping[str, Callable[[Any], Any]]
    types: Sequence[Any]  # the columns' SQLAlchemy types
    row: Callable[..., Any]  # a named tuple of the columns' keys


def _single(
    processors: Mapping[str, Callable[[Any], Any] | Sequence[Callable[[Any], Any]]],
) -> dict[str, Callable[[Any], Any]]:
    """The parameters' processors, one each (a tuple-typed parameter has several:
    not for a ``DriverRead``)."""
    found: dict[str, Callable[[Any], Any]] = {}
    for name, processor in processors.items():
        if not callable(processor):
            raise ValueError(f"a DriverRead takes no tuple parameter: {name}")
        found[name] = processor
    return found


class DriverRead:
    """One SELECT statement, run on the driver's cursor (see the module's text)."""

    def __init__(self, statement: AnySelect) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._results: dict[str, list[Callable[[Any], Any] | None]] = {}

    def _compile(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self.statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a DriverRead takes no expanding or literal parameter")
        escaped = compiled.escaped_bind_names
        if escaped:
            raise ValueError(f"parameter names the driver cannot take: {escaped}")
        keys = [column[0] for column in compiled._result_columns]
        made = _Compiled(
            str(compiled),
            tuple(compiled.positiontup) if compiled.positiontup is not None else None,
            {
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required
            },
            _single(compiled._bind_processors),
            [column[3] for column in compiled._result_columns],
            namedtuple("Row", keys, rename=True),
        )
        self._compiled[dialect.name] = made
        return made

    def _processors(
        self, connection: Connection, types: Sequence[Any], description: Sequence[Any]
    ) -> list[Callable[[Any], Any] | None]:
        # As the result's metadata does: each column's type's processor, given the
        # type the driver reports (PostgreSQL's OIDs; SQLite reports none).
        found: list[Callable[[Any], Any] | None] = [
            kind._cached_result_processor(connection.dialect, described[1])
            for kind, described in zip(types, description, strict=True)
        ]
        self._results[connection.dialect.name] = found
        return found

    def first(
        self, connection: Connection, parameters: Mapping[str, Any]
    ) -> Any | None:
        """The first row (a named tuple of the statement's column keys), or None."""
        compiled = self._compiled.get(connection.dialect.name) or self._compile(
            connection
        )
        values = {
            name: compiled.binds[name](value) if name in compiled.binds else value
            for name, value in {**compiled.defaults, **parameters}.items()
        }
        bound: Any = (
            values
            if compiled.positions is None
            else tuple(values[name] for name in compiled.positions)
        )
        cursor = connection.connection.cursor()
        try:
            connection._cursor_execute(cursor, compiled.sql, bound)
            row = cursor.fetchone()
            description = cursor.description
        finally:
            cursor.close()
        if row is None:
            return None
        processors = self._results.get(connection.dialect.name) or self._processors(
            connection, compiled.types, description
        )
        return compiled.row(
            *(
                value if convert is None else convert(value)
                for convert, value in zip(processors, row, strict=True)
            )
        )

    def one(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """The first row, for a statement that always gives one (counts, a page's
        facts); raises ``LookupError`` if it gave none."""
        row = self.first(connection, parameters)
        if row is None:
            raise LookupError("the statement gave no row")
        return row
