"""The app tables' migrations (``web/ops/migrations.py``), on both backends.

The migrations must make exactly the tables the code declares (new stores are
created from the declarations and marked at the newest revision, so a migration
that drifted would only show on upgraded stores); a store made before migrations
existed is upgraded in place, keeping its rows; ``consortium migrate`` says where
the store is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import (
    Engine,
    MetaData,
    column,
    create_engine,
    insert,
    inspect,
    select,
    table,
)

from web.cli import main
from web.identity.tables import accounts
from web.ops.migrations import (
    VERSION_TABLE,
    alembic_config,
    app_metadata,
    app_table_names,
    current_revision,
    head_revision,
    migrate,
)
from web.ops.storage import sqlalchemy_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        url = sqlalchemy_url(request.getfixturevalue("postgres_url"))
    else:
        url = f"sqlite:///{tmp_path / 'app.db'}"
    made = create_engine(url)
    yield made
    made.dispose()


version_table = table(VERSION_TABLE, column("version_num"))


def declared() -> MetaData:
    combined = MetaData()
    for metadata in app_metadata():
        for declared_table in metadata.tables.values():
            declared_table.to_metadata(combined)
    return combined


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda _o, name, kind, *_: (
                    kind != "table" or name in app_table_names()
                ),
            },
        )
        return list(compare_metadata(context, declared()))


def test_the_migrations_make_the_tables_the_code_declares(engine: Engine) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert differences(engine) == []


def test_a_new_store_is_created_at_the_newest_revision(engine: Engine) -> None:
    assert migrate(engine) == head_revision()
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    assert differences(engine) == []


def an_account(engine: Engine) -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(accounts).values(
                account_id="a" * 36,
                email="claire@example.org",
                display_name="Claire",
                password_hash="x",
                is_admin=False,
                disabled=False,
                sessions_valid_after=now,
                created_at=now,
            )
        )


def previous_release_store(engine: Engine) -> None:
    """The app tables as the last release without migrations made them (revision
    0001's tables), with no revision recorded."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(version_table.delete())
        connection.exec_driver_sql(f"DROP TABLE {VERSION_TABLE}")


def test_a_store_made_before_migrations_is_upgraded_and_keeps_its_rows(
    engine: Engine,
) -> None:
    previous_release_store(engine)
    # One made by an older release still lacks the newest of those tables.
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE audit_verifications")
    an_account(engine)
    assert "notices" not in inspect(engine).get_table_names()
    assert migrate(engine) == head_revision()
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        emails = connection.execute(select(accounts.c.email)).scalars().all()
    assert emails == ["claire@example.org"]
    assert {"notices", "audit_verifications"} <= set(inspect(engine).get_table_names())
    assert differences(engine) == []


def test_a_store_at_an_earlier_revision_is_upgraded_and_keeps_its_rows(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    an_account(engine)
    assert migrate(engine) == head_revision()
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert connection.execute(select(accounts.c.email)).scalars().all() == [
            "claire@example.org"
        ]
    assert differences(engine) == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    an_account(engine)
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(accounts)).all()
        versions = connection.execute(select(version_table)).all()
    assert len(rows) == 1
    assert versions == [(head_revision(),)]


def test_migrations_leave_the_read_models_and_the_log_alone(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE ledger_lines (id INTEGER PRIMARY KEY)")
    migrate(engine)
    assert "ledger_lines" in inspect(engine).get_table_names()
    assert differences(engine) == []


def test_consortium_migrate_says_the_revision(tmp_path: Path) -> None:
    env = {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}
    result = CliRunner().invoke(main, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == f"app tables at revision {head_revision()} (the newest)\n"


# -- api tokens (0004) and webhooks (0005) --------------------------------------------


def test_a_store_at_revision_0003_gets_the_api_tokens_table_and_keeps_its_rows(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    an_account(engine)
    assert "api_tokens" not in inspect(engine).get_table_names()
    assert migrate(engine) == head_revision()
    assert "api_tokens" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(select(accounts.c.email)).scalars().all() == [
            "claire@example.org"
        ]
    assert differences(engine) == []


def test_a_store_at_0003_gets_the_webhook_tables_and_keeps_its_rows(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    an_account(engine)
    assert "webhook_deliveries" not in inspect(engine).get_table_names()
    assert migrate(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"webhook_subscriptions", "webhook_deliveries", "webhook_intake"} <= tables
    with engine.connect() as connection:
        assert connection.execute(select(accounts.c.email)).scalars().all() == [
            "claire@example.org"
        ]
    assert differences(engine) == []


def test_the_webhooks_migration_makes_only_the_tables_a_store_lacks(
    engine: Engine,
) -> None:
    # A store whose webhook intake table exists already (made by create_all of a
    # release that declared it): the migration makes the other two only.
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.exec_driver_sql(
            "CREATE TABLE webhook_intake (name VARCHAR(32) NOT NULL, "
            "position INTEGER NOT NULL, PRIMARY KEY (name))"
        )
        connection.exec_driver_sql(
            "INSERT INTO webhook_intake (name, position) VALUES ('webhooks', 7)"
        )
        command.upgrade(alembic_config(connection), "head")
    with engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT position FROM webhook_intake"
        ).scalars().all() == [7]
    assert differences(engine) == []
