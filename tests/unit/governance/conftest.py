"""Unit fixtures: the acting account that every domain event needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from governance.actor import acting_as
from tests.support.builders import COORDINATOR_ID, T0


@pytest.fixture
def acting() -> Iterator[str]:
    """Run the test as the coordinator, at ``T0``; yields the acting account."""
    with acting_as(COORDINATOR_ID, at=T0):
        yield COORDINATOR_ID
