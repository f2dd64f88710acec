"""Service fixtures: a Governance on each event store variant, with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from tests.support.builders import (
    founded_consortium,
    store_env,
)
from tests.support.fakes import FixedClock


@pytest.fixture
def consortium_id(app: Governance, coordinator: Actor) -> UUID:
    """A consortium just founded by ``coordinator``."""
    return founded_consortium(app, coordinator)


@pytest.fixture
def sqlite_governance(
    tmp_path: Path, clock: FixedClock
) -> Iterator[Callable[..., Governance]]:
    """Opens services on one shared SQLite file, like processes; closes them after."""
    opened: list[Governance] = []

    def open_governance(**extra_env: str) -> Governance:
        env = {**store_env("sqlite", tmp_path, "shared-events.db"), **extra_env}
        governance = Governance(env=env, clock=clock)
        opened.append(governance)
        return governance

    yield open_governance
    for governance in opened:
        governance.close()
