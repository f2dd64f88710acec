"""``audit verify`` on PostgreSQL reads the log, the chain and the files through the
read models' engine: one connection for the log's checkpoints, its records and the
chain, one for the files (each opening cost a fifth of what the pass reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.audit_store import an_audited_store
from web.settings import Settings


@pytest.mark.postgres
def test_verify_on_postgresql_opens_two_connections(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=postgres_url, secret_key="k"
    )
    audited = an_audited_store(settings, tmp_path)
    opened: list[str] = []
    connect = psycopg.connect

    def counted(*args: Any, **kwargs: Any) -> psycopg.Connection[Any]:
        opened.append("connection")
        return connect(*args, **kwargs)

    try:
        monkeypatch.setattr(psycopg, "connect", counted)
        report = audited.verify(audited.checkpoint_file)
    finally:
        monkeypatch.undo()
        audited.stores.close()

    # Everything was read: the checkpoint in the log and the file, the file's bytes.
    assert report.ok
    assert report.checkpoints == 2
    assert report.evidence_files == 1
    assert report.chained == report.events > 0
    assert len(opened) == 2
