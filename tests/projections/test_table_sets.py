"""A reshaped read model is built beside the old one and read once caught up.

"Version A" and "version B" of one projection (the same table, B with another
shape) run against one read store, each through an engine of its own, as two
processes of two releases would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    select,
)

from governance.application import Governance
from projections import runtime
from projections.base import Envelope, Projection
from projections.event_log import LibraryEventLog
from projections.runtime import ReadSide
from projections.table_sets import BUILDING, CURRENT, RETIRED
from web.ops.storage import sqlalchemy_url, sqlite_engine


class Memo(Aggregate):
    """An event no real projection handles: what the test projections count."""


notes_a = Table(
    "shape_notes",
    MetaData(),
    Column("position", Integer, primary_key=True),
    Column("written_by", String(8), nullable=False),
)
# Version B: the same columns, another type and an index (a reshape its queries
# can read from version A's table).
notes_b = Table(
    "shape_notes",
    MetaData(),
    Column("position", Integer, primary_key=True),
    Column("written_by", Text, nullable=False),
    Index("shape_notes_by_writer", "written_by"),
)
# Version C: a new column, which version A's table does not have.
notes_c = Table(
    "shape_notes",
    MetaData(),
    Column("position", Integer, primary_key=True),
    Column("written_by", String(8), nullable=False),
    Column("originator", String(64)),
)


class Notes(Projection):
    """Writes one row per event, saying which version wrote it."""

    name = "shape_notes"
    table: Table
    tables: tuple[Table, ...]

    def apply(self, connection: Connection, envelope: Envelope[Any]) -> None:
        connection.execute(
            self.table.insert().values(
                position=envelope.position, written_by=self.version
            )
        )

    @property
    def version(self) -> str:
        return type(self).__name__[-1]


class NotesA(Notes):
    table = notes_a
    tables = (notes_a,)


class NotesB(Notes):
    table = notes_b
    tables = (notes_b,)


class NotesC(Notes):
    table = notes_c
    tables = (notes_c,)


@pytest.fixture
def open_engine(
    tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Engine]]:
    """Opens engines on one read store (a process each)."""
    engines: list[Engine] = []
    url = None
    if store == "postgres":
        url = request.getfixturevalue("postgres_server").create_database()

    def opened() -> Engine:
        engine = (
            create_engine(sqlalchemy_url(url))
            if url
            else sqlite_engine(tmp_path / "read.db")
        )
        engines.append(engine)
        return engine

    yield opened
    for engine in engines:
        engine.dispose()
    if url:
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture
def start(
    app: Governance, open_engine: Callable[[], Engine]
) -> Callable[[Projection], ReadSide]:
    """Starts a "process" running one version of the projection."""

    def started(projection: Projection) -> ReadSide:
        read_side = ReadSide(
            open_engine(),
            LibraryEventLog(app.recorder, app.mapper),
            [projection],
            # Reads on a pool of their own (SQLite's attached reads) follow the sets.
            attached=open_engine(),
        )
        read_side.create_tables()
        return read_side

    return started


def shown(read_side: ReadSide, table: Table) -> list[str]:
    """What a page of that version shows: who wrote each row it reads (the same
    through its attached reads' engine)."""
    seen = []
    for engine in (read_side.engine, read_side.attached_engine):
        with engine.connect() as connection:
            statement = select(table.c.written_by).order_by(table.c.position)
            seen.append(list(connection.scalars(statement)))
    assert seen[0] == seen[1]
    return seen[0]


def memos(app: Governance, count: int) -> None:
    for _ in range(count):
        app.save(Memo())


def test_pages_show_the_old_set_until_the_new_one_has_caught_up(
    app: Governance,
    start: Callable[[Projection], ReadSide],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Readers look up the current set on every read while one is being built.
    monkeypatch.setattr(runtime, "READER_REFRESH_SECONDS", 0.0)
    # Given a store built by version A
    old = start(NotesA())
    memos(app, 5)
    old.catch_up()
    # When version B starts, beside it
    new = start(NotesB())
    # Then both versions still read A's rows, and B's set is being built
    assert new.sets()["shape_notes"].state == BUILDING
    assert shown(old, notes_a) == ["A"] * 5
    assert shown(new, notes_b) == ["A"] * 5
    # (as does another process of B's, which never catches up itself)
    reader = start(NotesB())
    assert shown(reader, notes_b) == ["A"] * 5
    # While B is halfway, A still applies new events to its own set
    for envelope in new.log.read(after=0, limit=2):
        new.apply("shape_notes", envelope)
    memos(app, 1)
    old.catch_up()
    assert new.positions()["shape_notes"] == 2
    assert shown(new, notes_b) == ["A"] * 6
    # Once B has caught up, B reads its own rows
    new.catch_up()
    assert new.sets()["shape_notes"].state == CURRENT
    assert shown(new, notes_b) == ["B"] * 6
    # And the pages of B's other process switch too
    assert shown(reader, notes_b) == ["B"] * 6
    assert reader.sets()["shape_notes"].state == CURRENT
    assert shown(start(NotesB()), notes_b) == ["B"] * 6


def tracked(read_side: ReadSide) -> list[str]:
    """The tracking names a page's statement binds, checked against the sets."""
    names: list[str] = json.loads(read_side.tracking_names())
    assert names == [s.tracking_name for s in read_side.sets().values()]
    return names


def test_the_tracking_names_follow_the_process_s_own_sets(
    app: Governance, open_engine: Callable[[], Engine]
) -> None:
    def unopened(projection: Projection) -> ReadSide:
        return ReadSide(
            open_engine(), LibraryEventLog(app.recorder, app.mapper), [projection]
        )

    old = unopened(NotesA())
    assert tracked(old) == []  # no tables yet: no set of its own
    old.create_tables()
    assert tracked(old) == ["shape_notes"]  # the first set keeps the plain name
    memos(app, 2)
    old.catch_up()
    new = unopened(NotesB())
    new.create_tables()
    building = tracked(new)
    assert building != tracked(old)
    new.catch_up()
    assert new.sets()["shape_notes"].state == CURRENT
    assert tracked(new) == building


def test_an_older_version_started_again_drops_nothing_and_moves_no_position_back(
    app: Governance, start: Callable[[Projection], ReadSide]
) -> None:
    old = start(NotesA())
    memos(app, 3)
    old.catch_up()
    new = start(NotesB())
    new.catch_up()
    reached = new.positions()["shape_notes"]
    # When version A starts again and catches up with new events
    again = start(NotesA())
    memos(app, 2)
    again.catch_up()
    # Then B's set is still there and current, at its position or past it
    assert again.sets()["shape_notes"].state == RETIRED
    assert new.positions()["shape_notes"] == reached
    new.catch_up()
    assert new.positions()["shape_notes"] == reached + 2
    assert shown(new, notes_b) == ["B"] * 5
    # And A keeps its own set up to date, and reads B's (which its queries can)
    assert again.positions()["shape_notes"] == reached + 2
    assert shown(again, notes_a) == ["B"] * 5


def test_a_version_that_cannot_read_the_old_set_reads_its_own_while_building(
    app: Governance, start: Callable[[Projection], ReadSide]
) -> None:
    old = start(NotesA())
    memos(app, 4)
    old.catch_up()
    new = start(NotesC())
    # C's queries name a column A's set lacks: C reads its own set, still empty
    assert shown(new, notes_c) == []
    assert shown(old, notes_a) == ["A"] * 4
    new.catch_up()
    assert shown(new, notes_c) == ["C"] * 4


def test_prune_drops_the_retired_set_only(
    app: Governance, start: Callable[[Projection], ReadSide]
) -> None:
    old = start(NotesA())
    memos(app, 2)
    old.catch_up()
    new = start(NotesB())
    new.catch_up()

    dropped = new.prune()

    assert [(s.name, s.suffix) for s in dropped] == [("shape_notes", "")]
    with new.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert "shape_notes" not in tables
    assert new.sets()["shape_notes"].physical("shape_notes") in tables
    assert shown(new, notes_b) == ["B"] * 2
    assert new.prune() == []


def test_prune_keeps_a_retired_set_its_own_process_still_writes(
    app: Governance, start: Callable[[Projection], ReadSide]
) -> None:
    old = start(NotesA())
    new = start(NotesB())
    memos(app, 1)
    new.catch_up()
    assert old.prune() == []  # run by a process of the old version: its own set
    assert new.prune() != []


def test_a_process_that_did_not_create_the_tables_uses_the_sets_its_version_registered(
    app: Governance,
    start: Callable[[Projection], ReadSide],
    open_engine: Callable[[], Engine],
) -> None:
    # On PostgreSQL one ReadSide creates the tables under the creation lock and the
    # process's own ReadSide uses them (web.ops.storage): it must write B's set.
    old = start(NotesA())
    memos(app, 2)
    old.catch_up()
    start(NotesB())  # registers and creates B's set, as under the lock
    process = ReadSide(
        open_engine(), LibraryEventLog(app.recorder, app.mapper), [NotesB()]
    )
    process.use_tables()
    process.catch_up()
    assert process.sets()["shape_notes"].state == CURRENT
    assert shown(process, notes_b) == ["B"] * 2
    assert shown(old, notes_a) == ["A"] * 2
