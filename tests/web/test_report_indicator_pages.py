"""Indicator values on a report's page: of its period, and as a draft included them."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post
from tests.web.test_indicator_pages import define
from tests.web.test_reporting_pages import schedule_once


def measure(client: TestClient, world: World, on: str, value: str) -> None:
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    found = re.search(
        r'action="(/consortia/[^"]+/indicators/[0-9a-f-]+/measure)"', page
    )
    assert found is not None
    response = post(
        client, found.group(1), {"value": value, "on": on, "source": "Fiches"}
    )
    assert response.status_code == 303


def first_half_report(client: TestClient, world: World) -> str:
    """A report on January to June 2026, due 30 days after; its address."""
    response = post(
        client,
        f"/consortia/{world.consortium_id}/reporting",
        {
            "funder": "Banque fictive",
            "title": "Bilan semestriel",
            "kind": "indicator_update",
            "mode": "periodic",
            "first_period_start": "2026-01-01",
            "every_months": "6",
            "due_days": "30",
            "count": "1",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/consortia/{world.consortium_id}/reporting").text
    found = re.search(r'href="(/consortia/[^"]+/reports/[0-9a-f-]{36})">Bilan', page)
    assert found is not None
    return found.group(1)


def section(page: str) -> str:
    found = re.search(
        r'<section aria-labelledby="report-indicators".*?</section>', page, re.DOTALL
    )
    assert found is not None, "no indicator section"
    return found.group(0)


def test_a_report_shows_the_values_of_its_period_before_including_them(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    define(client, world)  # people helped, 0 → 1,000
    measure(client, world, "2025-12-15", "100")
    measure(client, world, "2026-03-01", "250")
    measure(client, world, "2026-06-30", "400")
    measure(client, world, "2026-07-01", "450")
    url = first_half_report(client, world)

    page = client.get(url).text

    shown = section(page)
    assert "Indicator values of the period" in shown
    assert "Values measured from 1 January 2026 to 30 June 2026." in shown
    assert "As recorded now" in shown
    assert "250 people" in shown
    assert "400 people" in shown
    assert "100 people" not in shown
    assert "450 people" not in shown
    assert "40%" in shown  # progress at the period's last value
    assert 'name="include_indicators" value="yes"' in page
    assert 'value="yes" checked' not in page


def test_the_pilot_team_includes_the_values_and_the_financer_reviews_them(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    define(client, world)
    measure(client, world, "2026-03-01", "250")
    url = first_half_report(client, world)

    drafted = post(
        client, url + "/draft", {"text": "Semestre 1", "include_indicators": "yes"}
    )
    submitted = post(client, url + "/submit")
    measure(client, world, "2026-05-01", "600")  # after submitting: not in the report
    login(client, world.emails["financer"])
    page = client.get(url).text

    assert drafted.status_code == submitted.status_code == 303
    shown = section(page)
    assert "Indicator values in this report" in shown
    assert "As recorded now" not in shown
    assert "250 people" in shown
    assert "600 people" not in shown
    assert "25%" in shown
    assert "saved a draft with the indicator values" in page
    assert "include_indicators" not in page  # the financer does not write


def test_a_redraft_keeps_the_box_ticked_and_may_leave_the_values_out(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    define(client, world)
    url = first_half_report(client, world)
    post(client, url + "/draft", {"text": "", "include_indicators": "yes"})

    ticked = client.get(url).text
    post(client, url + "/draft", {"text": "Sans indicateurs"})
    left_out = client.get(url).text

    assert 'name="include_indicators" value="yes" checked' in ticked
    assert "Not measured in this period." in section(ticked)
    assert "Indicator values in this report" in section(ticked)
    assert "Indicator values of the period" in section(left_out)
    assert 'value="yes" checked' not in left_out


def test_a_one_off_report_shows_everything_up_to_its_due_date(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    define(client, world)
    measure(client, world, "2026-03-01", "250")
    url = schedule_once(client, world, "2026-02-28")

    shown = section(client.get(url).text)

    assert "Values measured up to 28 February 2026." in shown
    assert "Not measured in this period." in shown


def test_without_indicators_there_is_no_section_and_no_box(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, "2026-12-01")
    before = event_count(client)

    page = client.get(url).text
    empty = post(client, url + "/draft", {"text": "", "include_indicators": "yes"})

    assert 'aria-labelledby="report-indicators"' not in page
    assert "include_indicators" not in page
    assert empty.status_code == 422  # nothing to include: still an empty report
    assert event_count(client) == before


def test_the_indicator_values_speak_french(client: TestClient, world: World) -> None:
    login(client, world.emails["pilot"])
    define(client, world)
    measure(client, world, "2026-03-01", "250")
    url = first_half_report(client, world)
    post(client, url + "/draft", {"text": "S1", "include_indicators": "yes"})
    client.cookies.set("lang", "fr")

    shown = section(client.get(url).text)

    assert "Valeurs des indicateurs incluses dans ce rapport" in shown
    assert "Valeurs mesurées du 1 janvier 2026 au 30 juin 2026." in shown
    assert "25\xa0%" in shown
