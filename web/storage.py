"""Opens every store from the settings: the one place that knows the backends.

SQLite (default): three files in the data directory, so their writers never contend
for one lock: ``events.db`` (the event log), ``read.db`` (disposable read models) and
``app.db`` (accounts, sessions, invitation tokens, outbox). PostgreSQL: the same
stores as tables of one database. Either way the event table is sealed by triggers
that refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event

from governance.application import Governance
from governance.clock import Clock
from projections.catalogue import all_projections
from projections.runtime import LibraryEventLog, ReadSide
from web.accounts import Accounts
from web.settings import Settings

logger = logging.getLogger(__name__)

EVENTS_TABLE_SQLITE = "stored_events"
EVENTS_TABLE_POSTGRES = "governance_events"


class StorageError(Exception):
    """Raised when a store cannot be opened (bad URL, server unreachable)."""


@dataclass
class Stores:
    """Everything a process needs to serve requests or run jobs."""

    governance: Governance
    read_side: ReadSide
    accounts: Accounts

    def close(self) -> None:
        """Release connections (the library needs an explicit close)."""
        self.governance.close()
        self.read_side.engine.dispose()
        self.accounts.engine.dispose()


def open_stores(
    settings: Settings, *, clock: Clock | None = None, create_tables: bool = True
) -> Stores:
    """Open (and on first start create) the event store, read models and accounts."""
    if settings.database_url:
        governance, read_engine, app_engine = _open_postgres(
            settings, clock, create_tables
        )
    else:
        governance, read_engine, app_engine = _open_sqlite(settings, clock)
    read_side = ReadSide(
        read_engine,
        LibraryEventLog(governance.recorder, governance.mapper),
        all_projections(),
    )
    accounts = Accounts(
        app_engine,
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        session_hours=settings.session_hours,
    )
    if create_tables:
        read_side.create_tables()
        accounts.create_tables()
    return Stores(governance, read_side, accounts)


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _open_sqlite(
    settings: Settings, clock: Clock | None
) -> tuple[Governance, Engine, Engine]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    events_path = settings.data_dir / "events.db"
    governance = Governance(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(events_path),
            "AGGREGATE_CACHE_MAXSIZE": "1000",
        },
        clock=clock,
    )
    seal_sqlite_event_log(events_path)
    return (
        governance,
        _sqlite_engine(settings.data_dir / "read.db"),
        _sqlite_engine(settings.data_dir / "app.db"),
    )


def seal_sqlite_event_log(path: Path) -> None:
    """Make the SQLite event table append-only with triggers (idempotent)."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            for operation in ("UPDATE", "DELETE"):
                name = f"{EVENTS_TABLE_SQLITE}_no_{operation.lower()}"
                connection.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} "
                    f"BEFORE {operation} ON {EVENTS_TABLE_SQLITE} "
                    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
                )
    finally:
        connection.close()


def postgres_env(url: str) -> dict[str, str]:
    """The ``eventsourcing.postgres`` settings for a ``postgresql://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres", "postgresql+psycopg"}:
        raise StorageError(f"unsupported database URL scheme {parts.scheme!r}")
    if not parts.path.strip("/"):
        raise StorageError("the database URL names no database")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "localhost",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
    }


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy form of a ``postgresql://`` URL (psycopg 3 driver)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme != "postgresql+psycopg" else url


def _open_postgres(
    settings: Settings, clock: Clock | None, create_tables: bool
) -> tuple[Governance, Engine, Engine]:
    assert settings.database_url is not None  # noqa: S101 - checked by the caller
    env = postgres_env(settings.database_url)
    env["CREATE_TABLE"] = "y" if create_tables else "n"
    env["AGGREGATE_CACHE_MAXSIZE"] = "1000"
    try:
        governance = Governance(env=env, clock=clock)
    except Exception as error:  # the library raises driver-specific errors
        raise StorageError(f"cannot open the event store: {error}") from error
    engine = create_engine(sqlalchemy_url(settings.database_url), pool_pre_ping=True)
    if create_tables:
        seal_postgres_event_log(engine)
    return governance, engine, engine


def seal_postgres_event_log(engine: Engine) -> None:
    """Make the PostgreSQL event table append-only with triggers (idempotent)."""
    table = EVENTS_TABLE_POSTGRES
    statements = [
        "CREATE OR REPLACE FUNCTION consortium_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the event log is append-only'; END $$",
        f"CREATE OR REPLACE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION consortium_refuse_change()",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION consortium_refuse_change()",
    ]
    with engine.begin() as connection:
        # One creator at a time when several processes start together.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7438001)")
        for statement in statements:
            connection.exec_driver_sql(statement)
