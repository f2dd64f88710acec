"""People: roles, invitations sent through the outbox, accepting a one-time link."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from projections.consortia import consortia_of
from tests.web.conftest import World, csrf_of, event_count, login, post, stores_of


def members_url(world: World) -> str:
    return f"/consortia/{world.consortium_id}/members"


def invite(
    client: TestClient,
    world: World,
    email: str,
    role: str = "pilot_team",
    partner_id: str = "",
) -> str:
    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations",
        {"email": email, "role": role, "partner_id": partner_id},
        htmx=True,
    )
    assert response.status_code == 200, response.text
    match = re.search(r"https?://[^<\s]+/invitations/[A-Za-z0-9_-]+", response.text)
    assert match is not None
    return "/invitations/" + match.group(0).rsplit("/", 1)[1]


def test_the_people_page_shows_roles_and_emails_to_coordinators(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = client.get(members_url(world))

    assert "Financer" in response.text
    assert "Partner Co" in response.text
    assert "member@test.example" in response.text


def test_financers_see_people_but_no_emails_or_forms(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])

    response = client.get(members_url(world))

    assert response.status_code == 200
    assert "member@test.example" not in response.text
    assert "Invite someone" not in response.text


def test_an_invitation_is_queued_in_the_outbox_and_shown_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    link = invite(client, world, "newcomer@test.example")

    messages = stores_of(client).outbox.messages(sent=False)
    assert len(messages) == 1
    assert messages[0].message.recipient == "newcomer@test.example"
    assert link in messages[0].message.text_body
    page = client.get(members_url(world)).text
    assert "newcomer@test.example" in page
    assert "Pending until" in page
    assert link not in page  # the token is shown only right after sending


def test_a_member_invitation_needs_a_partner(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations",
        {"email": "x@test.example", "role": "member"},
        htmx=True,
    )

    assert response.status_code == 422
    assert "A member represents a partner" in response.text
    assert event_count(client) == before


def test_a_partner_chosen_for_another_role_is_refused_next_to_the_partner(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations",
        {"email": "x@test.example", "role": "financer", "partner_id": world.partner_id},
        htmx=True,
    )

    assert response.status_code == 422
    assert 'id="partner_id-error">Only members represent a partner.' in response.text
    assert 'value="x@test.example"' in response.text
    assert event_count(client) == before
    assert stores_of(client).outbox.messages(sent=False) == []


def test_a_withdrawn_partner_is_refused_next_to_the_partner_with_its_name(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(
        client,
        f"/consortia/{world.consortium_id}/partners/{world.other_partner_id}/withdraw",
        {"on": "2026-02-01", "reason": "Left"},
    )
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations",
        {
            "email": "x@test.example",
            "role": "member",
            "partner_id": world.other_partner_id,
        },
        htmx=True,
    )

    assert response.status_code == 422
    assert 'id="partner_id-error">Other Co has withdrawn;' in response.text
    assert event_count(client) == before


def test_a_new_person_accepts_by_creating_an_account(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example", "member", world.partner_id)
    client.cookies.clear()

    page = client.get(link)
    response = client.post(
        link,
        data={
            "display_name": "Newcomer",
            "password": "a long enough secret",
            "password_again": "a long enough secret",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )

    assert "create your account for newcomer@test.example." in page.text
    assert response.status_code == 303
    assert response.headers["location"] == f"/consortia/{world.consortium_id}"
    overview = client.get(response.headers["location"])
    assert "Your role: Member" in overview.text
    account = stores_of(client).accounts.by_email("newcomer@test.example")
    assert account is not None
    with stores_of(client).accounts.engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT password_hash FROM accounts WHERE email='newcomer@test.example'"
        ).scalar()
    assert str(stored).startswith("$argon2id$")


def test_an_invitation_link_works_once(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    client.cookies.clear()
    page = client.get(link)
    client.post(
        link,
        data={
            "display_name": "N",
            "password": "a long enough secret",
            "password_again": "a long enough secret",
            "csrf_token": csrf_of(page.text),
        },
    )
    client.cookies.clear()

    assert client.get(link).status_code == 404


def test_a_weak_password_is_refused_and_nothing_is_created(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    client.cookies.clear()
    page = client.get(link)

    response = client.post(
        link,
        data={
            "display_name": "N",
            "password": "password123",
            "password_again": "password123",
            "csrf_token": csrf_of(page.text),
        },
    )

    assert response.status_code == 422
    assert "most common" in response.text
    assert stores_of(client).accounts.by_email("newcomer@test.example") is None


def test_an_existing_account_accepts_after_logging_in(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, world.emails["outsider"], "financer")
    login(client, world.emails["outsider"])

    page = client.get(link)
    response = client.post(
        link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )

    assert "Accept the invitation" in page.text
    assert response.status_code == 303
    listing = client.get("/consortia").text
    assert "Inclusion Numérique" in listing
    assert "Elsewhere" in listing


def test_a_cancelled_invitation_no_longer_opens(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    invitation_id = stores_of(client).accounts.invitation(link.rsplit("/", 1)[1])
    assert invitation_id is not None

    response = post(
        client,
        f"/consortia/{world.consortium_id}/invitations/"
        f"{invitation_id.invitation_id}/cancel",
    )
    # The newcomer opens the link later, in their own browser: by then the read
    # models have applied the cancellation (the background applier, off here).
    stores_of(client).read_side.catch_up()
    client.cookies.clear()

    assert response.status_code == 303
    assert client.get(link).status_code == 404


def test_an_unknown_invitation_link_is_not_found(client: TestClient) -> None:
    assert client.get("/invitations/nothing-here").status_code == 404


def test_the_coordinator_changes_a_role_and_removes_a_person(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    pilot = stores_of(client).accounts.by_email(world.emails["pilot"])
    assert pilot is not None
    base = f"{members_url(world)}/{pilot.account_id}"

    changed = post(client, base + "/role", {"role": "financer"})
    confirm = client.get(base + "/revoke")
    removed = post(client, base + "/revoke")

    assert changed.status_code == removed.status_code == 303
    assert "Remove Pilot from the consortium?" in confirm.text
    login(client, world.emails["pilot"])
    assert client.get(f"/consortia/{world.consortium_id}").status_code == 404


def test_the_last_coordinator_cannot_be_removed(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    me = stores_of(client).accounts.by_email(world.emails["coordinator"])
    assert me is not None

    response = post(
        client, f"{members_url(world)}/{me.account_id}/role", {"role": "financer"}
    )

    assert response.status_code == 422
    assert "at least one coordinator" in response.text


def account_id_of(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def elsewhere(client: TestClient, world: World) -> str:
    """The consortium the outsider founded (they coordinate it alone)."""
    outsider = account_id_of(client, world.emails["outsider"])
    with stores_of(client).read_side.engine.connect() as connection:
        (row,) = consortia_of(connection, outsider)
    return str(row.consortium_id)


def test_a_coordinator_cannot_give_a_role_to_another_consortiums_financer(
    client: TestClient, world: World
) -> None:
    other = elsewhere(client, world)
    financer = account_id_of(client, world.emails["financer"])
    login(client, world.emails["outsider"])
    members_before = client.get(f"/consortia/{other}/members").text
    before = event_count(client)

    response = post(
        client, f"/consortia/{other}/members/{financer}/role", {"role": "coordinator"}
    )

    assert response.status_code == 404
    assert event_count(client) == before
    members_after = client.get(f"/consortia/{other}/members").text
    assert world.emails["financer"] not in members_after
    assert members_after.count("<tr") == members_before.count("<tr")
    login(client, world.emails["financer"])
    assert client.get(f"/consortia/{other}").status_code == 404
    assert "Elsewhere" not in client.get("/consortia").text


def test_a_role_given_to_an_id_naming_no_one_is_refused_and_the_last_coordinator_stays(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    me = account_id_of(client, world.emails["coordinator"])
    before = event_count(client)

    phantom = post(
        client,
        f"{members_url(world)}/not-an-account-id/role",
        {"role": "coordinator"},
    )
    leaving = post(client, f"{members_url(world)}/{me}/revoke")
    stepping_down = post(
        client, f"{members_url(world)}/{me}/role", {"role": "pilot_team"}
    )

    assert phantom.status_code == 404
    assert leaving.status_code == stepping_down.status_code == 422
    assert "at least one coordinator" in leaving.text
    assert event_count(client) == before
    assert client.get(f"/consortia/{world.consortium_id}").status_code == 200


def test_a_member_is_moved_to_another_partner_and_back_to_the_pilot_team(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    member = account_id_of(client, world.emails["member"])
    base = f"{members_url(world)}/{member}/role"

    moved = post(client, base, {"role": "member", "partner_id": world.other_partner_id})
    page = client.get(members_url(world)).text
    to_pilot = post(client, base, {"role": "pilot_team"})

    assert moved.status_code == to_pilot.status_code == 303
    row = page.split(world.emails["member"])[1].split("</tr>")[0]
    assert "Other Co" in row
    login(client, world.emails["member"])
    overview = client.get(f"/consortia/{world.consortium_id}")
    assert "Your role: Pilot team" in overview.text
