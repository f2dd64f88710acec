"""The partners table, admission, changes and withdrawal."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, htmx_get, login, post
from web.routes.partners import PARTNER_HISTORY

ADMIT = {
    "name": "Tiers-lieu La Forge",
    "kind": "social_economy",
    "role": "partner",
    "axis": "Médiation",
    "paper": "letter_of_commitment",
    "paper_signed_on": "2026-01-10",
    "rna": "W123456789",
}


def partners_url(world: World) -> str:
    return f"/consortia/{world.consortium_id}/partners"


def test_the_partners_page_lists_partners_lead_first(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    response = client.get(partners_url(world))

    assert response.status_code == 200
    text = response.text
    assert text.index("Lead Corp") < text.index("Other Co") < text.index("Partner Co")
    assert "Admit a partner" not in text  # members cannot admit


def test_admitting_a_partner_through_htmx_updates_the_panel(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(client, partners_url(world), ADMIT, htmx=True)

    assert response.status_code == 200
    assert 'id="partners-panel"' in response.text
    assert "<html" not in response.text
    assert "Tiers-lieu La Forge" in response.text
    assert "partners-changed" in response.headers["hx-trigger"].split(", ")


def test_admitting_a_partner_without_javascript_redirects(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(client, partners_url(world), ADMIT)

    assert response.status_code == 303
    assert "Tiers-lieu La Forge" in client.get(partners_url(world)).text


def test_a_bad_siret_is_refused_next_to_the_field(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client, partners_url(world), {**ADMIT, "siret": "12345678901234"}, htmx=True
    )

    assert response.status_code == 422
    assert "This SIRET is not valid" in response.text
    assert 'value="Tiers-lieu La Forge"' in response.text
    assert event_count(client) == before


def test_a_second_lead_partner_is_refused(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = post(client, partners_url(world), {**ADMIT, "role": "lead"})

    assert response.status_code == 422
    assert "already has a lead partner" in response.text


def test_a_local_authority_needs_its_level(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client, partners_url(world), {**ADMIT, "kind": "local_authority", "rna": ""}
    )

    assert response.status_code == 422
    assert "Choose the level of the local authority." in response.text


def test_a_level_for_a_partner_that_is_no_local_authority_is_refused_next_to_it(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client, partners_url(world), {**ADMIT, "authority_level": "commune"}, htmx=True
    )

    assert response.status_code == 422
    assert (
        'id="authority_level-error">Choose a level for a local authority, and only '
        "for a local authority." in response.text
    )
    assert 'value="Tiers-lieu La Forge"' in response.text
    assert event_count(client) == before


def test_unknown_choices_are_refused_not_crashing(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        partners_url(world),
        {**ADMIT, "kind": "<script>", "paper_signed_on": "2026-13-45"},
    )

    assert response.status_code == 422
    assert "<script>" not in response.text


def test_a_financer_cannot_admit_a_partner(client: TestClient, world: World) -> None:
    login(client, world.emails["financer"])
    before = event_count(client)

    response = post(client, partners_url(world), ADMIT)

    assert response.status_code == 403
    assert event_count(client) == before


def test_the_filter_answers_with_the_table_only(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = htmx_get(
        client, partners_url(world) + "?role=lead", target="partner-table"
    )

    assert 'id="partner-table"' in response.text
    assert "Lead Corp" in response.text
    assert "Other Co" not in response.text
    assert "Admit a partner" not in response.text
    assert "HX-Target" in response.headers["vary"]


def test_filters_narrow_by_status_and_text(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    post(
        client,
        f"{partners_url(world)}/{world.other_partner_id}/withdraw",
        {"on": "2026-02-01", "reason": "Left"},
    )

    withdrawn = client.get(partners_url(world) + "?status=withdrawn").text
    searched = client.get(partners_url(world) + "?q=partner").text

    assert "Other Co" in withdrawn
    assert "Partner Co" not in withdrawn
    assert "Partner Co" in searched
    assert "Lead Corp" not in searched


def test_changing_a_role_paper_and_axis_updates_the_record(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    base = f"{partners_url(world)}/{world.partner_id}"

    role = post(client, base + "/role", {"role": "associated"}, htmx=True)
    paper = post(
        client,
        base + "/paper",
        {"paper": "convention_signed", "paper_signed_on": "2026-03-01"},
        htmx=True,
    )
    axis = post(client, base + "/axis", {"axis": "Évaluation"})

    assert role.status_code == paper.status_code == 200
    assert 'id="partner-record"' in role.text
    assert "Convention signed" in paper.text
    assert axis.status_code == 303
    page = client.get(base).text
    assert "Associated partner" in page
    assert "Évaluation" in page


def test_a_paper_without_date_is_refused(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        f"{partners_url(world)}/{world.partner_id}/paper",
        {"paper": "convention_signed"},
        htmx=True,
    )

    assert response.status_code == 422
    assert "Give the date the paper was signed." in response.text


def test_withdrawal_asks_for_confirmation_then_keeps_the_history(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    base = f"{partners_url(world)}/{world.partner_id}"

    confirm = client.get(base + "/withdraw")
    response = post(
        client, base + "/withdraw", {"on": "2026-02-01", "reason": "Budget cut"}
    )

    assert "Confirm the withdrawal" in confirm.text
    assert response.status_code == 303
    page = client.get(base).text
    assert "Budget cut" in page
    assert "admitted Partner Co" in page
    assert "recorded the withdrawal of Partner Co" in page


def test_a_withdrawal_without_reason_comes_back(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        f"{partners_url(world)}/{world.partner_id}/withdraw",
        {"on": "2026-02-01", "reason": ""},
        htmx=True,
    )

    assert response.status_code == 422
    assert "This field is required." in response.text


def test_an_unknown_partner_is_not_found(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = client.get(f"{partners_url(world)}/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404


def test_the_record_shows_its_latest_history_and_links_to_the_rest(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    base = f"{partners_url(world)}/{world.partner_id}"
    whole = f"/consortia/{world.consortium_id}/history?partner={world.partner_id}"
    assert whole not in client.get(base).text  # a short history is all there

    for n in range(PARTNER_HISTORY + 1):
        assert post(client, base + "/axis", {"axis": f"Axe {n:02d}"}).status_code == 303
    page = client.get(base).text
    record = page[page.index('id="partner-history"') :]

    assert record.count("<li>") == PARTNER_HISTORY
    assert f"Axe {PARTNER_HISTORY:02d}" in record  # the newest first
    assert "Axe 00" not in record
    assert f'href="{whole}"' in record
    # The link leads to the partner's whole history, the oldest change included.
    assert "Axe 00" in client.get(whole).text
