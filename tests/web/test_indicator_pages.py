"""Indicators through the pages: define, measure, see progress."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post


def define(client: TestClient, world: World, **overrides: str) -> object:
    form = {
        "name": "People helped",
        "unit": "people",
        "baseline": "0",
        "target": "1 000",
        "target_on": "2027-06-30",
        "measured_by": "Pilot team",
    }
    return post(
        client, f"/consortia/{world.consortium_id}/indicators", {**form, **overrides}
    )


def test_the_pilot_team_defines_and_measures_an_indicator(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    assert define(client, world).status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    found = re.search(
        r'action="(/consortia/[^"]+/indicators/[0-9a-f-]+/measure)"', page
    )
    assert found is not None
    action = found.group(1)

    first = post(
        client, action, {"value": "250", "on": "2026-03-01", "source": "Sign-in sheets"}
    )
    second = post(
        client, action, {"value": "400", "on": "2026-06-01", "source": "Sign-in sheets"}
    )

    assert first.status_code == second.status_code == 303
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    assert "From 0 to 1,000 people by 30 June 2027" in page
    assert "Progress toward the target: 40%" in page
    assert "<polyline" in page


def test_bad_indicators_and_measurements_come_back(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    same = define(client, world, target="0")
    words = define(client, world, baseline="many")

    assert same.status_code == words.status_code == 422  # type: ignore[attr-defined]
    assert "The target must differ from the baseline." in same.text  # type: ignore[attr-defined]
    assert "Enter a number" in words.text  # type: ignore[attr-defined]
    assert event_count(client) == before


def test_members_and_financers_only_read_indicators(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    define(client, world)
    for role in ("member", "financer"):
        login(client, world.emails[role])
        page = client.get(f"/consortia/{world.consortium_id}/indicators")
        refused = define(client, world, name="Other")
        assert page.status_code == 200
        assert "People helped" in page.text
        assert "Define an indicator" not in page.text
        assert refused.status_code == 403  # type: ignore[attr-defined]
