"""Several processes on one PostgreSQL server: two web processes and a worker.

A change made through one web process is visible through the other; an event recorded
outside any web process reaches the pages because the worker follows the log.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.values import (
    CallForProjects,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
)
from tests.support.processes import consortium_command, stop, web_server
from web.ops.storage import open_stores
from web.settings import Settings

pytestmark = pytest.mark.postgres

PASSWORD = "a long enough secret"


class Browser:
    """A cookie-keeping HTTP client for one person, against one web process."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=10) as response:
            return str(response.read().decode())

    def post(self, path: str, fields: dict[str, str]) -> str:
        token = re.search(
            r'name="csrf-token" content="([^"]+)"',
            self.get("/login" if path == "/login" else "/consortia"),
        )
        assert token is not None
        body = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        with self.opener.open(self.base_url + path, data=body, timeout=10) as response:
            return str(response.read().decode())

    def login(self, email: str) -> None:
        page = self.post("/login", {"email": email, "password": PASSWORD, "next": "/"})
        assert "My consortia" in page


@pytest.fixture
def environment(postgres_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CONSORTIUM_DATABASE_URL": postgres_url,
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_SECRET_KEY": "k",
    }


@pytest.fixture
def worker(environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([consortium_command(), "worker"], env=environment)
    yield process
    stop(process)


def eventually(check: str, read: Callable[[], str], seconds: float = 10.0) -> str:
    """Poll another process's page until it shows ``check`` (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        page = read()
        if check in page or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def test_two_web_processes_and_a_worker_share_one_server(
    environment: dict[str, str], postgres_url: str, worker: subprocess.Popen[bytes]
) -> None:
    settings = Settings(
        data_dir=Path(environment["CONSORTIUM_DATA_DIR"]),
        database_url=postgres_url,
        secret_key="k",
        password_time_cost=1,
        password_memory_kib=8192,
    )
    stores = open_stores(settings)
    for email in ("one@test.example", "two@test.example"):
        stores.accounts.create_account(
            email, email[:3].title(), PASSWORD, now=datetime.now(UTC)
        )
    with web_server(environment) as first, web_server(environment) as second:
        alice, bob = Browser(first), Browser(second)
        alice.login("one@test.example")
        bob.login("one@test.example")

        # A consortium founded through the first process...
        alice.post(
            "/consortia/new",
            {
                "name": "Réseau des tiers-lieux",
                "call_name": "AAP",
                "call_funder": "Région",
            },
        )
        # ...is listed by the second one.
        listing = bob.get("/consortia")
        assert "Réseau des tiers-lieux" in listing
        consortium_id = re.search(r'href="/consortia/([0-9a-f-]{36})"', listing)
        assert consortium_id is not None

        # An event recorded by a third process (no web catch-up) reaches the pages
        # through the worker following the log.
        account = stores.accounts.by_email("one@test.example")
        assert account is not None
        stores.governance.admit_partner(
            Actor(account.account_id),
            UUID(consortium_id.group(1)),
            PartnerIdentity("Fablab du Port", PartnerKind.SOCIAL_ECONOMY),
            role=PartnerRole.PARTNER,
            axis="",
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=datetime.now(UTC).date(),
        )
        partners = eventually(
            "Fablab du Port",
            lambda: bob.get(f"/consortia/{consortium_id.group(1)}/partners"),
        )
        assert "Fablab du Port" in partners
    stores.close()
    assert worker.poll() is None  # still following


def test_a_verification_asked_through_one_web_process_is_run_by_the_worker(
    environment: dict[str, str], postgres_url: str, worker: subprocess.Popen[bytes]
) -> None:
    settings = Settings(
        data_dir=Path(environment["CONSORTIUM_DATA_DIR"]),
        database_url=postgres_url,
        secret_key="k",
        password_time_cost=1,
        password_memory_kib=8192,
    )
    stores = open_stores(settings)
    account = stores.accounts.create_account(
        "one@test.example", "One", PASSWORD, now=datetime.now(UTC)
    )
    consortium_id = stores.governance.found_consortium(
        Actor(account.account_id),
        name="Réseau des tiers-lieux",
        acronym="",
        summary="",
        territory="",
        call=CallForProjects(name="AAP", funder="Région"),
        founded_on=datetime.now(UTC).date(),
    ).id
    audit = f"/consortia/{consortium_id}/audit"
    with web_server(environment) as first, web_server(environment) as second:
        alice, bob = Browser(first), Browser(second)
        alice.login("one@test.example")
        bob.login("one@test.example")
        eventually("Verify now", lambda: alice.get(audit))  # the worker caught up

        pressed = alice.post(f"{audit}/verify", {})
        seen = eventually("record is intact", lambda: bob.get(audit), seconds=60)

    stores.close()
    assert "Verification requested by One" in pressed
    assert "record is intact" in seen
    assert "as requested by One" in seen
