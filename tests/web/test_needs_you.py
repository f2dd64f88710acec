"""The landing page's "Needs you": what waits on each person, across their consortia."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tests.web.conftest import World, login, post
from tests.web.test_decision_pages import established, tabled
from tests.web.test_reporting_pages import schedule_once

NOTHING = "Nothing needs you right now"


def soon(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def landing(client: TestClient, email: str) -> str:
    login(client, email)
    page = client.get("/consortia")
    assert page.status_code == 200
    return page.text


def test_a_representative_is_asked_to_vote_until_their_partner_has_voted(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))

    before = landing(client, world.emails["member"])
    post(client, url + "/vote", {"partner_id": world.partner_id, "option": "for"})
    after = landing(client, world.emails["member"])

    assert "Vote on “" in before
    assert "for Partner Co" in before
    assert url in before
    assert "Vote on “" not in after
    assert NOTHING in after


def test_the_pilot_team_is_asked_for_a_report_due_soon_not_for_one_due_next_year(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    report = schedule_once(client, world, soon(10), title="Bilan du trimestre")
    schedule_once(client, world, soon(300), title="Bilan annuel suivant")

    page = landing(client, world.emails["pilot"])

    assert "Write and submit “Bilan du trimestre”" in page
    assert report in page
    assert "Bilan annuel suivant" not in page
    assert "Inclusion Numérique" in page


def test_an_overdue_report_says_it_was_due(client: TestClient, world: World) -> None:
    login(client, world.emails["pilot"])
    schedule_once(client, world, soon(-3), title="Bilan en retard")

    page = landing(client, world.emails["coordinator"])

    assert "Write and submit “Bilan en retard”" in page
    assert "was due on" in page


def test_the_financer_is_asked_to_review_a_submitted_report_and_no_longer_after(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, soon(10), title="Rapport à examiner")
    post(client, url + "/draft", {"text": "Six mois de médiation."})
    assert post(client, url + "/submit").status_code == 303

    waiting = landing(client, world.emails["financer"])
    post(client, url + "/review", {"decision": "changes", "comment": "Les chiffres."})
    reviewed = landing(client, world.emails["financer"])
    sent_back = landing(client, world.emails["pilot"])

    assert "Review “Rapport à examiner”" in waiting
    assert "Review “Rapport à examiner”" not in reviewed
    assert "the funder asked for in “Rapport à examiner”" in sent_back


def test_nothing_of_another_consortium_reaches_an_outsider(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    login(client, world.emails["pilot"])
    schedule_once(client, world, soon(5), title="Rapport interne")

    page = landing(client, world.emails["outsider"])

    assert NOTHING in page
    assert url not in page
    assert "Rapport interne" not in page


def test_needs_you_reads_in_french_with_french_punctuation(
    client: TestClient, world: World
) -> None:
    tabled(client, world, established(client, world))
    login(client, world.emails["member"])
    client.cookies.set("lang", "fr")

    page = client.get("/consortia").text

    assert "Ce qui vous attend" in page
    assert "Voter sur «\u00a0" in page
