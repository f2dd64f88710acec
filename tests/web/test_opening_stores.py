"""Opening the stores: PostgreSQL by URL, clear errors, sealed event tables."""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from click.testing import CliRunner

from governance.actor import Actor
from tests.support.builders import FOUNDED_ON, a_call
from tests.support.postgres import PostgresServer
from web.cli import main
from web.ops.storage import StorageError, Stores, open_stores, postgres_env
from web.settings import Settings


def test_a_postgres_url_becomes_the_event_store_settings() -> None:
    env = postgres_env("postgresql://ledger:s%40cret@db.example:6543/consortia")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_DBNAME"] == "consortia"
    assert env["POSTGRES_HOST"] == "db.example"
    assert env["POSTGRES_PORT"] == "6543"
    assert env["POSTGRES_USER"] == "ledger"
    assert env["POSTGRES_PASSWORD"] == "s@cret"


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://localhost"])
def test_a_wrong_url_is_refused_with_a_reason(url: str) -> None:
    with pytest.raises(StorageError):
        postgres_env(url)


@pytest.mark.postgres
def test_an_unreachable_server_is_a_clear_error_not_a_traceback(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    env = {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}
    runner = CliRunner()

    missing = runner.invoke(
        main,
        ["projections", "rebuild"],
        env={**env, "CONSORTIUM_DATABASE_URL": postgres_server.url("no_such_database")},
    )
    closed = runner.invoke(
        main,
        ["worker"],
        env={**env, "CONSORTIUM_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"},
    )

    assert missing.exit_code == closed.exit_code == 3  # cannot reach the store
    assert 'database "no_such_database" does not exist' in missing.output
    assert "Connection refused" in closed.output
    assert "Traceback" not in missing.output + closed.output


@pytest.mark.postgres
def test_the_postgres_event_table_refuses_update_delete_truncate(
    postgres_url: str,
) -> None:
    stores = open_stores(Settings(database_url=postgres_url, secret_key="k"))
    stores.close()

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO governance_events (originator_id, originator_version, topic,"
            " state) VALUES (gen_random_uuid(), 1, 't', '\\x00')"
        )
        for statement in (
            "UPDATE governance_events SET topic = 'x'",
            "DELETE FROM governance_events",
            "TRUNCATE governance_events",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                connection.execute(statement)


@pytest.mark.postgres
def test_processes_starting_together_create_the_tables_once(postgres_url: str) -> None:
    opened: list[Stores] = []
    errors: list[Exception] = []

    def start() -> None:
        try:
            opened.append(
                open_stores(Settings(database_url=postgres_url, secret_key="k"))
            )
        except Exception as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for stores in opened:
        stores.close()
    assert errors == []
    assert len(opened) == 4


@pytest.mark.postgres
def test_on_postgres_the_read_side_reads_the_log_through_its_own_connection(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The read models are in the log's database: the catching up reads the log in
    # its own transaction, not through the library's pooled connection.
    stores = open_stores(Settings(database_url=postgres_url, secret_key="k"))
    try:
        governance = stores.governance

        def refused(*args: object, **kwargs: object) -> None:
            raise AssertionError("the log was read through a connection of its own")

        position = governance.found_consortium(
            Actor(uuid4()),
            name="Inclusion numérique du Val",
            acronym="INV",
            summary="Des lieux et des médiateurs pour le numérique du quotidien.",
            territory="Val fictif",
            call=a_call(),
            founded_on=FOUNDED_ON,
        ).position
        monkeypatch.setattr(governance.recorder, "select_notifications", refused)

        assert stores.read_side.wait_for(position)
        assert stores.read_side.position() == position
    finally:
        stores.close()
