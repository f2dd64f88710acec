"""Buffered projection writes behave as if each row had been written at once.

Inside a batch, ``add_row`` only collects rows; any statement that touches a table
with rows waiting writes them first, a row still waiting is changed, deleted or read
where it waits, and a failed batch leaves nothing behind. Runs on SQLite and on
PostgreSQL, with tables of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
)

from projections.buffer import (
    add_row,
    buffered_writes,
    delete_rows,
    find_row,
    update_rows,
    watch_writes,
)
from web.ops.storage import sqlalchemy_url, sqlite_engine

own = MetaData()
parents = Table(
    "buffer_test_parents",
    own,
    Column("parent_id", String(8), primary_key=True),
    Column("name", String(20), nullable=False),
    Column("count", Integer),
)
children = Table(
    "buffer_test_children",
    own,
    Column("parent_id", String(8), ForeignKey(parents.c.parent_id), primary_key=True),
    Column("rank", Integer, primary_key=True),
)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        engine = create_engine(sqlalchemy_url(request.getfixturevalue("postgres_url")))
    else:
        engine = sqlite_engine(tmp_path / "buffer.db")
    watch_writes(engine)
    own.create_all(engine)
    yield engine
    engine.dispose()


def test_rows_wait_until_the_batch_ends(engine: Engine) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        for n in range(3):
            add_row(connection, parents, {"parent_id": f"p{n}", "name": f"n{n}"})
        assert buffer.pending
        buffer.flush(connection)
        assert not buffer.pending
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(parents)) == 3


def test_a_read_sees_the_rows_written_before_it(engine: Engine) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "a", "name": "A"})
        add_row(connection, parents, {"parent_id": "b", "name": "B"})
        names = list(connection.scalars(select(parents.c.name).order_by("name")))
        assert names == ["A", "B"]
        assert not buffer.pending


def test_a_waiting_row_is_changed_deleted_and_read_where_it_waits(
    engine: Engine,
) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "a", "name": "A"})
        add_row(connection, parents, {"parent_id": "b", "name": "B"})
        assert update_rows(connection, parents, {"parent_id": "a"}, {"count": 2}) == 1
        assert find_row(connection, parents, {"parent_id": "a"}) == {
            "parent_id": "a",
            "name": "A",
            "count": 2,
        }
        assert delete_rows(connection, parents, {"parent_id": "b"}) == 1
        assert find_row(connection, parents, {"parent_id": "b"}) is None
        assert len(buffer.pending[parents]) == 1  # still waiting: no statement
        buffer.flush(connection)
    with engine.connect() as connection:
        rows = connection.execute(select(parents)).all()
        assert [tuple(r) for r in rows] == [("a", "A", 2)]


def test_rows_written_earlier_are_changed_in_the_database(engine: Engine) -> None:
    with engine.begin() as connection:
        add_row(connection, parents, {"parent_id": "old", "name": "Old"})
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "new", "name": "New"})
        assert update_rows(connection, parents, {"parent_id": "old"}, {"count": 1}) == 1
        assert find_row(connection, parents, {"parent_id": "old"}) == {
            "parent_id": "old",
            "name": "Old",
            "count": 1,
        }
        assert (
            update_rows(connection, parents, {"parent_id": "none"}, {"count": 1}) == 0
        )
        assert update_rows(connection, parents, {"name": "New"}, {"count": 5}) == 1
        buffer.flush(connection)
    with engine.connect() as connection:
        rows = connection.execute(select(parents).order_by("parent_id")).all()
        assert [tuple(r) for r in rows] == [("new", "New", 5), ("old", "Old", 1)]


def test_parents_are_written_before_their_children(engine: Engine) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "a", "name": "A"})
        add_row(connection, children, {"parent_id": "a", "rank": 1})
        add_row(connection, parents, {"parent_id": "b", "name": "B"})
        add_row(connection, children, {"parent_id": "b", "rank": 1})
        # Reading the children writes the waiting parents first (foreign keys).
        assert connection.scalar(select(func.count()).select_from(children)) == 2
        assert not buffer.pending


def _failing_batch(engine: Engine) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "a", "name": "A"})
        buffer.flush(connection)
        add_row(connection, parents, {"parent_id": "b", "name": "B"})
        raise RuntimeError("the batch fails")


def test_a_failed_batch_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError):
        _failing_batch(engine)
    with engine.begin() as connection:
        assert connection.scalar(select(func.count()).select_from(parents)) == 0
        add_row(connection, parents, {"parent_id": "c", "name": "C"})  # at once
        assert connection.scalar(select(func.count()).select_from(parents)) == 1
