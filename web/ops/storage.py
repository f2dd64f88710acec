"""Opens every store from the settings: the one place that knows the backends.

SQLite (default): three files in the data directory, so their writers never contend
for one lock: ``events.db`` (the event log), ``read.db`` (disposable read models) and
``app.db`` (accounts, sessions, invitation tokens, preferences, outbox, job runs,
login throttling, reset links, second factors, request keys).
TOTP secrets are sealed with a key kept in a file beside them (``secrets_key``), never
in the database: see ``web/identity/secret_box.py``.
PostgreSQL: the same stores as tables of one database, the attached files too
(``web/evidence/database.py``), and the fingerprints of the keys every host must hold
(``web/ops/platform_keys.py``, checked at every start under the creation lock).
Either way the event table is sealed by triggers that refuse UPDATE, DELETE (and
TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from contextvars import ContextVar
from pathlib import Path
from types import MethodType
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from eventsourcing import persistence
from eventsourcing.utils import retry
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from governance.application import Governance
from governance.clock import Clock, SystemClock
from notifications.emails import MailRenderer
from notifications.health import Health
from notifications.notice_store import NoticeStore
from notifications.outbox import Outbox
from notifications.page_unread import ATTACHED
from projections.audit_chain import CHECKPOINT_TOPICS
from projections.catalogue import all_projections
from projections.event_log import LibraryEventLog
from projections.runtime import ReadSide
from web.evidence.database import DatabaseFileStore
from web.evidence.filestore import EVIDENCE_FOLDER, UPLOADS_FOLDER, open_file_store
from web.i18n import catalogues
from web.identity.passwords import PasswordChecks
from web.identity.second_factor import seal_clear_secrets
from web.identity.secret_box import SecretBox
from web.identity.store import Accounts
from web.links import EmailLinks
from web.ops.migrations import migrate
from web.ops.platform_keys import check_keys
from web.settings import Settings

# Opened here, named in web.stores: callers that open the stores import both from here.
from web.stores import Stores as Stores
from web.usecases import UseCases

logger = logging.getLogger(__name__)

EVENTS_TABLE_SQLITE = "stored_events"
EVENTS_TABLE_POSTGRES = "governance_events"
CREATION_LOCK = 7438001
CONNECT_TIMEOUT_SECONDS = 5
SQLITE_BUSY_SECONDS = 30  # how long a SQLite transaction waits for the write lock
RECORDER_ATTEMPTS = 2
RECORDER_RETRIED = (
    "insert_events",
    "select_events",
    "select_notifications",
    "max_notification_id",
)


class StorageError(Exception):
    """Raised when a store cannot be opened (bad URL, server unreachable)."""


def open_stores(
    settings: Settings, *, clock: Clock | None = None, create_tables: bool = True
) -> Stores:
    """Open (and on first start create) the event store, read models and accounts.

    ``clock`` (the system's by default) is the process's one clock: the service,
    the accounts store and everything that reads ``Stores.clock`` share it.
    """
    clock = clock or SystemClock()
    private_data_dir(settings)
    box = SecretBox(settings.secrets_key_path)
    if settings.database_url:
        governance, read_engine, app_engine = _open_postgres(settings, clock, box)
        create_tables = False  # done by _open_postgres, under a lock
        attached = None  # one database: the read models' engine reaches it all
    else:
        governance, read_engine, app_engine = _open_sqlite(settings, clock)
        attached = attached_reads(settings.data_dir)
    stores = _assemble(
        settings, governance, read_engine, app_engine, box, clock, attached
    )
    if create_tables:
        stores.read_side.create_tables()
        migrate(stores.accounts.engine)
        seal_clear_secrets(stores.accounts.engine, box)
    elif settings.database_url:
        stores.read_side.use_tables()
    else:
        # A SQLite caller that opens without creating (a test's child, a probe)
        # adopts the sets its version registered, if it did; otherwise it is about
        # to create them itself.
        with contextlib.suppress(LookupError):
            stores.read_side.use_tables()
    # Notices begin with this installation's log as it is: no notice of older steps.
    stores.notices.start(stores.read_side.log.last_position())
    return stores


# What the data directory holds that nobody else may read: password hashes and
# sessions (app.db), the log (events.db), reset links in the development mailbox,
# the secret keys. Evidence files are created 0600 by their store (mkstemp).
SQLITE_FILES = ("events.db", "read.db", "app.db")
PRIVATE_FILES = ("mailbox.mbox", "secret_key", "secrets_key", "audit_signing_key.pem")
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create a directory readable by its owner only (0700), parents as needed.

    A directory that exists already keeps its mode: the operator chose it.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if missing, or make it 0600 if it is not.

    SQLite creates a database file (and its ``-wal`` and ``-shm`` companions, with
    the database's own mode) under the process's umask, usually 0644: created here
    first, the file is the owner's alone from its first byte.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return
    os.close(descriptor)


def private_data_dir(settings: Settings) -> None:
    """The data directory 0700 (when created here), its files 0600, the evidence
    folder 0700, and the mailbox file when e-mail goes there (no SMTP server)."""
    data_dir = settings.data_dir
    private_dir(data_dir)
    if not settings.files_in_database:
        private_dir(data_dir / EVIDENCE_FOLDER)
    if not settings.database_url:
        for name in SQLITE_FILES:
            private_file(data_dir / name)
            for suffix in SQLITE_COMPANIONS:
                companion = data_dir / f"{name}{suffix}"
                if companion.exists():
                    private_file(companion)
    if settings.smtp is None:
        private_file(data_dir / "mailbox.mbox")
    for name in PRIVATE_FILES:
        if (data_dir / name).exists():
            private_file(data_dir / name)


def _assemble(
    settings: Settings,
    governance: Governance,
    read_engine: Engine,
    app_engine: Engine,
    box: SecretBox,
    clock: Clock,
    attached: Engine | None,
) -> Stores:
    read_side = ReadSide(
        read_engine,
        _event_log(governance, settings),
        all_projections(),
        attached=attached,
    )
    accounts = Accounts(
        app_engine,
        clock=clock,
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        session_hours=settings.session_hours,
        secrets_box=box,
        password_checks=PasswordChecks(settings.password_checks or None),
    )
    links = EmailLinks(settings.link_base_url)
    usecases = UseCases.over(
        governance=governance,
        accounts=accounts,
        read_engine=read_engine,
        renderer=MailRenderer(catalogues(), settings.link_base_url, links),
        links=links,
        invitation_days=settings.invitation_days,
        clock=clock.now,
    )
    return Stores(
        governance,
        read_side,
        accounts,
        open_file_store(settings, app_engine),
        Outbox(app_engine),
        NoticeStore(app_engine),
        Health(app_engine),
        usecases,
        clock,
    )


def _event_log(governance: Governance, settings: Settings) -> LibraryEventLog:
    # On PostgreSQL the read models live in the log's database.
    return LibraryEventLog(
        governance.recorder,
        governance.mapper,
        shares_database=settings.uses_postgres,
    )


# Set while a transaction is being opened on SQLite: the BEGIN statement to use
# (see ``sqlite_engine``). Per thread (and task), like the connections themselves.
_OPENING: ContextVar[str | None] = ContextVar("sqlite_opening", default=None)


def sqlite_engine(path: Path) -> Engine:
    """An engine on a SQLite file whose transactions are real: every SQLite engine.

    Python 3.11's ``sqlite3`` opens a transaction only before INSERT, UPDATE or
    DELETE: the DDL and the SELECTs of a block before its first write ran in
    autocommit, so a rebuild that dropped and recreated tables was not atomic, and a
    block that read then wrote read outside any lock. Here the driver's own
    transaction handling is off and each transaction opens with an explicit BEGIN
    (the recipe of SQLAlchemy's SQLite documentation), of two kinds:

    - ``engine.begin()`` (or ``connection.begin()``), the blocks that write:
      ``BEGIN IMMEDIATE``, the database's write lock taken up front (waiting for it
      up to the busy timeout). What the block reads stays true until it commits
      (counts, claims, leases, tracking positions), and its first write cannot fail
      with SQLITE_BUSY_SNAPSHOT, as one after a read in a deferred transaction does.
    - the transaction SQLAlchemy opens by itself for the first statement on an
      ``engine.connect()`` connection, the reads: a deferred ``BEGIN``, one snapshot
      for all the connection's queries, without the write lock, so readers neither
      wait for a writer nor hold one up. A connection that reads must not write.

    What SQLite refuses inside a transaction (VACUUM, ``wal_checkpoint``) takes a
    plain ``sqlite3`` connection.
    """
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": SQLITE_BUSY_SECONDS}
    )

    @event.listens_for(engine, "connect")
    def _prepare(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver never BEGINs itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "before_execute", _reads_begin_deferred)
    event.listen(engine, "begin", _emit_begin)
    return engine


def _reads_begin_deferred(connection: Connection, *_: Any) -> None:
    """Open the transaction of a statement outside any (a read on ``connect()``)
    before SQLAlchemy does, marked deferred; ``begin()`` blocks are already in one."""
    if _OPENING.get() is None and not connection.in_transaction():
        token = _OPENING.set("BEGIN")
        try:
            connection.begin()
        finally:
            _OPENING.reset(token)


def _emit_begin(connection: Connection) -> None:
    statement = _OPENING.get() or "BEGIN IMMEDIATE"
    # Straight to the driver: through SQLAlchemy's execution (its events, a context,
    # a result) a BEGIN cost 35 µs, on every connection a page opens. Its errors
    # (the write lock not had within the busy timeout) wrapped as SQLAlchemy's.
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection was closed")
    try:
        driver.execute(statement)
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error


def _open_sqlite(settings: Settings, clock: Clock) -> tuple[Governance, Engine, Engine]:
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
        sqlite_engine(settings.data_dir / "read.db"),
        sqlite_engine(settings.data_dir / "app.db"),
    )


def attached_reads(data_dir: Path) -> Engine:
    """An engine on ``read.db`` whose connections attach ``app.db`` as
    ``ATTACHED``, for reads that join them (a tagged page's facts and its unread
    count: ``notifications.page_unread``).

    Its own pool, only ever read through: a connection that attached ``app.db``
    takes its write lock with any write transaction (``BEGIN IMMEDIATE`` starts a
    write on every attached database), so the read models' writers must never have
    it attached, or the projections and the accounts would wait on each other.
    """
    engine = sqlite_engine(data_dir / "read.db")

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (str(data_dir / "app.db"),))
        cursor.close()

    return engine


def sql_literal(text: str) -> str:
    """``text`` as an SQL string literal, alike on SQLite and PostgreSQL (whose
    strings are standard-conforming: a backslash is a backslash)."""
    if "\x00" in text:
        raise ValueError("an SQL string cannot hold a NUL character")
    return "'" + text.replace("'", "''") + "'"


def checkpoints_index(table: str, key: str) -> str:
    """A partial index of the log's sealed checkpoints (idempotent): ``audit verify``
    reads them before its pass, a scan of the whole table without it (2–3 ms in
    13,000 events on SQLite, 0.6 ms with it). Only checkpoint events are in it, so
    a command's insert does not pay for it."""
    return (
        f"CREATE INDEX IF NOT EXISTS {table}_checkpoints ON {table} ({key}) "
        f"WHERE topic = {sql_literal(CHECKPOINT_TOPICS[0])}"
    )


def seal_sqlite_event_log(path: Path) -> None:
    """Make the SQLite event table append-only with triggers, and index its
    checkpoints (idempotent)."""
    # Both triggers or neither: the driver's implicit transactions skip DDL.
    connection = sqlite3.connect(
        path, isolation_level=None, timeout=SQLITE_BUSY_SECONDS
    )
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for operation in ("UPDATE", "DELETE"):
                name = f"{EVENTS_TABLE_SQLITE}_no_{operation.lower()}"
                connection.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} "
                    f"BEFORE {operation} ON {EVENTS_TABLE_SQLITE} "
                    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
                )
            connection.execute(checkpoints_index(EVENTS_TABLE_SQLITE, "topic"))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
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
        # Bounded waits and live connections: a request waits at most 5 s for a
        # pooled connection when the server is down (then the 503 page), and a
        # connection left broken by a server restart is checked and replaced
        # before use instead of failing the next request.
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_PRE_PING": "y",
    }


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy form of a ``postgresql://`` URL (psycopg 3 driver)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme != "postgresql+psycopg" else url


def _open_postgres(
    settings: Settings, clock: Clock, box: SecretBox
) -> tuple[Governance, Engine, Engine]:
    url = settings.database_url
    assert url is not None  # noqa: S101 - checked by the caller
    env = postgres_env(url)
    env["AGGREGATE_CACHE_MAXSIZE"] = "1000"
    env["POSTGRES_POOL_SIZE"] = str(settings.pool_size)
    env["POSTGRES_MAX_OVERFLOW"] = str(settings.pool_overflow)
    _check_reachable(url)
    # No pre-ping (a round trip on every checkout, 6 of a page's 16): a connection
    # a server restart broke fails its first statement, SQLAlchemy then drops every
    # pooled connection of that time, and a read is asked again once on fresh ones
    # (``web.faults``). The connect and pool timeouts bound how long a request
    # waits while the server is down.
    engine = create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=False,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_overflow,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    # Several processes may start at once: one creates the tables while the others
    # wait (concurrent CREATE TABLE fails with "tuple concurrently updated").
    with engine.connect() as lock:
        lock.exec_driver_sql(f"SELECT pg_advisory_lock({CREATION_LOCK})")
        try:
            # Before anything uses a key: one deployment, one set of keys.
            check_keys(settings, engine)
            governance = Governance(env={**env, "CREATE_TABLE": "y"}, clock=clock)
            bound_retries(governance.recorder)
            seal_postgres_event_log(lock)
            lock.commit()
            migrate(engine)
            seal_clear_secrets(engine, box)
            ReadSide(
                engine, _event_log(governance, settings), all_projections()
            ).create_tables()
            if settings.files_in_database:
                import_local_files(settings, engine)
        except BaseException:
            # Refused (keys that differ) or failed: no connection left open.
            lock.rollback()
            lock.exec_driver_sql(f"SELECT pg_advisory_unlock({CREATION_LOCK})")
            lock.commit()
            lock.close()
            engine.dispose()
            raise
        lock.exec_driver_sql(f"SELECT pg_advisory_unlock({CREATION_LOCK})")
        lock.commit()
    return governance, engine, engine


def import_local_files(settings: Settings, engine: Engine) -> None:
    """Copy into the database the files a data directory kept before they moved
    there (``consortium files migrate`` does it by hand); the folder stays."""
    folder = settings.data_dir / EVIDENCE_FOLDER
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    store = DatabaseFileStore(engine, settings.data_dir / UPLOADS_FOLDER)
    report = store.import_folder(folder)
    if report.copied or report.altered:
        logger.info("files.imported folder=%s %s", folder, report.summary())


def bound_retries(recorder: Any, attempts: int = RECORDER_ATTEMPTS) -> None:
    """Fewer attempts for the event store's calls while PostgreSQL is down.

    ``eventsourcing.postgres`` retries each call 10 times on a connection error,
    each attempt waiting up to the pool timeout (``POSTGRES_CONNECT_TIMEOUT``): a
    request caught by an outage would hang ~52 s before its 503. Pre-ping already
    replaces connections a restart broke, so one retry is enough: the same methods,
    undecorated (``__wrapped__``), get a two-attempt retry on this recorder.
    """
    for name in RECORDER_RETRIED:
        inner = getattr(getattr(type(recorder), name, None), "__wrapped__", None)
        if inner is None:  # the library changed: keep its own behaviour
            logger.warning("storage.retries_unbounded method=%s", name)
            continue
        bounded = retry(
            (persistence.InterfaceError, persistence.OperationalError),
            max_attempts=attempts,
            wait=0.2,
        )(inner)
        setattr(recorder, name, MethodType(bounded, recorder))


def _check_reachable(url: str) -> None:
    """Fail with the server's own words when the database cannot be reached."""
    try:
        with psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5
        ):
            pass
    except psycopg.Error as error:
        reason = " ".join(line.strip() for line in str(error).splitlines())
        raise StorageError(f"cannot reach PostgreSQL: {reason}") from None


def seal_postgres_event_log(connection: Connection) -> None:
    """Make the PostgreSQL event table append-only with triggers, and index its
    checkpoints (idempotent)."""
    table = EVENTS_TABLE_POSTGRES
    statements = [
        "CREATE OR REPLACE FUNCTION consortium_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the event log is append-only'; END $$",
        f"CREATE OR REPLACE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION consortium_refuse_change()",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION consortium_refuse_change()",
        checkpoints_index(table, "notification_id"),
    ]
    for statement in statements:
        connection.exec_driver_sql(statement)
