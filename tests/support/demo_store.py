"""The demo's store, loaded as ``consortium demo`` loads it, for tests that need a
real consortium without building one."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from projections.consortia import consortia
from web.cli import main
from web.ops.storage import open_stores
from web.settings import Settings

COORDINATOR = ("coordinator@demo.example", "coordinator-demo")
"""The demo coordinator's e-mail and password."""


def load_demo(env: dict[str, str]) -> str:
    """Load the demo into the store ``env`` names (``CONSORTIUM_*``); its
    consortium's id."""
    loaded = CliRunner().invoke(main, ["demo"], env=env)
    assert loaded.exit_code == 0, loaded.output
    stores = open_stores(Settings.from_env(env))
    try:
        with stores.read_side.engine.connect() as connection:
            return str(
                connection.execute(select(consortia.c.consortium_id)).scalar_one()
            )
    finally:
        stores.close()
