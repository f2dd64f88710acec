"""Two hosts on one PostgreSQL, as one deployment (issue 18 §3).

Exactly what an operator runs: two ``consortium serve`` processes with **separate
data directories** and one ``consortium worker`` (a third data directory), on one
PostgreSQL server. Nothing may live only in one host's data directory: a file
uploaded through one host downloads through the other; two-step login set up on one
is used to log in on the other; a reminder leaves once. The keys are moved the way
the refusal says: ``consortium keys export`` on the first host, ``keys import`` on
the others.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from governance.actor import Actor
from governance.values import Paper, PartnerIdentity, PartnerKind, PartnerRole
from notifications.policy import LOCAL_ZONE
from tests.notifications.conftest import build_reminded
from tests.support.fakes import FixedClock
from tests.support.processes import consortium_command, consortium_serve, stop
from tests.support.smtp import SmtpServer
from tests.web.conftest import give_code, login, password_step, switch_on_two_step
from tests.web.test_evidence_kept import (
    DELIVERY,
    evidence_url,
    pledged,
    secret_pdf,
    upload,
)
from web.identity import totp
from web.ops.storage import open_stores
from web.settings import Settings

pytestmark = pytest.mark.postgres

WAIT_SECONDS = 60.0


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def host_env(postgres_url: str, data_dir: Path, smtp: SmtpServer) -> dict[str, str]:
    """One host's settings: its own data directory, the shared database. No
    CONSORTIUM_SECRET_KEY: every key is a file of the data directory."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("CONSORTIUM_")}
    return {
        **kept,
        "CONSORTIUM_DATABASE_URL": postgres_url,
        "CONSORTIUM_DATA_DIR": str(data_dir),
        "CONSORTIUM_TICK_SECONDS": "1",
        "CONSORTIUM_SMTP_HOST": "127.0.0.1",
        "CONSORTIUM_SMTP_PORT": str(smtp.port),
        "CONSORTIUM_SMTP_SECURITY": "none",
    }


def consortium(env: dict[str, str], *args: str, stdin: str = "") -> Any:
    return subprocess.run(
        [consortium_command(), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def started_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [consortium_command(), "worker"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def secrets_in(export: str) -> list[str]:
    """The secret lines of an export (the PEM's body, the other keys whole)."""
    keys = json.loads(export)["keys"]
    return [
        line
        for text in keys.values()
        for line in text.strip().splitlines()
        if not line.startswith("-----")
    ]


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {WAIT_SECONDS:.0f} s")
        time.sleep(0.1)


def test_two_hosts_and_a_worker_on_one_postgresql_behave_as_one_deployment(
    postgres_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    env_one = host_env(postgres_url, one, smtp)
    env_two = host_env(postgres_url, two, smtp)
    env_worker = host_env(postgres_url, tmp_path / "worker", smtp)
    # The first host sets the deployment up: its keys are the database's.
    settings = Settings(
        data_dir=one,
        database_url=postgres_url,
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
    )
    stores = open_stores(settings)
    today = datetime.now(LOCAL_ZONE).date()
    try:
        # A report whose J-30 reminder fell due yesterday at 07:00 (Paris time).
        reminded = build_reminded(
            stores, FixedClock(datetime.now(UTC)), due_on=today + timedelta(days=29)
        )
        partner = stores.governance.admit_partner(
            Actor(reminded.coordinator),
            reminded.consortium_id,
            PartnerIdentity("Fablab du Port", PartnerKind.SOCIAL_ECONOMY),
            role=PartnerRole.PARTNER,
            axis="",
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=date(2026, 1, 6),
        ).id
    finally:
        stores.close()

    # A second host without the keys refuses to start, and says how to fix it.
    refused = consortium(env_two, "serve", "--port", "1")
    assert refused.returncode == 5, refused.stderr
    for words in ("secrets key", "audit signing key", "form key", "is missing"):
        assert words in refused.stderr
    assert "consortium keys export" in refused.stderr
    assert "consortium keys import" in refused.stderr

    exported = consortium(env_one, "keys", "export", "-")
    assert exported.returncode == 0, exported.stderr
    for env in (env_two, env_worker):
        imported = consortium(env, "keys", "import", "-", stdin=exported.stdout)
        assert imported.returncode == 0, imported.stderr
        assert "written to" in imported.stdout
        said = imported.stdout + imported.stderr
        assert not [key for key in secrets_in(exported.stdout) if key in said]

    worker = started_worker(env_worker, tmp_path / "worker.log")
    try:
        with (
            consortium_serve(env_one) as (first, _),
            consortium_serve(env_two) as (second, _),
            httpx.Client(base_url=first) as alice,
            httpx.Client(base_url=second) as bob,
        ):
            coordinator = reminded.emails["coordinator"]
            # Evidence uploaded through the first host...
            login(alice, coordinator)
            content = secret_pdf("two hosts")
            commitment = pledged(alice, reminded.consortium_id, partner)
            delivered = upload(
                alice, commitment + "/deliver", DELIVERY, "evidence", "p.pdf", content
            )
            assert delivered.status_code == 303, delivered.text
            # ...downloads through the second.
            login(bob, coordinator)
            download = bob.get(evidence_url(reminded.consortium_id, content))
            assert download.status_code == 200
            assert download.content == content
            assert not (two / "evidence").exists()

            # Two-step login switched on through the first host...
            now = datetime.now(UTC)
            two_step = switch_on_two_step(alice, now)
            # ...is asked for, and passed, on the second.
            asked = password_step(bob, coordinator)
            assert asked.headers["location"].startswith("/login/code")
            passed = give_code(
                bob, totp.code_at(two_step.secret, now + timedelta(seconds=30))
            )
            assert passed.status_code == 303, passed.text
            assert bob.get("/account").status_code == 200

            # The reminder leaves once, whichever processes run.
            def reminders() -> list[Any]:
                # The steps taken also notify people (notices): count the reminders.
                return [
                    m
                    for m in smtp.sink.received
                    if str(m["Message-ID"]).startswith("<reminder.")
                ]

            wait_for(lambda: len(reminders()) >= 1, "the reminder e-mail")
            sent_at = datetime.now(UTC)
            reopened = open_stores(settings)
            try:
                wait_for(
                    lambda: (
                        (run := reopened.health.last("tick")) is not None
                        and run.started_at > sent_at + timedelta(seconds=2)
                    ),
                    "two more ticks of the worker",
                )
            finally:
                reopened.close()
            [reminder] = reminders()
            assert reminded.emails["pilot"] in reminder["To"]
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
    finally:
        stop(worker)
