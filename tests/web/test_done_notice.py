"""Every command that worked says so once: after the redirect, or in place with htmx."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post
from tests.web.test_decision_pages import established, tabled
from tests.web.test_ledger_pages import pledge_form

SHOWN = '<p id="done-notice" class="notice" role="status">'
HIDDEN = '<p id="done-notice" class="notice" role="status" hidden>'


def test_after_a_redirect_the_next_page_says_it_worked_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    url = f"/consortia/{world.consortium_id}/commitments"

    answer = post(client, url, pledge_form(world.partner_id))
    landed = client.get(answer.headers["location"])
    again = client.get(answer.headers["location"])

    assert answer.status_code == 303
    assert "done=" in answer.headers["set-cookie"]
    assert SHOWN in landed.text
    assert "Done: your change is recorded." in landed.text
    assert HIDDEN in again.text


def test_an_answer_in_place_triggers_the_notice(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    login(client, world.emails["member"])

    voted = post(
        client,
        url + "/vote",
        {"partner_id": world.partner_id, "option": "for"},
        htmx=True,
    )

    assert voted.status_code == 200
    # Beside the page's own event (the tally refreshes on "vote-changed").
    events = voted.headers["HX-Trigger"].split(", ")
    assert events == ["vote-changed", "consortium-done"]


def test_a_refused_command_says_nothing_worked(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    before = event_count(client)
    url = f"/consortia/{world.consortium_id}/commitments"

    refused = post(client, url, pledge_form(world.partner_id, amount="-5"), htmx=True)
    page = client.get(f"/consortia/{world.consortium_id}/ledger")

    assert refused.status_code == 422
    assert "HX-Trigger" not in refused.headers
    assert "set-cookie" not in refused.headers
    assert HIDDEN in page.text
    assert event_count(client) == before
