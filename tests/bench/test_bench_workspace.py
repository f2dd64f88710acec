"""Where the benchmark builds, and what it leaves behind on PostgreSQL.

A run without ``--data-dir`` keeps nothing: its temporary directory is removed and
what it created in the database is dropped, so the next run finds the database as
empty as the first did. With ``--data-dir`` the store is kept for ``--reuse``, and a
run pointed at a database that holds a store says how to measure it again.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from governance.actor import Actor
from tests.support.builders import COORDINATOR_ID, founded_consortium
from web.bench.results import Options
from web.bench.workspace import SECRET_FILE, _objects, workspace
from web.cli import main
from web.ops.storage import open_stores

pytestmark = pytest.mark.postgres


def test_a_run_without_a_data_dir_leaves_the_database_as_it_found_it(
    postgres_url: str,
) -> None:
    before = _objects(postgres_url)

    with workspace(Options(events=1000, database_url=postgres_url)) as (store, _):
        stores = open_stores(store)
        founded_consortium(stores.governance, Actor(COORDINATOR_ID))
        stores.close()
        during = _objects(postgres_url)
        root = store.data_dir.parent

    assert "governance_events" in during["table"]
    assert during["function"] - before["function"]  # the append-only trigger's
    assert _objects(postgres_url) == before
    assert not root.exists()


def test_a_run_with_a_data_dir_keeps_its_store_for_reuse(
    postgres_url: str, tmp_path: Path
) -> None:
    options = Options(events=1000, database_url=postgres_url, data_dir=tmp_path)

    with workspace(options) as (store, _):
        open_stores(store).close()

    assert "governance_events" in _objects(postgres_url)["table"]
    assert (tmp_path / "store").is_dir()
    # The second run opens it with the same keys (the database records the form
    # key's fingerprint and refuses another one), kept privately beside it.
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    with workspace(replace(options, reuse=True)) as (again, _):
        assert again.secret_key == store.secret_key
        open_stores(again).close()


def test_a_database_that_holds_a_store_is_refused_with_the_way_to_reuse_it(
    postgres_url: str, tmp_path: Path
) -> None:
    settings_dir = tmp_path / "elsewhere"
    with workspace(
        Options(events=1000, database_url=postgres_url, data_dir=settings_dir)
    ) as (store, _):
        stores = open_stores(store)
        founded_consortium(stores.governance, Actor(COORDINATOR_ID))
        stores.close()
    kept = _objects(postgres_url)

    result = CliRunner().invoke(
        main,
        ["bench", "--database-url", postgres_url, "--events", "1000", "--quick"],
    )

    assert result.exit_code == 5, result.output
    assert "the store is not empty" in result.output
    assert "--data-dir and --reuse" in result.output
    assert _objects(postgres_url) == kept  # what was there before is left alone


def test_a_kept_store_without_its_secret_is_refused_with_a_reason(
    postgres_url: str, tmp_path: Path
) -> None:
    options = Options(events=1000, database_url=postgres_url, data_dir=tmp_path)
    with workspace(options) as (store, _):
        stores = open_stores(store)
        founded_consortium(stores.governance, Actor(COORDINATOR_ID))
        stores.close()
    info = {"events": 1000, "url": postgres_url, "consortia": 1, "flagship": {}}
    (store.data_dir / "bench-store.json").write_text(json.dumps(info))
    (tmp_path / SECRET_FILE).unlink()  # as a run before the file was kept left it

    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--database-url",
            postgres_url,
            "--data-dir",
            str(tmp_path),
            "--events",
            "1000",
            "--quick",
            "--reuse",
        ],
    )

    assert result.exit_code == 5, result.output
    assert "the kept store's keys are not in --data-dir" in result.output
