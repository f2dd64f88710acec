"""Reads that every page makes, on PostgreSQL without a transaction around them.

psycopg would send BEGIN before a connection's first statement and SQLAlchemy
ROLLBACK when it returns to the pool: two round trips around each block of reads.
The read models' engine, the session lookup and the header's notice count read in
autocommit mode; every other connection of the same pool still opens a transaction
(a write there must stay all or nothing). SQLite keeps its transactions: a block
of reads sees one snapshot of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from starlette.testclient import TestClient

from projections.consortia import consortia
from projections.reading import without_transaction
from tests.support.builders import T0
from tests.web.conftest import World, login, stores_of
from web.identity.tables import sessions
from web.ops.storage import sqlalchemy_url
from web.stores import Stores


def _in_transaction_after_a_read(connection: Connection) -> bool:
    """Whether the database holds a transaction open once a statement has run."""
    connection.execute(text("SELECT 1"))
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        return bool(driver.info.transaction_status != TransactionStatus.IDLE)  # type: ignore[union-attr]
    return bool(driver.in_transaction)  # type: ignore[union-attr]


def _readers(stores: Stores) -> dict[str, Engine]:
    return {
        "read models": stores.read_side.engine,
        "session lookup": stores.accounts.sessions.reads,
        "account look-ups": stores.accounts.people.reads,
        "notice count": stores.notices.reads,
    }


def test_every_page_s_reads_open_no_transaction_on_postgresql(stores: Stores) -> None:
    postgres = stores.accounts.engine.dialect.name == "postgresql"
    for name, engine in _readers(stores).items():
        with engine.connect() as connection:
            # On SQLite the block keeps one snapshot; on PostgreSQL no BEGIN.
            assert _in_transaction_after_a_read(connection) is not postgres, name


def test_the_reads_still_answer(stores: Stores) -> None:
    """The session lookup and the read models answer as before through them."""
    person = stores.accounts.create_account(
        "camille@example.org", "Camille", "a long enough passphrase", now=T0
    )
    opened = stores.accounts.open_session(person, now=T0)
    found = stores.accounts.session(opened.token, now=T0)
    assert found is not None
    assert (found.token, found.account, found.csrf_token) == (
        opened.token,
        person,
        opened.csrf_token,
    )
    with stores.read_side.engine.connect() as connection:
        assert connection.execute(select(consortia)).first() is None


def test_writes_of_the_same_pool_stay_in_a_transaction(stores: Stores) -> None:
    """A connection the readers used goes back to the pool as it came: the next
    one that writes opens a transaction, and a write it rolls back is undone."""
    engine = stores.accounts.engine
    for reader in _readers(stores).values():
        with reader.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:
            assert _in_transaction_after_a_read(connection)
            connection.execute(
                sessions.delete().where(sessions.c.session_hash == "nothing")
            )
            connection.rollback()


PAGES = (
    "/consortia/{cid}",
    "/consortia/{cid}/partners",
    "/consortia/{cid}/ledger",
    "/consortia/{cid}/decisions",
    "/consortia/{cid}/history",
    "/consortia/{cid}/history?area=reporting",
)


@contextmanager
def statements_in_transactions() -> Iterator[list[bool]]:
    """For each statement run meanwhile, whether its connection holds transactions
    in the database (PostgreSQL: not in autocommit; SQLite: always). Per statement,
    not per SQLAlchemy transaction: the reads every request asks run on the driver's
    cursor (``projections.driver_reads``) and begin none of SQLAlchemy's."""
    asked: list[bool] = []

    def before(connection: Connection, *_: object) -> None:
        driver = connection.connection.driver_connection
        asked.append(not getattr(driver, "autocommit", False))

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield asked
    finally:
        event.remove(Engine, "before_cursor_execute", before)


def test_pages_read_without_a_transaction_on_postgresql(
    client: TestClient, world: World
) -> None:
    """Every statement a page asks, from the session to the header's count and the
    page's own read models, is asked without BEGIN or ROLLBACK."""
    login(client, world.emails["coordinator"])
    postgres = stores_of(client).accounts.engine.dialect.name == "postgresql"
    for page in PAGES:
        path = page.format(cid=world.consortium_id)
        with statements_in_transactions() as asked:
            assert client.get(path).status_code == 200, path
        # The session with the membership (one statement on a tagged page,
        # ``web.identity.tagged_page``), then the page's own.
        assert len(asked) >= 2, path
        assert set(asked) == {not postgres}, path


@pytest.mark.postgres
def test_one_pooled_connection_goes_back_and_forth(postgres_url: str) -> None:
    """The very same connection, read through without a transaction, then written
    through with one: the pool puts it back in transaction mode in between."""
    engine = create_engine(sqlalchemy_url(postgres_url), pool_size=1, max_overflow=0)
    try:
        reader = without_transaction(engine)
        with reader.connect() as connection:
            first = connection.connection.driver_connection
            assert not _in_transaction_after_a_read(connection)
        with engine.connect() as connection:
            assert connection.connection.driver_connection is first
            connection.execute(text("CREATE TABLE undone (n integer)"))
            connection.rollback()
        with reader.connect() as connection:
            assert connection.connection.driver_connection is first
            found = connection.scalar(text("SELECT to_regclass('undone')"))
        assert found is None
    finally:
        engine.dispose()


def test_sqlite_engines_are_left_as_they_are(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert without_transaction(engine) is engine
    engine.dispose()
