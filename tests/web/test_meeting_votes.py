"""Closing a vote asks first; in a meeting the chair records the votes of the
partners present (issue 17, §3), on both backends."""

from __future__ import annotations

import re
from datetime import date

from starlette.testclient import TestClient

from governance.actor import Actor
from tests.web.conftest import World, event_count, login, post, stores_of
from tests.web.test_decision_pages import established, tabled


def proxy_from_other_to_partner(client: TestClient, world: World) -> None:
    """Other Co delegates its vote to Partner Co over the meeting's day."""
    stores = stores_of(client)
    coordinator = stores.accounts.by_email(world.emails["coordinator"])
    assert coordinator is not None
    position = stores.governance.delegate_proxy(
        Actor(coordinator.account_id),
        world.consortium_id,
        from_partner=world.other_partner_id,
        to_partner=world.partner_id,
        valid_from=date(2026, 2, 1),
        valid_until=date(2026, 3, 31),
    ).position
    stores.read_side.wait_for(position)


def test_closing_a_vote_asks_first_and_says_what_closing_means(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    page = client.get(url).text
    before = event_count(client)

    in_place = post(client, url + "/close", htmx=True)
    without_js = post(client, url + "/close")

    assert "3 partners have not voted and will no longer be able to" in page
    assert re.search(r"be able to: (\w+ \w+, ){2}\w+ \w+\.", page)
    assert 'name="confirm_close"' in page
    assert in_place.status_code == without_js.status_code == 422
    for refused in (in_place, without_js):
        assert "Closing the vote cannot be undone: tick the box to confirm." in (
            refused.text
        )
    assert "<html" not in in_place.text
    assert event_count(client) == before

    confirmed = post(client, url + "/close", {"confirm_close": "yes"})

    assert confirmed.status_code == 303
    assert "closed the vote: No quorum" in client.get(url).text


def test_the_chair_records_the_votes_given_at_the_meeting_with_proxies(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    proxy_from_other_to_partner(client, world)
    login(client, world.emails["coordinator"])
    form = client.get(url).text
    before = event_count(client)

    response = post(
        client,
        url + "/ballots",
        {
            f"option-{world.lead_id}": "for",
            f"through-{world.lead_id}": world.lead_id,
            f"option-{world.partner_id}": "for",
            f"through-{world.partner_id}": world.partner_id,
            f"option-{world.other_partner_id}": "against",
            f"through-{world.other_partner_id}": world.partner_id,
        },
    )

    assert "Votes given at the meeting" in form
    assert "Partner Co, holding its proxy" in form
    assert response.status_code == 303
    assert event_count(client) == before + 3
    page = client.get(url).text
    assert "So far: 3 of 3 partners voted" in page
    assert re.search(
        r"Coordinator</span>\s+recorded the vote of Other Co, given through its proxy"
        r" Partner Co: Against",
        page,
    ), page
    assert "recorded the vote of Lead Corp, present at the meeting: For" in page
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "recorded the vote of Other Co on “Adopt the budget”, given through" in (
        history
    )


def test_a_vote_recorded_by_mistake_is_recorded_again_and_both_stay_in_history(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    login(client, world.emails["coordinator"])
    lead = {f"through-{world.lead_id}": world.lead_id}
    post(client, url + "/ballots", {f"option-{world.lead_id}": "for", **lead})

    again = post(
        client, url + "/ballots", {f"option-{world.lead_id}": "against", **lead}
    )

    assert again.status_code == 303
    page = client.get(url).text
    assert "present at the meeting: For" in page
    assert "present at the meeting: Against" in page
    assert "changed 1 time" in page


def test_ballots_the_chair_may_not_record_are_refused_in_words_and_store_nothing(
    client: TestClient, world: World
) -> None:
    url = tabled(client, world, established(client, world))
    login(client, world.emails["member"])
    post(client, url + "/vote", {"partner_id": world.partner_id, "option": "for"})
    login(client, world.emails["coordinator"])
    before = event_count(client)

    no_proxy = post(
        client,
        url + "/ballots",
        {
            f"option-{world.lead_id}": "for",
            f"option-{world.other_partner_id}": "for",
            f"through-{world.other_partner_id}": world.lead_id,
        },
        htmx=True,
    )
    voted_itself = post(
        client,
        url + "/ballots",
        {
            f"option-{world.partner_id}": "against",
            f"through-{world.partner_id}": world.partner_id,
        },
    )
    nothing = post(client, url + "/ballots", {f"option-{world.lead_id}": ""})
    unknown = post(client, url + "/ballots", {f"option-{world.lead_id}": "maybe"})
    login(client, world.emails["member"])
    not_the_chair = post(client, url + "/ballots", {f"option-{world.lead_id}": "for"})

    assert no_proxy.status_code == 422
    assert "neither present nor represented by a proxy valid on the day" in (
        no_proxy.text
    )
    assert voted_itself.status_code == 422
    assert "This partner has voted itself" in voted_itself.text
    assert nothing.status_code == 422
    assert "Choose the vote of at least one partner." in nothing.text
    assert unknown.status_code == 422
    assert "Choose one of the options." in unknown.text
    assert not_the_chair.status_code == 403
    assert event_count(client) == before


def test_a_written_vote_takes_no_ballots_from_the_chair(
    client: TestClient, world: World
) -> None:
    url = tabled(
        client,
        world,
        established(client, world),
        mode="written",
        closes_at="2099-01-01T10:00",
    )
    login(client, world.emails["coordinator"])
    page = client.get(url).text
    before = event_count(client)

    refused = post(client, url + "/ballots", {f"option-{world.lead_id}": "for"})

    assert "Votes given at the meeting" not in page
    assert refused.status_code == 422
    assert "in a written procedure each partner votes for itself" in refused.text
    assert event_count(client) == before
