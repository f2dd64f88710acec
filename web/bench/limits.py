"""What the disk and the database can do at best: the limits each figure is
compared with, measured in the same run, on the same disk or database, with the same
driver and durability settings as the application's stores.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from projections.audit_chain import GENESIS, chain_link, merkle_leaf, record_hash
from projections.merkle import MerkleAccumulator
from web.ops.raw_log import RawStore
from web.ops.storage import Stores
from web.settings import Settings

RAW_TABLE = "bench_raw_inserts"


def _pg_url(settings: Settings) -> str:
    assert settings.database_url is not None  # noqa: S101 - callers check
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")


def raw_insert_transactions(
    settings: Settings, count: int, seconds: float, writers: int = 1
) -> tuple[int, float]:
    """Single-row insert transactions from ``writers`` connections at once (a thread
    each, one after the other on each): ``(done, seconds)``.

    SQLite: a file next to the event store, WAL, the ``synchronous`` level the event
    store's driver leaves (the default, FULL), autocommit connections as the
    ``eventsourcing`` recorder uses, waiting on the lock as it does. PostgreSQL: the
    same database and the server's ``synchronous_commit``, so that several writers
    share commits as the server allows (group commit). Each row is about the size of
    a stored event. ``count`` is shared by the writers.
    """
    payload = b"x" * 400
    if settings.database_url:
        url = _pg_url(settings)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} "
                "(id bigserial PRIMARY KEY, state bytea NOT NULL)"
            )
            try:
                return _writers(
                    lambda: psycopg.connect(url, autocommit=True),
                    lambda c: _pg_insert(c, payload),
                    count,
                    seconds,
                    writers,
                )
            finally:
                connection.execute(f"DROP TABLE {RAW_TABLE}")
    path = settings.data_dir / "bench_raw.db"

    def lite_connect() -> sqlite3.Connection:
        lite = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        lite.execute("PRAGMA journal_mode=WAL")
        return lite

    def lite_insert(lite: sqlite3.Connection) -> None:
        lite.execute("BEGIN IMMEDIATE")
        lite.execute(
            f"INSERT INTO {RAW_TABLE} (state) VALUES (?)",  # noqa: S608
            (payload,),
        )
        lite.execute("COMMIT")

    try:
        with closing(lite_connect()) as lite:
            lite.execute(
                f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} "
                "(id INTEGER PRIMARY KEY, state BLOB NOT NULL)"
            )
        return _writers(lite_connect, lite_insert, count, seconds, writers)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _pg_insert(connection: psycopg.Connection[Any], payload: bytes) -> None:
    with connection.transaction():
        connection.execute(
            f"INSERT INTO {RAW_TABLE} (state) VALUES (%s)",  # noqa: S608
            (payload,),
        )


C = TypeVar("C", psycopg.Connection[Any], sqlite3.Connection)


def _writers(
    connect: Callable[[], C],
    insert: Callable[[C], None],
    count: int,
    seconds: float,
    writers: int,
) -> tuple[int, float]:
    """``writers`` threads inserting, each on its own connection, until ``count``
    inserts are done in all or ``seconds`` have passed."""
    connections = [connect() for _ in range(writers)]
    lock = threading.Lock()
    left = [count]
    ready = threading.Barrier(writers + 1)
    deadline = [0.0]

    def work(connection: C) -> None:
        ready.wait()
        while time.perf_counter() < deadline[0]:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            insert(connection)

    threads = [threading.Thread(target=work, args=(c,)) for c in connections]
    try:
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        deadline[0] = started + seconds
        ready.wait()
        for thread in threads:
            thread.join()
        return count - left[0], time.perf_counter() - started
    finally:
        for connection in connections:
            connection.close()


def read_and_decode(stores: Stores) -> tuple[int, float]:
    """Read the whole log as the read models' rebuild does (batches of 2,000, each
    in a transaction of the read models' writer, through which PostgreSQL's log is
    read) and decode every event with the library's own mapper, doing nothing with
    it: ``(events, seconds)``, the least a rebuild can cost."""
    log = stores.read_side.log
    writer = stores.read_side.writer
    started = time.perf_counter()
    count = after = 0
    while True:
        with writer.begin() as connection:
            envelopes = log.read(after, 2000, connection)
        if not envelopes:
            break
        count += len(envelopes)
        after = envelopes[-1].position
    return count, time.perf_counter() - started


def mandatory_hashing(settings: Settings) -> tuple[int, float]:
    """Read the stored records as ``audit verify`` does and do only the hashing it
    cannot skip: each record's hash, its chain link and its Merkle leaf (the
    accumulator's node hashes included): ``(events, seconds)``."""
    started = time.perf_counter()
    count = 0
    head = GENESIS
    tree = MerkleAccumulator()
    with RawStore(settings).records() as records:
        for record in records:
            hashed = record_hash(
                record.originator_id,
                record.originator_version,
                record.topic,
                record.state,
            )
            head = chain_link(head, record.position, hashed)
            tree.add(merkle_leaf(record.position, hashed))
            count += 1
    return count, time.perf_counter() - started
