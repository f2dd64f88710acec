"""French words agree with what they describe: gender, number, and decimals."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.web.conftest import World, login, post
from tests.web.test_ledger_pages import pledge_form
from tests.web.test_needs_you import soon
from tests.web.test_reporting_pages import schedule_once


def test_one_active_commitment_is_actif_not_actifs(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.partner_id),
    )
    client.cookies.set("lang", "fr")

    page = client.get(f"/consortia/{world.consortium_id}/ledger").text

    assert "<td>Actif</td>" in page
    assert "<td>Actifs</td>" not in page


def test_an_accepted_report_is_accepte_a_masculine_noun(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, soon(10), title="Bilan")
    post(client, url + "/draft", {"text": "Six mois."})
    post(client, url + "/submit")
    login(client, world.emails["financer"])
    post(client, url + "/review", {"decision": "accept", "comment": "OK"})
    client.cookies.set("lang", "fr")

    page = client.get(url).text

    assert "Accepté" in page
    assert "Acceptée" not in page
