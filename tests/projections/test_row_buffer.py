"""Buffered projection writes behave as if each row had been written at once.

Inside a batch, ``add_row`` only collects rows; any statement that touches a table
with rows waiting writes them first, a row still waiting is changed, deleted or read
where it waits, and a failed batch leaves nothing behind. Rows loaded before the
batch (``prefetch_rows``) answer look-ups without a statement and stay as the
database has them. Runs on SQLite and on PostgreSQL, with tables of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    event,
    func,
    select,
    update,
)

from projections.buffer import (
    add_row,
    buffered_writes,
    delete_rows,
    discard_waiting,
    find_row,
    prefetch_rows,
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


class Statements:
    """The statements an engine runs, as the database receives them."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *args: Any) -> None:
        self.seen.append(" ".join(str(args[2]).split()))

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


def _three_parents(engine: Engine) -> None:
    with engine.begin() as connection:
        for name in ("a", "b", "c"):
            add_row(connection, parents, {"parent_id": name, "name": name.upper()})


def test_prefetched_rows_are_read_without_a_statement(engine: Engine) -> None:
    _three_parents(engine)
    statements = Statements(engine)
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        prefetch_rows(
            connection, parents, [{"parent_id": p} for p in ("a", "c", "x", "a")]
        )
        mark = len(statements.seen)
        assert find_row(connection, parents, {"parent_id": "c"}) == {
            "parent_id": "c",
            "name": "C",
            "count": None,
        }
        assert find_row(connection, parents, {"parent_id": "x"}) is None
        # Missing, and known to be: nothing to change nor delete, and no statement.
        assert update_rows(connection, parents, {"parent_id": "x"}, {"count": 1}) == 0
        assert delete_rows(connection, parents, {"parent_id": "x"}) == 0
        assert statements.since(mark) == []
        # A row not loaded is looked up as before.
        assert find_row(connection, parents, {"parent_id": "b"}) is not None
        assert len(statements.since(mark)) == 1
        buffer.flush(connection)


def test_a_prefetched_row_follows_what_the_batch_writes(engine: Engine) -> None:
    _three_parents(engine)
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        prefetch_rows(connection, parents, [{"parent_id": p} for p in ("a", "b", "x")])
        assert update_rows(connection, parents, {"parent_id": "a"}, {"count": 7}) == 1
        assert find_row(connection, parents, {"parent_id": "a"}) == {
            "parent_id": "a",
            "name": "A",
            "count": 7,
        }
        assert delete_rows(connection, parents, {"parent_id": "b"}) == 1
        assert find_row(connection, parents, {"parent_id": "b"}) is None
        # A missing row added, then written by a read of its table: found again.
        add_row(connection, parents, {"parent_id": "x", "name": "X"})
        assert find_row(connection, parents, {"parent_id": "x"})["name"] == "X"  # type: ignore[index]
        connection.scalar(select(func.count()).select_from(parents))
        assert not buffer.pending
        assert find_row(connection, parents, {"parent_id": "x"}) == {
            "parent_id": "x",
            "name": "X",
            "count": None,
        }
        buffer.flush(connection)
    with engine.connect() as connection:
        rows = connection.execute(select(parents).order_by("parent_id")).all()
        assert [tuple(r) for r in rows] == [
            ("a", "A", 7),
            ("c", "C", None),
            ("x", "X", None),
        ]


def test_any_other_write_to_the_table_drops_what_is_held(engine: Engine) -> None:
    _three_parents(engine)
    statements = Statements(engine)
    with engine.begin() as connection, buffered_writes(connection):
        prefetch_rows(connection, parents, [{"parent_id": p} for p in ("a", "x")])
        connection.execute(update(parents).values(count=3))
        connection.execute(parents.insert().values(parent_id="x", name="Late"))
        mark = len(statements.seen)
        assert find_row(connection, parents, {"parent_id": "a"}) == {
            "parent_id": "a",
            "name": "A",
            "count": 3,
        }
        assert find_row(connection, parents, {"parent_id": "x"}) == {
            "parent_id": "x",
            "name": "Late",
            "count": None,
        }
        assert len(statements.since(mark)) == 2  # asked of the database again


def test_keys_of_another_type_than_the_stored_ones_hold_nothing(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        add_row(connection, parents, {"parent_id": "p", "name": "P"})
        add_row(connection, children, {"parent_id": "p", "rank": 1})
        add_row(connection, children, {"parent_id": "p", "rank": 2})
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        # On SQLite "1" matches the integer 1 and comes back as 1: not a key asked.
        prefetch_rows(
            connection,
            children,
            [{"parent_id": "p", "rank": "1"}, {"parent_id": "p", "rank": "2"}],
        )
        assert buffer.held == {}
        assert find_row(connection, children, {"parent_id": "p", "rank": 1}) == {
            "parent_id": "p",
            "rank": 1,
        }


def test_prefetching_outside_a_batch_or_one_key_costs_nothing(engine: Engine) -> None:
    _three_parents(engine)
    statements = Statements(engine)
    with engine.begin() as connection:
        mark = len(statements.seen)
        prefetch_rows(connection, parents, [{"parent_id": "a"}, {"parent_id": "b"}])
        with buffered_writes(connection) as buffer:
            prefetch_rows(connection, parents, [{"parent_id": "a"}])
            assert statements.since(mark) == []
            assert buffer.held == {}


def test_rows_that_gained_columns_while_waiting_are_written_together(
    engine: Engine,
) -> None:
    statements = Statements(engine)
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        for n in range(4):
            add_row(connection, parents, {"parent_id": f"p{n}", "name": f"n{n}"})
        # Patched while waiting: two of the rows gain a column the others lack.
        update_rows(connection, parents, {"parent_id": "p1"}, {"count": 1})
        update_rows(connection, parents, {"parent_id": "p3"}, {"count": 3})
        mark = len(statements.seen)
        buffer.flush(connection)
        assert len(statements.since(mark)) == 1  # one executemany, not four runs
    with engine.connect() as connection:
        assert connection.execute(
            select(parents.c.parent_id, parents.c.count).order_by(parents.c.parent_id)
        ).all() == [("p0", None), ("p1", 1), ("p2", None), ("p3", 3)]


def test_waiting_rows_are_discarded_by_any_columns_and_only_they(
    engine: Engine,
) -> None:
    with engine.begin() as connection, buffered_writes(connection) as buffer:
        add_row(connection, parents, {"parent_id": "p", "name": "P"})
        add_row(connection, parents, {"parent_id": "q", "name": "Q"})
        buffer.flush(connection)
        for rank in range(3):
            add_row(connection, children, {"parent_id": "p", "rank": rank})
        add_row(connection, children, {"parent_id": "q", "rank": 0})
        statements = Statements(engine)
        assert discard_waiting(connection, children, {"parent_id": "p"}) == 3
        assert statements.seen == []  # nothing asked of the database
        assert find_row(connection, children, {"parent_id": "p", "rank": 1}) is None
        assert discard_waiting(connection, children, {"parent_id": "p"}) == 0
        buffer.flush(connection)
    with engine.connect() as connection:
        # Outside a batch nothing waits.
        assert discard_waiting(connection, children, {"parent_id": "q"}) == 0
        assert connection.execute(select(children)).all() == [("q", 0)]
