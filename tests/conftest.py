"""Fixtures shared across layers: the clock, the event store variants, PostgreSQL.

Application and projection tests run on the in-memory store, a SQLite file and a
real PostgreSQL server. The server is started once per session (only if a test asks
for it) and each test gets a database of its own. Without PostgreSQL binaries those
tests are skipped locally, and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.actor import Actor
from governance.application import Governance
from tests.support.builders import COORDINATOR_ID, T0, a_governance
from tests.support.fakes import FixedClock
from tests.support.postgres import PostgresServer, PostgresUnavailable
from web.app import route_table
from web.links import use_route_table

# E-mails build their links from the app's route table, which create_app and the
# CLI feed at start; tests that open the stores by themselves need it too.
use_route_table(route_table)

STORES = ("popo", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except (PostgresUnavailable, subprocess.CalledProcessError, OSError) as error:
        reason = f"PostgreSQL unavailable ({error}): install Debian's postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The event store variant: in memory, SQLite file, PostgreSQL."""
    return str(request.param)


@pytest.fixture
def app(
    store: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Governance]:
    """The service on each event store variant."""
    url = request.getfixturevalue("postgres_url") if store == "postgres" else None
    governance = a_governance(store, tmp_path, clock, url=url)
    yield governance
    governance.close()


@pytest.fixture
def coordinator() -> Actor:
    return Actor(COORDINATOR_ID)
