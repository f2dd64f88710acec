"""``consortium projections prune``: the table sets a newer shape replaced go."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, update

from projections.table_sets import RETIRED, sets
from web.cli import main
from web.ops.storage import open_stores
from web.settings import Settings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}


def test_prune_drops_the_set_an_older_shape_left_and_only_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    CliRunner().invoke(main, ["demo"], env=env)
    settings = Settings(data_dir=tmp_path, secret_key="k")
    stores = open_stores(settings)
    try:
        # The consortia's plain tables as an older version's shape left them
        with stores.read_side.engine.begin() as connection:
            connection.execute(
                update(sets).where(sets.c.name == "consortia").values(fingerprint="old")
            )
    finally:
        stores.close()
    stores = open_stores(settings)  # this version builds its own set beside it
    try:
        stores.read_side.catch_up()
        own = stores.read_side.sets()["consortia"]
    finally:
        stores.close()

    result = CliRunner().invoke(main, ["projections", "prune"], env=env)

    assert result.exit_code == 0, result.output
    assert result.output == "Dropped consortia (plain names).\n"
    stores = open_stores(settings)
    try:
        with stores.read_side.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert own.physical("consortia") in tables
        assert "consortia" not in tables
        assert "partners" in tables
        assert all(s.state != RETIRED for s in stores.read_side.sets().values())
    finally:
        stores.close()
    again = CliRunner().invoke(main, ["projections", "prune"], env=env)
    assert again.output == "No retired table set to drop.\n"
