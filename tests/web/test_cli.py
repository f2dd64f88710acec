"""The ``consortium`` command: demo, admin create and reset-two-factor, projections
rebuild."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from projections.base import metadata
from web.cli import main
from web.identity import totp
from web.ops.storage import open_stores
from web.settings import Settings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}


def read_models(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    stores = open_stores(Settings(data_dir=data_dir, secret_key="k"))
    try:
        with stores.read_side.engine.connect() as connection:
            return {
                table.name: sorted(
                    map(tuple, connection.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
            }
    finally:
        stores.close()


def test_demo_loads_a_consortium_and_prints_logins(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["demo"], env=env)

    assert result.exit_code == 0, result.output
    assert "coordinator@demo.example" in result.output
    assert "financer@demo.example" in result.output
    tables = read_models(tmp_path)
    assert len(tables["consortia"]) == 1
    assert len(tables["partners"]) == 7
    assert len(tables["memberships"]) == 8  # 4 logins and 4 representatives
    assert len(tables["bodies"]) == 2
    assert len(tables["proposals"]) == 6
    assert len(tables["obligations"]) == 4


def test_demo_if_empty_leaves_an_existing_store_alone(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["demo"], env=env)

    again = runner.invoke(main, ["demo", "--if-empty"], env=env)
    refused = runner.invoke(main, ["demo"], env=env)

    assert again.exit_code == 0
    assert "not empty" in again.output
    assert refused.exit_code != 0
    assert len(read_models(tmp_path)["consortia"]) == 1


def test_demo_if_empty_prints_no_logins_on_a_store_that_has_none(
    env: dict[str, str], tmp_path: Path
) -> None:
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    try:
        stores.accounts.create_account(
            "admin@test.example", "Admin", "an admin secret", now=datetime.now(UTC)
        )
    finally:
        stores.close()

    result = CliRunner().invoke(main, ["demo", "--if-empty"], env=env)

    assert result.exit_code == 0, result.output
    assert result.output == "The store is not empty: demo not loaded.\n"


def test_demo_if_empty_prints_only_the_demo_logins_that_still_work(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["demo"], env=env)
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    try:
        pilot = stores.accounts.by_email("pilot@demo.example")
        assert pilot is not None
        stores.accounts.change_password(
            pilot.account_id, "a private password", now=datetime.now(UTC)
        )
    finally:
        stores.close()

    result = runner.invoke(main, ["demo", "--if-empty"], env=env)

    assert result.exit_code == 0, result.output
    assert "coordinator@demo.example" in result.output
    assert "pilot@demo.example" not in result.output


def test_demo_logins_name_the_address_the_server_answers_at(
    env: dict[str, str],
) -> None:
    result = CliRunner().invoke(
        main, ["demo"], env={**env, "CONSORTIUM_BASE_URL": "http://127.0.0.1:8123"}
    )

    assert result.exit_code == 0, result.output
    assert "Demo logins (open http://127.0.0.1:8123):" in result.output
    assert ":8000" not in result.output


def test_admin_create_makes_a_platform_administrator(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "admin",
            "create",
            "--email",
            "Admin@Test.example",
            "--name",
            "Admin",
            "--password",
            "an admin secret",
        ],
        env=env,
    )

    assert result.exit_code == 0, result.output
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    try:
        account = stores.accounts.authenticate("admin@test.example", "an admin secret")
    finally:
        stores.close()
    assert account is not None
    assert account.is_admin


def test_admin_create_refuses_a_weak_password(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        [
            "admin",
            "create",
            "--email",
            "a@test.example",
            "--name",
            "A",
            "--password",
            "short",
        ],
        env=env,
    )

    assert result.exit_code != 0
    assert "password refused" in result.output


def test_admin_create_refuses_a_name_on_two_lines(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "admin",
            "create",
            "--email",
            "a@test.example",
            "--name",
            "Admin\r\nBcc: x@evil.example",
            "--password",
            "correct horse battery",
        ],
        env=env,
    )

    assert result.exit_code != 0
    assert "one line" in result.output
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    try:
        assert stores.accounts.by_email("a@test.example") is None
    finally:
        stores.close()


def test_admin_reset_two_factor_is_the_last_resort(
    env: dict[str, str], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="k")
    stores = open_stores(settings)
    try:
        accounts = stores.accounts
        person = accounts.create_account(
            "lost@test.example", "Lost", "a long passphrase", now=datetime.now(UTC)
        ).account_id
        secret = accounts.start_second_factor(person)
        assert accounts.use_code(
            person, totp.code_at(secret, accounts.now()), enable=True
        )
        accounts.new_recovery_codes(person)
        session = accounts.open_session(accounts.by_id(person), now=datetime.now(UTC))
    finally:
        stores.close()

    unknown = CliRunner().invoke(
        main,
        ["admin", "reset-two-factor", "--email", "nobody@test.example", "--yes"],
        env=env,
    )
    result = CliRunner().invoke(
        main,
        ["admin", "reset-two-factor", "--email", "Lost@test.example", "--yes"],
        env=env,
    )

    assert unknown.exit_code != 0
    assert "no account with two-step login" in unknown.output
    assert result.exit_code == 0, result.output
    stores = open_stores(settings)
    try:
        assert not stores.accounts.has_second_factor(person)
        assert stores.accounts.recovery_codes_left(person) == 0
        assert stores.accounts.session(session.token, now=datetime.now(UTC)) is None
    finally:
        stores.close()


def test_rebuild_gives_the_same_read_models(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["demo"], env=env)
    before = read_models(tmp_path)

    result = runner.invoke(main, ["projections", "rebuild"], env=env)

    assert result.exit_code == 0, result.output
    assert "Rebuilt all read models" in result.output
    assert read_models(tmp_path) == before


def test_rebuild_names_unknown_projections(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["projections", "rebuild", "nope"], env=env)

    assert result.exit_code != 0
    assert "unknown projection" in result.output


def test_the_event_log_refuses_updates_and_deletes(tmp_path: Path) -> None:
    import sqlite3

    stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    stores.close()
    CliRunner().invoke(
        main,
        ["demo"],
        env={"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"},
    )
    connection = sqlite3.connect(tmp_path / "events.db")
    try:
        for statement in (
            "UPDATE stored_events SET topic = 'x'",
            "DELETE FROM stored_events",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)
    finally:
        connection.close()
