"""Throttles hold when attempts arrive at once, against a real server process.

Each test starts ``consortium serve`` (uvicorn, its thread pool, the production
argon2 cost) and sends N requests released together by a barrier, each on its own
connection. An attempt the throttle lets through is checked (answered 422, a wrong
password); one it stops is answered 429 without any check. The property is about
what the server did, not about timing: at most the limit are ever checked, however
the requests interleave. (A 503 "busy" would be a request that found no free
argon2 slot for 10 s: uncounted and unchecked; none is expected here.)
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.processes import consortium_serve
from tests.support.raw_http import at_once, form_page, request
from web.identity.throttle import LOGIN_ACCOUNT, LOGIN_ADDRESS, REAUTHENTICATE
from web.ops.storage import open_stores
from web.settings import Settings

PASSWORD = "a long enough secret"
EMAIL = "someone@test.example"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Server:
    """What a test needs to reach its server and read its memory."""

    url: str
    pid: int


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The server's environment, with one account created (production argon2 cost,
    so each check costs what it costs in production)."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    settings = Settings(data_dir=tmp_path, database_url=url or None, secret_key="k")
    stores = open_stores(settings)
    try:
        stores.accounts.create_account(
            EMAIL, "Someone", PASSWORD, now=datetime.now(UTC)
        )
    finally:
        stores.close()
    return {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_DATABASE_URL": url,
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_TICK_SECONDS": "3600",
    }


def settings_of(environment: dict[str, str]) -> Settings:
    """The settings the server of ``environment`` runs with."""
    return Settings(
        data_dir=Path(environment["CONSORTIUM_DATA_DIR"]),
        database_url=environment["CONSORTIUM_DATABASE_URL"] or None,
        secret_key="k",
    )


@pytest.fixture
def server(environment: dict[str, str]) -> Iterator[Server]:
    with consortium_serve(environment) as (url, process):
        yield Server(url, process.pid)


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far, in bytes (Linux ``VmHWM``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None
    return int(match.group(1)) * 1024


def test_thirty_simultaneous_wrong_logins_for_one_account_check_at_most_five(
    server: Server,
) -> None:
    cookie, token = form_page(server.url, "/login")
    wrong = {"email": EMAIL, "password": "wrong password", "csrf_token": token}

    statuses = at_once(server.url, "/login", [wrong] * 30, cookie)

    assert set(statuses) <= {422, 429, 503}, statuses
    assert statuses[422] <= LOGIN_ACCOUNT.attempts, statuses
    assert statuses[429] >= 30 - LOGIN_ACCOUNT.attempts - statuses[503], statuses


def test_the_right_password_among_thirty_frees_at_most_the_failures_before_it(
    server: Server, environment: dict[str, str]
) -> None:
    # A success clears the failures already known, never those still being
    # checked: so at most limit - 1 wrong ones are forgotten, and every wrong one
    # checked after them stays counted.
    cookie, token = form_page(server.url, "/login")
    wrong = {"email": EMAIL, "password": "wrong password", "csrf_token": token}
    bodies = [dict(wrong) for _ in range(29)]
    bodies.append({**wrong, "password": PASSWORD})  # the right one, sent with them

    statuses = at_once(server.url, "/login", bodies, cookie)

    assert set(statuses) <= {303, 422, 429, 503}, statuses
    assert statuses[303] <= 1, statuses  # the right one may come too late
    assert statuses[422] <= 2 * LOGIN_ACCOUNT.attempts - 1, statuses
    stores = open_stores(settings_of(environment))
    try:
        counted = stores.accounts.throttle.count(LOGIN_ACCOUNT, EMAIL)
    finally:
        stores.close()
    assert statuses[422] - (LOGIN_ACCOUNT.attempts - 1) <= counted, statuses
    assert counted <= LOGIN_ACCOUNT.attempts, statuses


def test_thirty_simultaneous_logins_from_one_address_check_at_most_twenty(
    environment: dict[str, str],
) -> None:
    # Two argon2 slots: thirty checks at once would hold 30 × 64 MiB.
    with consortium_serve({**environment, "CONSORTIUM_PASSWORD_CHECKS": "2"}) as (
        url,
        process,
    ):
        cookie, token = form_page(url, "/login")
        # Unknown addresses: each is checked against the production-cost dummy hash.
        bodies = [
            {"email": f"n{n}@test.example", "password": "guess", "csrf_token": token}
            for n in range(30)
        ]
        before = peak_memory(process.pid)

        statuses = at_once(url, "/login", bodies, cookie)

        rise = peak_memory(process.pid) - before
    print(f"peak memory rose by {rise // MIB} MiB")  # noqa: T201
    assert set(statuses) <= {422, 429, 503}, statuses
    assert statuses[422] <= LOGIN_ADDRESS.attempts, statuses
    assert statuses[429] >= 30 - LOGIN_ADDRESS.attempts - statuses[503], statuses
    # At most two 64 MiB verifications at once (and some slack for the requests).
    assert rise < 4 * 64 * MIB, f"peak memory rose by {rise // MIB} MiB"


def test_twenty_simultaneous_password_rechecks_check_at_most_five(
    server: Server,
) -> None:
    cookie, token = form_page(server.url, "/login")
    status, headers, _ = request(
        server.url,
        "POST",
        "/login",
        urllib.parse.urlencode(
            {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        ),
        cookie,
    )
    assert status == 303
    cookie, token = form_page(
        server.url, "/account/password", headers["set-cookie"].split(";", 1)[0]
    )
    change = {
        "current_password": "not my password",
        "password": "another long secret",
        "password_again": "another long secret",
        "csrf_token": token,
    }

    statuses = at_once(server.url, "/account/password", [change] * 20, cookie)

    assert set(statuses) <= {422, 429, 503}, statuses
    assert statuses[422] <= REAUTHENTICATE.attempts, statuses
    assert statuses[429] >= 20 - REAUTHENTICATE.attempts - statuses[503], statuses
