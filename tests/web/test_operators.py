"""What an operator relies on: the version, ``python -m``, the licence and the
source offered to users (AGPL §13), a request id on every response and log line,
JSON logs, and a health command that fails when the scheduled jobs stopped."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import urllib.request
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from notifications.scheduler import JOB_NAME
from tests.support.processes import (
    consortium_command,
    free_port,
    stop,
    wait_until_healthy,
)
from web.app import create_app
from web.cli import main
from web.ops.storage import open_stores
from web.ops.webhooks import WEBHOOK_POLLER
from web.settings import Settings

ROOT = Path(__file__).parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}


def test_version_is_the_installed_distributions() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"consortium, version {version('consortium-ledger')}\n"


def test_python_dash_m_web_is_the_consortium_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "web", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: consortium [OPTIONS] COMMAND" in result.stdout


def test_the_licence_file_is_the_agpl_the_project_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November")
    assert "13. Remote Network Interaction" in text


def archive_names(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        return tar.getnames()


def test_anyone_downloads_the_source_of_the_running_server(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        login_page = client.get("/login")
        assert 'href="/source.tar.gz"' in login_page.text
        answer = client.get("/source.tar.gz")
        again = client.get(
            "/source.tar.gz", headers={"If-None-Match": answer.headers["etag"]}
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/gzip"
    names = archive_names(answer.content)
    for expected in (
        "governance/__init__.py",
        "projections/catalogue.py",
        "notifications/outbox.py",
        "web/routes/source.py",
        "web/templates/base.html",
        "LICENSE",
        "pyproject.toml",
    ):
        assert f"consortium-ledger/{expected}" in names
    assert not [name for name in names if "__pycache__" in name or "/var/" in name]
    # Nothing of the data directory (keys, stores) can leak into it.
    assert not [name for name in names if name.endswith((".db", "secret_key"))]
    assert again.status_code == 304


def test_the_footer_links_to_the_repository_an_operator_names(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="k",
        scheduler=False,
        source_url="https://git.example.org/consortium-ledger",
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        page = client.get("/login")
    assert 'href="https://git.example.org/consortium-ledger"' in page.text


def test_every_response_carries_a_request_id_a_proxy_may_give(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        own = client.get("/login").headers["x-request-id"]
        given = client.get("/login", headers={"X-Request-Id": "proxy-req-42abc"})
        forged = client.get("/login", headers={"X-Request-Id": "x\tGET /admin 200"})
        missing = client.get("/no-such-page")
    assert len(own) == 32
    assert int(own, 16) >= 0
    assert given.headers["x-request-id"] == "proxy-req-42abc"
    assert forged.headers["x-request-id"] not in {"x\tGET /admin 200", ""}
    assert len(missing.headers["x-request-id"]) == 32


def test_a_bad_log_format_is_refused_before_anything_runs(
    env: dict[str, str],
) -> None:
    result = CliRunner().invoke(
        main, ["health"], env={**env, "CONSORTIUM_LOG_FORMAT": "xml"}
    )
    assert result.exit_code == 2
    assert "CONSORTIUM_LOG_FORMAT must be text or json" in result.output


def serve_and_ask(env: dict[str, str], request_id: str) -> tuple[str, str]:
    """Start ``consortium serve``, GET the login page with ``request_id``, stop;
    what it wrote on stdout and stderr (into files: a pipe nobody reads while the
    server runs could fill and stall it)."""
    port = free_port()
    logs = Path(env["CONSORTIUM_DATA_DIR"]).parent
    with (
        (logs / "stdout.log").open("wb") as out,
        (logs / "stderr.log").open("wb") as err,
    ):
        process = subprocess.Popen(
            [consortium_command(), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(f"{base}/healthz", process)
            asked = urllib.request.Request(  # noqa: S310 (our own local server)
                f"{base}/login", headers={"X-Request-Id": request_id}
            )
            with urllib.request.urlopen(asked, timeout=10) as answer:  # noqa: S310
                assert answer.headers["X-Request-Id"] == request_id
        finally:
            stop(process)
    return (logs / "stdout.log").read_text(), (logs / "stderr.log").read_text()


def test_json_logs_put_one_object_per_line_with_the_request_id(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(tmp_path / "data"),
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_LOG_FORMAT": "json",
    }
    out, _ = serve_and_ask(env, "probe-json-1234")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines, "no log line on stdout"
    assert all(
        {"time", "level", "name", "message", "request_id"} <= set(line)
        for line in lines
    )
    asked = [line for line in lines if line["request_id"] == "probe-json-1234"]
    # uvicorn's access line, written while the request ran, carries its id.
    assert any(
        line["name"] == "uvicorn.access" and "GET /login" in line["message"]
        for line in asked
    ), lines
    started = [
        line for line in lines if "Application startup complete" in line["message"]
    ]
    assert started
    assert started[0]["request_id"] == "-"
    # The scheduler started (its own line), without APScheduler's chatter: two lines
    # at every run of every job, every 5 s for the pollers.
    assert any("scheduler.started" in line["message"] for line in lines), lines
    assert [line for line in lines if line["name"].startswith("apscheduler")] == []


def test_text_logs_name_the_request_on_the_access_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(tmp_path / "data"),
        "CONSORTIUM_SECRET_KEY": "k",
    }
    env.pop("CONSORTIUM_LOG_FORMAT", None)
    _, err = serve_and_ask(env, "probe-text-1234")
    access = [line for line in err.splitlines() if "GET /login" in line]
    assert access, err
    assert all("[probe-text-1234]" in line for line in access), err


def record_tick(
    env: dict[str, str], *, ago: timedelta, ok: bool, name: str = JOB_NAME
) -> None:
    stores = open_stores(
        Settings(data_dir=Path(env["CONSORTIUM_DATA_DIR"]), secret_key="k")
    )
    try:
        finished = datetime.now(UTC) - ago
        stores.health.record(
            name,
            started_at=finished - timedelta(seconds=1),
            finished_at=finished,
            ok=ok,
            summary="closed=0",
            error=None if ok else "SMTPServerDisconnected('gone')",
        )
    finally:
        stores.close()


def test_health_fails_on_a_store_whose_jobs_never_ran(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["health"], env=env)
    assert result.exit_code == 6
    assert "never run" in result.output


def test_health_passes_after_a_recent_good_tick(env: dict[str, str]) -> None:
    record_tick(env, ago=timedelta(seconds=5), ok=True)
    result = CliRunner().invoke(main, ["health"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: last tick")


def test_health_fails_when_the_last_good_tick_is_too_old(env: dict[str, str]) -> None:
    record_tick(env, ago=timedelta(minutes=10), ok=True)
    stale = CliRunner().invoke(main, ["health"], env=env)
    patient = CliRunner().invoke(main, ["health", "--max-age", "900"], env=env)
    assert stale.exit_code == 6
    assert "have not run well for longer than 180 s" in stale.output
    assert patient.exit_code == 0


def test_health_fails_and_says_why_when_the_last_tick_failed(
    env: dict[str, str],
) -> None:
    record_tick(env, ago=timedelta(seconds=5), ok=True)
    record_tick(env, ago=timedelta(seconds=1), ok=False)
    result = CliRunner().invoke(main, ["health"], env=env)
    assert result.exit_code == 6
    assert "SMTPServerDisconnected" in result.output


def test_health_fails_when_a_poller_keeps_failing_or_stopped(
    env: dict[str, str],
) -> None:
    record_tick(env, ago=timedelta(seconds=5), ok=True)
    record_tick(env, ago=timedelta(seconds=2), ok=True, name=WEBHOOK_POLLER)
    passing = CliRunner().invoke(main, ["health"], env=env)
    record_tick(env, ago=timedelta(seconds=1), ok=False, name=WEBHOOK_POLLER)
    failing = CliRunner().invoke(main, ["health"], env=env)
    record_tick(env, ago=timedelta(minutes=10), ok=True, name=WEBHOOK_POLLER)
    stopped = CliRunner().invoke(main, ["health"], env=env)

    assert passing.exit_code == 0, passing.output
    assert re.search(r", webhooks \d+ s ago$", passing.output.strip())
    assert failing.exit_code == 6
    assert "the last run of the webhooks job failed" in failing.output
    assert "SMTPServerDisconnected" in failing.output
    assert stopped.exit_code == 6
    assert "the webhooks job has not run well for longer than 180 s" in stopped.output
