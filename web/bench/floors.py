"""What the fixed choices allow a command, measured beside the application's own.

``commands/s through the service ÷ raw inserts`` has a goal of 0.25. Two floors say
how much of that the chosen pieces leave, on the same database in the same run:

- the event store alone: ``eventsourcing``'s application saving one event to a
  cached aggregate of one field (no domain rule, no read model);
- the event store and one read model caught up: the same, then a transaction of
  SQLAlchemy on the read models' database (a second file on SQLite) that updates
  one row and its tracking position, as every projection's catching up must.

Neither is the application: they are what a command of this architecture cannot go
under, whatever the domain does. Each is a figure of the table with the same goal,
so that the table says whether the goal is within the pieces' reach at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy import Engine, create_engine, text

from web.ops.storage import postgres_env, sqlalchemy_url, sqlite_engine
from web.settings import Settings

FLOOR_NAME = "BenchFloor"
"""The floor application's name: on PostgreSQL, its table is ``benchfloor_events``."""

_READ_TABLE = "bench_floor_counts"
_TRACKING_TABLE = "bench_floor_tracking"


class Counter(Aggregate):
    """An aggregate of one field, the least a command can change."""

    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self, note: str) -> None:
        """Record one more (``note`` about the size of a small event's fields)."""
        self.count += 1


class BenchFloor(Application[UUID]):
    """The event store of ``eventsourcing`` with nothing of ours."""

    name = FLOOR_NAME

    def start(self) -> UUID:
        """A new counter, saved."""
        counter = Counter()
        self.save(counter)
        return counter.id

    def count(self, counter_id: UUID) -> int:
        """One command: get the (cached) aggregate, change it, save its event."""
        counter: Counter = self.repository.get(counter_id)
        counter.count_one("x" * 200)
        self.save(counter)
        return counter.count


def _store_env(settings: Settings, directory: Path) -> dict[str, str]:
    env = {"AGGREGATE_CACHE_MAXSIZE": "100"}
    if settings.database_url:
        env.update(postgres_env(settings.database_url))
        env.pop("POSTGRES_PRE_PING")  # the floor: no round trip a command can skip
    else:
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(directory / "bench_floor_events.db"),
            }
        )
    return env


def _read_engine(settings: Settings, directory: Path) -> Engine:
    if settings.database_url:
        return create_engine(sqlalchemy_url(settings.database_url))
    return sqlite_engine(directory / "bench_floor_read.db")


def _rate(command: Callable[[], Any], count: int, seconds: float) -> float:
    done = 0
    started = time.perf_counter()
    while done < count and time.perf_counter() - started < seconds:
        command()
        done += 1
    return done / (time.perf_counter() - started)


def command_floors(
    settings: Settings, directory: Path, count: int, seconds: float
) -> tuple[float, float]:
    """Commands/s of the event store alone, then with one read model caught up
    after each command, each for at most ``count`` commands or ``seconds``.

    On SQLite the stores are files in ``directory``; on PostgreSQL, tables of the
    settings' database. Both are removed afterwards, and first (what a run killed
    before its end left)."""
    engine = _read_engine(settings, directory)
    _remove(settings, directory, engine)
    floor = BenchFloor(env=_store_env(settings, directory))
    try:
        counter_id = floor.start()
        alone = _rate(lambda: floor.count(counter_id), count, seconds)
        with engine.begin() as connection:
            connection.execute(
                text(f"CREATE TABLE {_READ_TABLE} (id VARCHAR(36) PRIMARY KEY, n INT)")
            )
            connection.execute(
                text(
                    f"CREATE TABLE {_TRACKING_TABLE} "
                    "(name VARCHAR(32) PRIMARY KEY, position BIGINT)"
                )
            )
            connection.execute(
                text(f"INSERT INTO {_READ_TABLE} VALUES (:id, 0)"),  # noqa: S608
                {"id": str(counter_id)},
            )
            connection.execute(
                text(f"INSERT INTO {_TRACKING_TABLE} VALUES ('floor', 0)")  # noqa: S608
            )

        def command_and_catch_up() -> None:
            position = floor.count(counter_id)
            with engine.begin() as connection:
                connection.execute(
                    text(f"UPDATE {_READ_TABLE} SET n = :n WHERE id = :id"),  # noqa: S608
                    {"n": position, "id": str(counter_id)},
                )
                connection.execute(
                    text(
                        f"UPDATE {_TRACKING_TABLE} SET position = :n "  # noqa: S608
                        "WHERE name = 'floor'"
                    ),
                    {"n": position},
                )

        caught_up = _rate(command_and_catch_up, count, seconds)
    finally:
        floor.close()
        _remove(settings, directory, engine)
    return alone, caught_up


def _remove(settings: Settings, directory: Path, engine: Engine) -> None:
    """Drop the floors' tables, close the engine's connections, delete the files."""
    with engine.begin() as connection:
        for table in (_READ_TABLE, _TRACKING_TABLE):
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        if settings.database_url:
            connection.execute(
                text(f"DROP TABLE IF EXISTS {FLOOR_NAME.lower()}_events")
            )
    engine.dispose()
    if not settings.database_url:
        for name in ("bench_floor_events.db", "bench_floor_read.db"):
            for suffix in ("", "-wal", "-shm"):
                (directory / f"{name}{suffix}").unlink(missing_ok=True)
