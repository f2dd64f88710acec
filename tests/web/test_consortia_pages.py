"""My consortia, founding, overview, profile and phase pages."""

from __future__ import annotations

import re
from datetime import date

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import Phase
from tests.web.conftest import (
    World,
    csrf,
    event_count,
    htmx_get,
    login,
    post,
    stores_of,
)
from tests.web.test_decision_pages import established, tabled
from tests.web.test_ledger_pages import pledge_form
from tests.web.test_needs_you import soon
from tests.web.test_reporting_pages import schedule_once

FOUND = {
    "name": "Mobilités du Haut-Pays",
    "acronym": "MHP",
    "summary": "Covoiturage",
    "territory": "Haut-Pays",
    "call_name": "Mobilités rurales",
    "call_funder": "Région fictive",
    "call_reference": "MR-1",
    "call_opens_on": "2026-01-01",
    "call_closing_dates": "2026-04-30\n2026-09-30",
    "call_url": "https://calls.example/mr",
}


def test_my_consortia_lists_only_mine(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])

    response = client.get("/consortia")

    assert response.status_code == 200
    assert "Inclusion Numérique" in response.text
    assert "Elsewhere" not in response.text
    assert "Lead Corp" in response.text  # the lead partner column


def test_a_person_without_consortium_sees_an_empty_state(
    client: TestClient, world: World
) -> None:
    from tests.web.conftest import PASSWORD, stores_of

    stores_of(client).accounts.create_account(
        "new@test.example", "New", PASSWORD, now=stores_of(client).clock.now()
    )
    login(client, "new@test.example")

    response = client.get("/consortia")

    assert "You do not belong to any consortium yet." in response.text


def test_founding_a_consortium_makes_me_its_coordinator(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])

    response = post(client, "/consortia/new", FOUND)

    assert response.status_code == 303
    overview = client.get(response.headers["location"])
    assert "Mobilités du Haut-Pays" in overview.text
    assert "Coordinator" in overview.text
    assert "Wave 2" in overview.text


def test_founding_through_htmx_navigates_with_hx_redirect(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])

    response = post(client, "/consortia/new", FOUND, htmx=True)

    assert response.status_code == 200
    assert re.fullmatch(r"/consortia/[0-9a-f-]{36}", response.headers["hx-redirect"])


def test_an_incomplete_founding_form_comes_back_with_messages(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    before = event_count(client)

    page = post(client, "/consortia/new", {**FOUND, "name": "", "call_url": "ftp://x"})
    fragment = post(
        client, "/consortia/new", {**FOUND, "call_closing_dates": "soon"}, htmx=True
    )

    assert page.status_code == fragment.status_code == 422
    assert "<html" in page.text
    assert "<html" not in fragment.text
    assert "This field is required." in page.text
    assert 'value="Mobilités rurales"' in page.text  # nothing typed is lost
    assert "Enter each date as YYYY-MM-DD." in fragment.text
    assert event_count(client) == before


def test_the_call_address_must_be_http(client: TestClient, world: World) -> None:
    login(client, world.emails["pilot"])

    response = post(
        client, "/consortia/new", {**FOUND, "call_url": "javascript:alert(1)"}
    )

    assert response.status_code == 422
    assert "must start with http" in response.text


def test_a_non_member_gets_404_for_a_consortium(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["outsider"])

    for path in (
        "",
        "/partners",
        "/members",
        "/history",
        "/profile",
        f"/partners/{world.partner_id}",
    ):
        response = client.get(f"/consortia/{world.consortium_id}{path}")
        assert response.status_code == 404, path


def test_a_malformed_consortium_id_is_not_found(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    assert client.get("/consortia/not-a-uuid").status_code == 404


def test_the_overview_shows_phase_call_figures_and_mix(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])

    response = client.get(f"/consortia/{world.consortium_id}")

    assert response.status_code == 200
    assert "Setup" in response.text
    assert "Territoires durables" in response.text
    assert "Company, SME or start-up" in response.text
    assert "Change phase" not in response.text  # financers change nothing


def test_a_legal_phase_change_is_recorded(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        f"/consortia/{world.consortium_id}/phase",
        {"phase": "application_submitted", "on": "2026-02-01"},
    )

    assert response.status_code == 303
    page = client.get(f"/consortia/{world.consortium_id}")
    assert "Application submitted" in page.text


def test_an_illegal_phase_change_is_refused_with_a_reason(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        f"/consortia/{world.consortium_id}/phase",
        {"phase": "agreement_signed", "on": "2026-02-01"},
        htmx=True,
    )

    assert response.status_code == 422
    assert 'id="phase-panel"' in response.text
    assert "<html" not in response.text
    assert "cannot move to" in response.text


def test_a_financer_cannot_change_the_phase(client: TestClient, world: World) -> None:
    login(client, world.emails["financer"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/phase",
        {"phase": "application_submitted", "on": "2026-02-01"},
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_the_coordinator_revises_the_profile(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    form = client.get(f"/consortia/{world.consortium_id}/profile")
    assert 'value="Inclusion Numérique"' in form.text

    response = post(
        client,
        f"/consortia/{world.consortium_id}/profile",
        {**FOUND, "name": "Inclusion Numérique 2"},
    )

    assert response.status_code == 303
    assert (
        "Inclusion Numérique 2" in client.get(f"/consortia/{world.consortium_id}").text
    )


def test_a_member_may_not_open_the_profile_form(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    assert client.get(f"/consortia/{world.consortium_id}/profile").status_code == 403


def test_the_overview_phase_panel_is_served_as_a_fragment(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = htmx_get(client, f"/consortia/{world.consortium_id}")

    assert 'id="phase-panel"' in response.text
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]


def test_the_overview_counts_open_votes_overdue_reports_and_the_next_one_due(
    client: TestClient, world: World
) -> None:
    tabled(client, world, established(client, world))
    login(client, world.emails["pilot"])
    schedule_once(client, world, soon(-5), title="Bilan en retard")
    schedule_once(client, world, soon(20), title="Bilan suivant")
    login(client, world.emails["member"])

    page = client.get(f"/consortia/{world.consortium_id}").text
    figures = re.sub(r"\s+", " ", page[page.index("Key figures") :])

    assert re.search(r"Open votes</a></dt><dd>1<", figures)
    assert re.search(r"Overdue reports</a></dt><dd class=\"flag\">1<", figures)
    assert "Bilan suivant</a>," in figures
    assert "Pledged / delivered" in figures


def _in_implementation(client: TestClient, world: World) -> None:
    stores = stores_of(client)
    coordinator = stores.accounts.by_email(world.emails["coordinator"])
    assert coordinator is not None
    actor = Actor(coordinator.account_id)
    for phase, on in (
        (Phase.APPLICATION_SUBMITTED, date(2026, 2, 1)),
        (Phase.SELECTED, date(2026, 4, 1)),
        (Phase.AGREEMENT_SIGNED, date(2026, 5, 1)),
        (Phase.IMPLEMENTATION, date(2026, 6, 1)),
    ):
        position = stores.governance.change_phase(actor, world.consortium_id, phase, on)
    stores.read_side.wait_for(position)


def test_closing_the_project_asks_for_a_confirmation_in_words(
    client: TestClient, world: World
) -> None:
    _in_implementation(client, world)
    login(client, world.emails["coordinator"])
    url = f"/consortia/{world.consortium_id}/phase"
    before = event_count(client)

    page = client.get(f"/consortia/{world.consortium_id}").text
    one_click = post(client, url, {"phase": "closed", "on": "2026-12-01"}, htmx=True)
    refused_events = event_count(client)
    confirmed = post(
        client, url, {"phase": "closed", "on": "2026-12-01", "confirm_close": "yes"}
    )

    assert "closing cannot be undone" in page
    assert one_click.status_code == 422
    assert "tick the box to confirm" in one_click.text
    assert refused_events == before
    assert confirmed.status_code == 303
    overview = client.get(f"/consortia/{world.consortium_id}").text
    assert "The project is closed." in overview


def test_a_closed_project_takes_no_new_commitment_or_proposal_but_stays_readable(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    _in_implementation(client, world)
    post(
        client,
        f"/consortia/{world.consortium_id}/phase",
        {"phase": "closed", "on": "2026-12-01", "confirm_close": "yes"},
    )
    before = event_count(client)

    login(client, world.emails["member"])
    pledge = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.partner_id),
        htmx=True,
    )
    login(client, world.emails["coordinator"])
    motion = client.post(
        f"/consortia/{world.consortium_id}/proposals",
        data={
            "body_id": body_id,
            "title": "Adopt the budget",
            "text": "As annexed.",
            "mode": "meeting",
            "meeting_on": "2026-12-02",
            "options": "",
            "csrf_token": csrf(client),
        },
        headers={"HX-Request": "true"},
    )
    ledger = client.get(f"/consortia/{world.consortium_id}/ledger")

    assert pledge.status_code == motion.status_code == 422
    assert "The project is closed: it takes no new commitments." in pledge.text
    assert "it takes no new proposals or decisions." in motion.text
    assert event_count(client) == before
    assert ledger.status_code == 200


def test_a_closed_project_draws_no_pledge_motion_or_decision_form_and_says_why(
    client: TestClient, world: World
) -> None:
    established(client, world)
    _in_implementation(client, world)
    open_pages = {
        name: client.get(f"/consortia/{world.consortium_id}/{name}").text
        for name in ("ledger", "proposals", "decisions")
    }
    post(
        client,
        f"/consortia/{world.consortium_id}/phase",
        {"phase": "closed", "on": "2026-12-01", "confirm_close": "yes"},
    )

    closed = {
        name: client.get(f"/consortia/{world.consortium_id}/{name}").text
        for name in ("ledger", "proposals", "decisions")
    }
    login(client, world.emails["member"])
    member_ledger = client.get(f"/consortia/{world.consortium_id}/ledger").text

    assert "Record a commitment" in open_pages["ledger"]
    assert "Table a proposal" in open_pages["proposals"]
    assert "Record a decision taken in a meeting" in open_pages["decisions"]
    assert "Record a commitment" not in closed["ledger"]
    assert "Record a commitment" not in member_ledger
    assert "Table a proposal" not in closed["proposals"]
    assert "Record a decision taken in a meeting" not in closed["decisions"]
    for page in (*closed.values(), member_ledger):
        assert "A closed consortium still allows:" in page
        assert "its final reports to the funder." in page
    assert "It takes no new commitments." in closed["ledger"]
    assert "It takes no new proposals" in closed["proposals"]
    assert "It takes no new decisions" in closed["decisions"]
