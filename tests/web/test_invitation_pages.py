"""Invitation links: they tell nobody whether an address has an account; accepting
one sent to another address takes a confirmation; the coordinator sees who accepted.
"""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, csrf_of, event_count, login, post, stores_of


def invite(client: TestClient, world: World, email: str) -> str:
    """The coordinator invites ``email`` to the pilot team; returns the link's path."""
    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations",
        {"email": email, "role": "pilot_team", "partner_id": ""},
        htmx=True,
    )
    assert response.status_code == 200, response.text
    match = re.search(r"https?://[^<\s]+/invitations/([A-Za-z0-9_-]+)", response.text)
    assert match is not None
    return "/invitations/" + match.group(1)


def neutral(page: str, link: str, email: str) -> str:
    """A page with what differs by design (token, address, CSRF token) blanked."""
    page = page.replace(link.rsplit("/", 1)[1], "TOKEN").replace(email, "EMAIL")
    return page.replace(csrf_of(page), "CSRF")


def test_the_anonymous_page_reads_the_same_whether_the_address_has_an_account(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    known = invite(client, world, world.emails["outsider"])  # has an account
    unknown = invite(client, world, "newcomer@test.example")  # has none
    client.cookies.clear()

    known_page = client.get(known)
    client.cookies.clear()
    unknown_page = client.get(unknown)

    assert known_page.status_code == unknown_page.status_code == 200
    assert "already exists" not in known_page.text
    assert "Log in to accept" in unknown_page.text  # both ways are offered to both
    assert "Create my account and join" in known_page.text
    assert neutral(known_page.text, known, world.emails["outsider"]) == neutral(
        unknown_page.text, unknown, "newcomer@test.example"
    )


def test_accepting_an_invitation_sent_to_another_address_asks_to_confirm(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    login(client, world.emails["outsider"])
    before = event_count(client)

    page = client.get(link)
    unconfirmed = client.post(
        link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    wrongly_confirmed = client.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "confirm_other_address": "someone@test.example",
        },
        follow_redirects=False,
    )
    nothing_yet = event_count(client)
    confirmed = client.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "confirm_other_address": "newcomer@test.example",
        },
        follow_redirects=False,
    )

    for asked in (page, unconfirmed, wrongly_confirmed):
        assert asked.status_code == 200
        assert "This invitation was sent to newcomer@test.example" in asked.text
        assert "logged in as Outsider (outsider@test.example)" in asked.text
        assert "Accept with the account outsider@test.example" in asked.text
        assert 'name="confirm_other_address"' in asked.text
    assert nothing_yet == before  # asking to confirm records nothing
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/consortia/{world.consortium_id}"
    assert event_count(client) == before + 1
    assert "Inclusion Numérique" in client.get("/consortia").text


def test_an_invitation_to_one_s_own_address_needs_no_confirmation(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "OUTSIDER@test.example")  # same address, other case
    login(client, world.emails["outsider"])

    page = client.get(link)
    response = client.post(
        link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )

    assert "Accept the invitation" in page.text
    assert "confirm_other_address" not in page.text
    assert response.status_code == 303


def test_the_coordinator_sees_who_accepted_each_invitation(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    login(client, world.emails["outsider"])
    page = client.get(link)
    client.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "confirm_other_address": "newcomer@test.example",
        },
    )

    login(client, world.emails["coordinator"])
    coordinator_view = client.get(f"/consortia/{world.consortium_id}/members").text
    login(client, world.emails["financer"])
    financer_view = client.get(f"/consortia/{world.consortium_id}/members").text

    row = re.search(
        r"<tr>\s*<td>newcomer@test\.example</td>.*?</tr>", coordinator_view, re.S
    )
    assert row is not None
    assert "Accepted by Outsider (outsider@test.example)" in row.group(0)
    assert "Accepted by Outsider," in financer_view  # the name, not the address
    assert "outsider@test.example" not in financer_view
    invitation = stores_of(client).accounts.invitation(link.rsplit("/", 1)[1])
    assert invitation is not None
    assert invitation.used_at is not None
