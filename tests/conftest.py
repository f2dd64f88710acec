"""Fixtures shared by the application and projection tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.actor import Actor
from governance.application import Governance
from tests.support.builders import COORDINATOR_ID, STORES, T0, a_governance
from tests.support.fakes import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(params=STORES)
def app(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Governance]:
    """The service on the in-memory store, then on a SQLite file."""
    governance = a_governance(request.param, tmp_path, clock)
    yield governance
    governance.close()


@pytest.fixture
def coordinator() -> Actor:
    return Actor(COORDINATOR_ID)
