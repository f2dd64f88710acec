"""What the disk and the database can do at best: the limits each figure is
compared with, measured in the same run, on the same disk or database, with the same
driver and durability settings as the application's stores.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg

from web.ops.storage import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from web.settings import Settings

RAW_TABLE = "bench_raw_inserts"


def _pg_url(settings: Settings) -> str:
    assert settings.database_url is not None  # noqa: S101 - callers check
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")


def raw_insert_transactions(
    settings: Settings, count: int, seconds: float
) -> tuple[int, float]:
    """Single-row insert transactions, one after the other: ``(done, seconds)``.

    SQLite: a file next to the event store, WAL, the ``synchronous`` level the event
    store's driver leaves (the default, FULL), autocommit connection as the
    ``eventsourcing`` recorder uses. PostgreSQL: the same database and the server's
    ``synchronous_commit``. Each row is about the size of a stored event.
    """
    payload = b"x" * 400
    if settings.database_url:
        with psycopg.connect(_pg_url(settings), autocommit=True) as connection:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} "
                "(id bigserial PRIMARY KEY, state bytea NOT NULL)"
            )
            try:
                return _timed_inserts(
                    lambda: _pg_insert(connection, payload), count, seconds
                )
            finally:
                connection.execute(f"DROP TABLE {RAW_TABLE}")
    path = settings.data_dir / "bench_raw.db"
    lite = sqlite3.connect(path, isolation_level=None)
    try:
        lite.execute("PRAGMA journal_mode=WAL")
        lite.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} "
            "(id INTEGER PRIMARY KEY, state BLOB NOT NULL)"
        )

        def insert() -> None:
            lite.execute("BEGIN")
            lite.execute(
                f"INSERT INTO {RAW_TABLE} (state) VALUES (?)",  # noqa: S608
                (payload,),
            )
            lite.execute("COMMIT")

        return _timed_inserts(insert, count, seconds)
    finally:
        lite.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _pg_insert(connection: psycopg.Connection[Any], payload: bytes) -> None:
    with connection.transaction():
        connection.execute(
            f"INSERT INTO {RAW_TABLE} (state) VALUES (%s)",  # noqa: S608
            (payload,),
        )


def _timed_inserts(insert: Any, count: int, seconds: float) -> tuple[int, float]:
    started = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - started < seconds:
        insert()
        done += 1
    return done, time.perf_counter() - started


@contextmanager
def _raw_rows(settings: Settings) -> Iterator[Iterator[tuple[Any, ...]]]:
    """Every stored event (position, id, version, topic, state), streamed."""
    if settings.database_url:
        with (
            psycopg.connect(_pg_url(settings)) as connection,
            connection.cursor(name="bench_raw_read") as cursor,
        ):
            cursor.itersize = 2000
            cursor.execute(
                "SELECT notification_id, originator_id, originator_version, topic, "  # noqa: S608
                f"state FROM {EVENTS_TABLE_POSTGRES} ORDER BY notification_id"
            )
            yield iter(cursor)
        return
    path = settings.data_dir / "events.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as lite:
        yield lite.execute(
            "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {EVENTS_TABLE_SQLITE} ORDER BY rowid"
        )


def raw_read(settings: Settings) -> tuple[int, float]:
    """Read the whole log in order, touching each record: ``(events, seconds)``."""
    started = time.perf_counter()
    count = 0
    with _raw_rows(settings) as rows:
        for row in rows:
            count += len(row[4]) > 0
    return count, time.perf_counter() - started


def raw_read_and_hash(settings: Settings) -> tuple[int, float]:
    """Read the whole log and SHA-256 each record: ``(events, seconds)``."""
    started = time.perf_counter()
    count = 0
    with _raw_rows(settings) as rows:
        for _position, originator_id, version, topic, state in rows:
            # One SHA-256 call over the record's fields, like the verifier's.
            hashlib.sha256(
                b"".join(
                    (
                        str(originator_id).encode(),
                        str(version).encode(),
                        topic.encode(),
                        bytes(state),
                    )
                )
            ).digest()
            count += 1
    return count, time.perf_counter() - started
