"""Amendments through the pages: the coordinator drafts, builds and proposes one; only
the financer approves (a new version to compare) or refuses with a reason; bad input
refused with a clear message and nothing stored; English and French."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, csrf, event_count, login, post
from tests.web.test_budget_pages import budget, planned


def amendments(world: World) -> str:
    return budget(world) + "/amendments"


def signed(client: TestClient, world: World) -> None:
    """The plan planned, then filed at the application and the convention."""
    planned(client, world)
    for kind in ("application", "convention"):
        filed = post(client, budget(world) + "/versions", {"kind": kind})
        assert filed.status_code == 303


def drafted(client: TestClient, world: World, kind: str = "budget_reallocation") -> str:
    """The coordinator drafts an amendment; its page's address."""
    login(client, world.emails["coordinator"])
    answer = post(
        client, amendments(world), {"kind": kind, "reason": "Moins de trajets."}
    )
    assert answer.status_code == 303
    return str(answer.headers["location"])


def proposed(client: TestClient, world: World) -> str:
    """A drafted amendment adding 200 € of travel for the partner, proposed."""
    page = drafted(client, world)
    added = post(
        client,
        page + "/expenses",
        {
            "partner_id": world.partner_id,
            "category": "travel",
            "label": "Trajets du partenaire",
            "amount": "200",
        },
    )
    assert added.status_code == 303
    assert post(client, page + "/propose").status_code == 303
    return page


def test_before_the_convention_the_page_says_the_plan_changes_itself(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(amendments(world))

    assert page.status_code == 200
    assert "No amendment yet." in page.text
    assert "The plan is not signed yet" in page.text
    assert "Draft an amendment" not in page.text


def test_an_amendment_drafted_built_and_approved_files_a_version_to_compare(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = proposed(client, world)
    detail = client.get(page)
    assert "Awaiting the financer" in detail.text
    assert "Trajets du partenaire" in detail.text
    assert "Approve the amendment" not in detail.text  # the coordinator's view

    login(client, world.emails["financer"])
    assert "Approve the amendment" in client.get(page).text
    approved = post(client, page + "/approve", {"reason": "Conforme."})

    assert approved.status_code == 303
    after = client.get(page)
    assert "Version 3, compared with the one before" in after.text
    assert "Conforme." in after.text
    versions = client.get(budget(world) + "/versions?left=2&right=3")
    assert "Version 3: Amendment" in versions.text
    listing = client.get(amendments(world))
    assert "Amendment 1" in listing.text
    assert "version 3" in listing.text
    history = client.get(f"/consortia/{world.consortium_id}/history")
    assert "approved the amendment “Moins de trajets.”" in history.text


def test_a_refusal_needs_a_reason_and_stores_nothing_without_one(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = proposed(client, world)
    login(client, world.emails["financer"])
    before = event_count(client)

    refused = post(client, page + "/refuse", {"reason": "  "})

    assert refused.status_code == 422
    assert "This field is required." in refused.text
    assert event_count(client) == before
    assert post(client, page + "/refuse", {"reason": "Hors cadre."}).status_code == 303
    assert "Hors cadre." in client.get(page).text


def test_nobody_but_the_financer_decides_and_only_the_coordinator_drafts(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = proposed(client, world)
    before = event_count(client)

    for role in ("coordinator", "member", "pilot"):
        login(client, world.emails[role])
        assert post(client, page + "/approve", {"reason": ""}).status_code == 403
        assert post(client, page + "/refuse", {"reason": "Non."}).status_code == 403
    for role in ("financer", "member", "pilot"):
        login(client, world.emails[role])
        draft = {"kind": "period_extension", "reason": "Retard."}
        assert post(client, amendments(world), draft).status_code == 403

    assert event_count(client) == before


def test_a_period_not_later_than_the_current_end_is_refused_next_to_its_input(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = drafted(client, world, "period_extension")
    login(client, world.emails["coordinator"])
    post(client, budget(world) + "/rules", {"eligible_until": "2027-12-31"})
    before = event_count(client)

    answer = post(client, page + "/period", {"eligible_until": "not a date"})

    assert answer.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in answer.text
    assert event_count(client) == before


def test_proposing_an_amendment_without_changes_is_refused_in_words(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = drafted(client, world)
    before = event_count(client)

    answer = post(client, page + "/propose", htmx=True)

    assert answer.status_code == 422
    assert "This amendment changes nothing yet: add a change." in answer.text
    assert event_count(client) == before


def test_an_unknown_or_malformed_amendment_is_not_found(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    login(client, world.emails["coordinator"])

    for tail in ("/00000000-0000-0000-0000-000000000000", "/pas-un-id"):
        assert client.get(amendments(world) + tail).status_code == 404


def test_the_french_pages_speak_french(client: TestClient, world: World) -> None:
    signed(client, world)
    page = proposed(client, world)
    client.cookies.set("lang", "fr")

    detail = client.get(page)
    listing = client.get(amendments(world))

    assert "Avenant 1" in detail.text
    assert "Réaffectation budgétaire" in detail.text
    assert re.search(r"Avenants du plan de financement", listing.text)


def test_an_amendment_s_signed_copy_is_linked_from_its_page(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = proposed(client, world)
    amendment_id = page.rsplit("/", 1)[-1]

    filed = client.post(
        f"/consortia/{world.consortium_id}/documents",
        data={
            "kind": "amendment",
            "title": "Avenant 1 signé",
            "amendment_id": amendment_id,
            "csrf_token": csrf(client),
        },
        files={"document": ("avenant.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        follow_redirects=False,
    )

    assert filed.status_code == 303
    detail = client.get(page).text
    assert "Signed copy" in detail
    assert "Avenant 1 signé" in detail


def test_an_approved_withdrawal_still_names_the_line_it_took_out(
    client: TestClient, world: World
) -> None:
    signed(client, world)
    page = drafted(client, world)
    lines = client.get(page).text
    marker = "/lines/"
    line_id = lines[lines.index(marker) + len(marker) :][:36]
    assert post(client, page + f"/lines/{line_id}/withdraw").status_code == 303
    added = post(
        client,
        page + "/expenses",
        {
            "partner_id": world.lead_id,
            "category": "travel",
            "label": "Trajets réduits",
            "amount": "100",
        },
    )
    assert added.status_code == 303
    assert post(client, page + "/propose").status_code == 303
    login(client, world.emails["financer"])
    assert post(client, page + "/approve", {"reason": ""}).status_code == 303

    detail = client.get(page).text

    assert "A line no longer in the plan in force" not in detail
    assert "Line withdrawn" in detail
    assert "−€" in detail
