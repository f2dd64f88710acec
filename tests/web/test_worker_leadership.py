"""Two `consortium worker` processes on one PostgreSQL server: one leads the
scheduled jobs, the other stands by, and takes over when the leader stops."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.processes import consortium_command, stop

pytestmark = pytest.mark.postgres

WAIT_SECONDS = 20.0


def started_worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [consortium_command(), "worker"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_for_line(log: Path, text: str) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_a_second_worker_stands_by_then_takes_over(
    postgres_url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "CONSORTIUM_DATABASE_URL": postgres_url,
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_TICK_SECONDS": "1",
    }
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = started_worker(environment, first_log)
    try:
        assert wait_for_line(first_log, "leader.leading")
        second = started_worker(environment, second_log)
        try:
            # The second one ticks, finds the lock taken, and stands by
            assert wait_for_line(second_log, "scheduler.started")
            time.sleep(2.5)
            assert "leader.leading" not in second_log.read_text()
            # When the leader stops, the one standing by takes the lead
            stop(first)
            assert wait_for_line(second_log, "leader.leading")
        finally:
            stop(second)
    finally:
        stop(first)
    assert "Traceback" not in first_log.read_text() + second_log.read_text()
