"""The commands' floors: the event store alone, then with one read model caught up,
measured on the benchmark's own database and leaving nothing of theirs behind.

Their figures are not checked (the benchmark's table compares them with raw
inserts); what is checked is that the floor's application really stores one event a
command, and that the floors' tables and files are gone afterwards, even when a run
killed before its end had left some.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from web.bench.floors import FLOOR_NAME, BenchFloor, command_floors
from web.ops.storage import postgres_env
from web.settings import Settings

SECRET = "a-test-secret-of-forty-characters-at-least"


def _settings(data_dir: Path, url: str | None = None) -> Settings:
    env = {"CONSORTIUM_DATA_DIR": str(data_dir), "CONSORTIUM_SECRET_KEY": SECRET}
    if url:
        env["CONSORTIUM_DATABASE_URL"] = url
    return Settings.from_env(env)


def test_the_floor_application_stores_one_event_a_command(tmp_path: Path) -> None:
    path = tmp_path / "floor.db"
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    floor = BenchFloor(env=env)
    counter_id = floor.start()
    assert [floor.count(counter_id) for _ in range(3)] == [1, 2, 3]
    floor.close()

    again = BenchFloor(env=env)  # a new process would read the same log
    assert again.repository.get(counter_id).count == 3
    assert again.recorder.max_notification_id() == 4  # created, then three counted
    again.close()


def test_the_floors_leave_no_file_behind_on_sqlite(tmp_path: Path) -> None:
    # A run killed before its end left its read model's table: the next one runs.
    with closing(sqlite3.connect(tmp_path / "bench_floor_read.db")) as left:
        left.execute("CREATE TABLE bench_floor_counts (id TEXT PRIMARY KEY, n INT)")

    alone, caught_up = command_floors(_settings(tmp_path), tmp_path, 30, 5.0)

    assert alone > 0
    assert caught_up > 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_the_floors_leave_no_table_behind_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    settings = _settings(tmp_path, postgres_url)
    env = postgres_env(postgres_url)
    database = {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"],
    }
    with psycopg.connect(**database, autocommit=True) as left:
        # A run killed before its end left its tracking table behind.
        left.execute("CREATE TABLE bench_floor_tracking (name TEXT, position INT)")

    alone, caught_up = command_floors(settings, tmp_path, 30, 5.0)

    assert alone > 0
    assert caught_up > 0
    with psycopg.connect(**database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
    assert f"{FLOOR_NAME.lower()}_events" not in tables
    assert not [t for t in tables if t.startswith("bench_floor")]
    assert list(tmp_path.iterdir()) == []
