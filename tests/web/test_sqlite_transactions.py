"""The SQLite engines of the read models and the app state have real transactions.

Python 3.11's ``sqlite3`` begins a transaction only before INSERT/UPDATE/DELETE, so
DDL and the reads before a block's first write used to run in autocommit. A probe
(a plain ``sqlite3`` connection that does not wait: ``timeout=0``) shows who holds
the database's write lock without any timing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from web.faults import classify
from web.ops.storage import sqlite_engine


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "app.db"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (n INTEGER)"))
        connection.execute(text("INSERT INTO kept VALUES (1)"))
    yield engine
    engine.dispose()


def probe(path: Path) -> sqlite3.Connection:
    """A connection that fails at once instead of waiting for a lock."""
    return sqlite3.connect(path, timeout=0, isolation_level=None)


def can_take_write_lock(path: Path) -> bool:
    with closing(probe(path)) as other:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return False
        other.execute("ROLLBACK")
        return True


def tables(path: Path) -> set[str]:
    with closing(probe(path)) as other:
        rows = other.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def replace_then_fail(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE kept"))
        connection.execute(text("CREATE TABLE fresh (n INTEGER)"))
        raise RuntimeError("the process dies before the commit")


def test_a_failed_begin_block_rolls_its_ddl_back(engine: Engine, path: Path) -> None:
    with pytest.raises(RuntimeError):
        replace_then_fail(engine)

    assert tables(path) == {"kept"}
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT n FROM kept")) == 1


def test_a_begin_block_holds_the_write_lock_from_its_first_read(
    engine: Engine, path: Path
) -> None:
    with engine.begin() as connection:
        connection.scalar(text("SELECT count(*) FROM kept"))
        # What it read cannot change before it writes and commits.
        assert not can_take_write_lock(path)
    assert can_take_write_lock(path)


def test_a_begin_block_of_ddl_only_holds_the_write_lock(
    engine: Engine, path: Path
) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE fresh (n INTEGER)"))
        assert not can_take_write_lock(path)


def test_a_read_connection_leaves_the_write_lock_free(
    engine: Engine, path: Path
) -> None:
    with engine.connect() as connection:
        connection.scalar(text("SELECT count(*) FROM kept"))
        assert can_take_write_lock(path)


def test_a_read_connection_sees_one_snapshot_for_all_its_queries(
    engine: Engine, path: Path
) -> None:
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM kept")) == 1
        with closing(probe(path)) as other:
            other.execute("INSERT INTO kept VALUES (2)")  # committed at once
        assert connection.scalar(text("SELECT count(*) FROM kept")) == 1
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM kept")) == 2


def test_a_writer_waits_for_the_lock_another_process_holds(
    engine: Engine, path: Path
) -> None:
    outcome: list[object] = []

    def write() -> None:
        try:
            with engine.begin() as connection:
                total = connection.scalar(text("SELECT sum(n) FROM kept"))
                connection.execute(text("INSERT INTO kept VALUES (:n)"), {"n": total})
            outcome.append("written")
        except Exception as error:  # reported by the assertion
            outcome.append(error)

    with closing(probe(path)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO kept VALUES (10)")
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(0.3)
        assert writer.is_alive(), outcome  # waiting (busy timeout), not failed
        other.execute("COMMIT")
    writer.join(30)
    assert outcome == ["written"]
    with engine.connect() as connection:
        # It read after the other commit: 1 + 10, then its own 11.
        assert list(connection.scalars(text("SELECT n FROM kept ORDER BY rowid"))) == [
            1,
            10,
            11,
        ]


def test_a_write_block_that_cannot_have_the_lock_fails_as_sqlalchemy_says(
    engine: Engine, path: Path
) -> None:
    # The BEGIN goes straight to the driver: its failure is still SQLAlchemy's
    # OperationalError around the driver's (what the fault pages classify), and the
    # connection is usable once the lock is free.
    with closing(probe(path)) as other, engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA busy_timeout = 10")
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as raised:
            connection.begin()
        assert isinstance(raised.value.orig, sqlite3.OperationalError)
        assert "locked" in str(raised.value.orig)
        assert classify(raised.value) == "unavailable"
        assert not connection.in_transaction()
        other.execute("ROLLBACK")
        with connection.begin():
            connection.execute(text("INSERT INTO kept VALUES (2)"))
    assert can_take_write_lock(path)
    with engine.connect() as reader:
        assert list(reader.scalars(text("SELECT n FROM kept ORDER BY rowid"))) == [1, 2]
