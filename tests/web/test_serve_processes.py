"""``consortium serve --workers N``: N web processes answer on one port, sharing the
store (sessions, read models, the read-your-writes cookie), and stop together."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import (
    consortium_command,
    free_port,
    stop,
    wait_until_healthy,
)

STARTED = re.compile(r"Started server process \[(\d+)\]")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    found = {
        "CONSORTIUM_DATA_DIR": str(tmp_path / "data"),
        "CONSORTIUM_SECRET_KEY": "k" * 43,
        "PATH": "/usr/bin:/bin",
    }
    if request.param == "postgres":
        found["CONSORTIUM_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    return found


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


def started_processes(log: Path, count: int) -> set[int]:
    """The web processes the log says started, once ``count`` of them did."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        pids = {int(pid) for pid in STARTED.findall(text)}
        if len(pids) >= count and text.count("Application startup complete") >= count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} web processes started:\n{text}")


def test_two_web_processes_answer_on_one_port_and_stop_together(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        server = subprocess.Popen(
            [consortium_command(), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(f"{base}/healthz", server)
            workers = started_processes(log, 2)
            assert len(workers) == 2
            assert server.pid not in workers
            assert all(alive(pid) for pid in workers)
            # New connections, spread by the kernel over the processes: all served.
            for _ in range(20):
                with urllib.request.urlopen(f"{base}/login", timeout=10) as answer:  # noqa: S310
                    assert answer.status == 200
        finally:
            stop(server)
    assert server.returncode == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "a web process outlived serve"
    assert "Traceback" not in log.read_text()


def test_the_environment_chooses_how_many(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        server = subprocess.Popen(
            [consortium_command(), "serve", "--port", str(port)],
            env={**env, "CONSORTIUM_WEB_PROCESSES": "3"},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}/healthz", server)
            assert len(started_processes(log, 3)) == 3
        finally:
            stop(server)
