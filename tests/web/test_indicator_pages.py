"""Indicators through the pages: define, measure, see progress."""

from __future__ import annotations

import re
from typing import Any

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


def test_the_page_shows_each_indicators_latest_values_and_links_to_all_of_them(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    define(client, world)
    indicators = f"/consortia/{world.consortium_id}/indicators"
    found = re.search(r'action="([^"]+/measure)"', client.get(indicators).text)
    assert found is not None
    months = [f"{2025 + (n // 12)}-{n % 12 + 1:02d}-01" for n in range(14)]
    for n, on in enumerate(months[:12]):
        post(
            client,
            found.group(1),
            {"value": str(10 * (n + 1)), "on": on, "source": "S"},
        )
    twelve = client.get(indicators).text
    for n, on in enumerate(months[12:], start=12):
        post(
            client,
            found.group(1),
            {"value": str(10 * (n + 1)), "on": on, "source": "S"},
        )

    page = client.get(indicators).text
    link = re.search(r'href="([^"]+/indicators/[0-9a-f-]+)">All 14 values', page)
    assert link is not None
    detail = client.get(link.group(1))
    login(client, world.emails["member"])
    read_only = client.get(link.group(1)).text

    assert "All 12 values" not in twelve
    assert "Values of People helped" in twelve
    assert "Latest values of People helped" in page
    assert page.count("Correct or withdraw") == 12
    # The two oldest values are on the indicator's own page, not on this one.
    assert "1 January 2025" not in page
    assert "1 February 2025" not in page
    assert "<td>1 March 2025</td>" in page
    assert "<td>1 February 2026</td>" in page
    assert '<span class="visually-hidden"> of People helped</span>' in page
    assert detail.status_code == 200
    assert "<h1>People helped</h1>" in detail.text
    assert detail.text.count("Correct or withdraw") == 14
    assert "<td>1 January 2025</td>" in detail.text
    assert '<caption class="visually-hidden">Values of People helped' in detail.text
    assert "From 1 January 2025 (10) to 1 February 2026 (140)" in detail.text
    assert "<td>1 January 2025</td>" in read_only
    assert "Correct or withdraw" not in read_only
    assert "<form" not in read_only.split("<main", 1)[-1]


def test_another_consortiums_indicator_has_no_page_here(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["outsider"])
    consortia = client.get("/consortia").text
    other = re.search(r'href="/consortia/([0-9a-f-]{36})"', consortia)
    assert other is not None
    theirs = f"/consortia/{other.group(1)}/indicators"
    assert define_at(client, theirs).status_code == 303
    own = re.search(
        r'action="([^"]+/indicators/[0-9a-f-]+)/measure"', client.get(theirs).text
    )
    assert own is not None
    assert client.get(own.group(1)).status_code == 200
    borrowed = own.group(1).replace(other.group(1), str(world.consortium_id))
    login(client, world.emails["pilot"])

    assert client.get(own.group(1)).status_code == 404
    assert client.get(borrowed).status_code == 404
    missing = f"/consortia/{world.consortium_id}/indicators/not-an-indicator"
    assert client.get(missing).status_code == 404


def define_at(client: TestClient, address: str) -> Any:
    """Define an indicator in the consortium whose indicators page is ``address``."""
    return post(
        client,
        address,
        {
            "name": "Lieux ouverts",
            "unit": "lieux",
            "baseline": "0",
            "target": "10",
            "target_on": "2027-06-30",
            "measured_by": "",
        },
    )
