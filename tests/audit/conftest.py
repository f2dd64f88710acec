"""Audit fixtures: the audited store on SQLite and on PostgreSQL."""

from __future__ import annotations

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
