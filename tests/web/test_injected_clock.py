"""The app reads one clock, the one it was given: pages, commands and sessions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import PASSWORD, login, post, stores_of
from web.app import create_app
from web.settings import Settings

# Far from the machine's time (a page that read the system clock would show it), and
# late in the day: a few hours on, it is the next day, the session still alive.
T0 = datetime(2031, 6, 16, 21, 0, tzinfo=UTC)
FOUND = {
    "name": "Mobilités du Haut-Pays",
    "acronym": "MHP",
    "summary": "",
    "territory": "Haut-Pays",
    "call_name": "Mobilités rurales",
    "call_funder": "Région fictive",
    "call_reference": "MR-1",
    "call_opens_on": "2031-01-01",
    "call_closing_dates": "2031-09-30",
    "call_url": "https://calls.example/mr",
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def timed(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The app given a clock stopped at T0, and a person logged in."""
    app = create_app(settings, clock=clock)
    with TestClient(app, base_url="https://testserver") as client:
        stores_of(client).accounts.create_account(
            "coordinator@test.example", "Coordinator", PASSWORD, now=clock.now()
        )
        login(client, "coordinator@test.example")
        yield client


def phase_date(page: str) -> str:
    """The date the phase form proposes (today by default)."""
    match = re.search(r'name="on"[^>]*value="([0-9-]+)"', page)
    if match is None:
        match = re.search(r'value="([0-9-]+)"[^>]*name="on"', page)
    assert match is not None, "no phase form"
    return match.group(1)


def test_the_stores_hold_the_clock_the_app_was_given(
    timed: TestClient, clock: FixedClock
) -> None:
    stores = stores_of(timed)

    assert stores.clock is clock
    assert stores.governance.clock is clock
    assert stores.accounts.throttle.clock is clock


def test_pages_and_commands_read_the_given_clock_and_move_with_it(
    timed: TestClient, clock: FixedClock
) -> None:
    founded = post(timed, "/consortia/new", FOUND)
    overview = founded.headers["location"]

    first = timed.get(overview).text
    clock.advance(timedelta(hours=4))
    next_day = timed.get(overview).text

    assert phase_date(first) == "2031-06-16"
    assert phase_date(next_day) == "2031-06-17"
    assert "since 16 June 2031" in next_day  # founded on the clock's day
