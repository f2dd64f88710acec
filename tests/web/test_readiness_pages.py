"""Funder-readiness through the pages: the score, the reasons, the links, the two
answers coordinators give; the same for financers; English and French."""

from __future__ import annotations

import re
from datetime import date

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import Paper, PartnerIdentity, PartnerKind, PartnerRole
from tests.web.conftest import World, event_count, login, post, stores_of


def readiness(world: World) -> str:
    return f"/consortia/{world.consortium_id}/readiness"


def row(page: str, title: str) -> str:
    """The table row of the item titled ``title``."""
    found = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">{re.escape(title)}</th>.*?</tr>", page, re.S
    )
    assert found is not None, title
    return found.group(0)


def test_the_score_and_each_item_with_its_reason_and_link(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(readiness(world))

    assert page.status_code == 200
    # Three companies with no paper, no commitment: little is met yet.
    assert "0 of 11 items met" in page.text
    papers = row(page.text, "Every partner has a letter of commitment or a convention")
    assert "No letter or convention yet for: Lead Corp, Other Co, Partner Co." in papers
    assert f'href="/consortia/{world.consortium_id}/partners">Fix this' in papers
    variety = row(page.text, "Partners of more than one kind")
    assert "All partners are of one kind (Company, SME or start-up)" in variety
    lead = row(page.text, "The lead partner co-finances")
    assert "Lead Corp has no co-financing commitment" in lead
    assert f'href="/consortia/{world.consortium_id}/ledger"' in lead
    facade = row(page.text, "No façade partner")
    assert "Lead Corp, Other Co, Partner Co" in facade


def test_answers_make_items_met_or_not_applicable(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    no_data = post(
        client, readiness(world) + "/personal-data", {"handles_personal_data": "no"}
    )
    described = post(
        client,
        readiness(world) + "/beneficiaries",
        {"beneficiary_involvement": "A panel of twelve users tests each workshop."},
    )

    assert no_data.status_code == described.status_code == 303
    page = client.get(readiness(world)).text
    assert "1 of 10 items met" in page
    assert "The project handles no personal data: this does not apply." in row(
        page, "A partner competent in data protection"
    )
    assert "How they take part: A panel of twelve users tests each workshop." in row(
        page, "End beneficiaries involved"
    )


def test_naming_the_data_protection_partner_with_htmx(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    named = post(
        client,
        readiness(world) + "/personal-data",
        {
            "handles_personal_data": "yes",
            "data_protection_partner_id": world.partner_id,
        },
        htmx=True,
    )

    assert named.headers["HX-Redirect"] == readiness(world)
    assert (
        "Partner Co answers for data protection." in client.get(readiness(world)).text
    )


def test_bad_answers_come_back_with_the_message_next_to_the_field(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    unknown = post(
        client,
        readiness(world) + "/personal-data",
        {"handles_personal_data": "yes", "data_protection_partner_id": "nobody"},
        htmx=True,
    )
    unanswered = post(client, readiness(world) + "/personal-data", {})
    post(
        client,
        readiness(world) + "/beneficiaries",
        {"beneficiary_involvement": "Panel"},
    )
    same = post(
        client,
        readiness(world) + "/beneficiaries",
        {"beneficiary_involvement": "Panel"},
    )

    assert unknown.status_code == 422
    assert "<html" not in unknown.text
    assert (
        'id="data_protection_partner_id-error">Choose one of the options.'
        in unknown.text
    )
    assert unanswered.status_code == 422
    assert (
        'id="handles_personal_data-error">Choose one of the options.' in unanswered.text
    )
    assert same.status_code == 422
    assert "This is already recorded." in same.text
    assert event_count(client) == before + 1


def test_financers_see_the_same_check_and_cannot_answer(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    coordinator_page = client.get(readiness(world)).text
    login(client, world.emails["financer"])
    before = event_count(client)

    page = client.get(readiness(world)).text
    refused = post(
        client, readiness(world) + "/personal-data", {"handles_personal_data": "no"}
    )

    assert "0 of 11 items met" in page
    assert row(page, "No façade partner") == row(coordinator_page, "No façade partner")
    assert "Does the project handle personal data?" not in page
    assert "Not answered yet." in page
    assert refused.status_code == 403
    assert event_count(client) == before


def test_members_and_the_pilot_team_read_it_and_outsiders_get_not_found(
    client: TestClient, world: World
) -> None:
    for role in ("member", "pilot"):
        login(client, world.emails[role])
        assert client.get(readiness(world)).status_code == 200
        assert (
            post(
                client,
                readiness(world) + "/beneficiaries",
                {"beneficiary_involvement": "x"},
            ).status_code
            == 403
        )
    login(client, world.emails["outsider"])

    assert client.get(readiness(world)).status_code == 404
    assert (
        post(
            client,
            readiness(world) + "/beneficiaries",
            {"beneficiary_involvement": "x"},
        ).status_code
        == 404
    )


def test_a_citizens_partner_with_papers_shows_in_french(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    account = stores.accounts.by_email(world.emails["coordinator"])
    assert account is not None
    stores.governance.admit_partner(
        Actor(account.account_id),
        world.consortium_id,
        PartnerIdentity("Collectif du Val", PartnerKind.CITIZENS),
        role=PartnerRole.PARTNER,
        axis="",
        paper=Paper.LETTER_OF_COMMITMENT,
        paper_signed_on=date(2026, 1, 6),
        joined_on=date(2026, 1, 6),
    )
    stores.read_side.catch_up()
    login(client, world.emails["financer"])

    page = client.get(readiness(world), headers={"Accept-Language": "fr"}).text

    assert "Prêt pour les financeurs" in page
    assert "2 critères remplis sur 11" in page
    assert "Un collectif citoyen participe\u00a0: Collectif du Val." in page
    assert "Types de partenaires\u00a0: 2." in page
    assert "Corriger" in page


def test_the_answers_are_in_the_consortium_history(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(
        client,
        readiness(world) + "/personal-data",
        {
            "handles_personal_data": "yes",
            "data_protection_partner_id": world.partner_id,
        },
    )
    post(
        client,
        readiness(world) + "/beneficiaries",
        {"beneficiary_involvement": "A panel"},
    )

    page = client.get(f"/consortia/{world.consortium_id}/history").text

    assert (
        "declared that the project handles personal data, "
        "Partner Co answering for data protection" in page
    )
    assert "described how end beneficiaries are involved: A panel" in page
