"""Audit fixtures: the audited store on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.audit_store import Audited, an_audited_store
from web.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A data directory on SQLite files, then on PostgreSQL."""
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    return Settings(data_dir=tmp_path / "data", database_url=url, secret_key="k")


@pytest.fixture
def audited(settings: Settings, tmp_path: Path) -> Iterator[Audited]:
    """A store with history, an attached file and a countersigned checkpoint."""
    store = an_audited_store(settings, tmp_path)
    yield store
    store.stores.close()


@pytest.fixture
def store_with_pristine_copy(tmp_path: Path) -> tuple[Settings, Path, int]:
    """A SQLite audited store, unsealed, and a copy of its pristine event file."""
    settings = Settings(data_dir=tmp_path / "data", secret_key="k")
    store = an_audited_store(settings, tmp_path)
    store.insider.unseal()
    last = store.insider.positions()[-1]
    store.stores.close()
    pristine = tmp_path / "pristine-events.db"
    shutil.copyfile(settings.data_dir / "events.db", pristine)
    return settings, pristine, last
