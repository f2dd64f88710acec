"""The tests' own PostgreSQL servers: one left running by a session killed before
its teardown is stopped and removed by the next one; a live session's is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support.postgres import OWNER, PostgresServer, sweep_orphans


def a_gone_process() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def answers(server: PostgresServer) -> bool:
    try:
        with psycopg.connect(server.url(), connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


@pytest.mark.postgres
def test_a_server_whose_session_is_gone_is_stopped_and_removed() -> None:
    orphan, kept = PostgresServer(), PostgresServer()
    try:
        orphan.start()
        kept.start()
        (orphan.root / OWNER).write_text(str(a_gone_process()))
        assert answers(orphan)

        swept = sweep_orphans(orphan.root.parent)

        assert orphan.root in swept
        assert kept.root not in swept
        assert not orphan.root.exists()
        assert not answers(orphan)
        assert answers(kept)
    finally:
        for server in (orphan, kept):
            if server.root.exists():
                server.stop()


def test_a_directory_without_an_owner_is_left_alone(tmp_path: Path) -> None:
    setting_up = tmp_path / "consortium-pg-setup"
    setting_up.mkdir()
    unreadable = tmp_path / "consortium-pg-garbled"
    unreadable.mkdir()
    (unreadable / OWNER).write_text("not a pid")
    ours = tmp_path / "consortium-pg-ours"
    ours.mkdir()
    (ours / OWNER).write_text(str(os.getpid()))
    gone = tmp_path / "consortium-pg-gone"
    gone.mkdir()
    (gone / OWNER).write_text(str(a_gone_process()))

    swept = sweep_orphans(tmp_path)

    assert swept == [gone]
    assert [setting_up.exists(), unreadable.exists(), ours.exists()] == [True] * 3
    assert not gone.exists()
