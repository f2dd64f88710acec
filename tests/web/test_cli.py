"""The ``consortium`` command: demo, admin create, projections rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from projections.base import metadata
from web.cli import main
from web.settings import Settings
from web.storage import open_stores


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
