"""GDPR: erasing a person (by themselves or a platform administrator) and
exporting a person's data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from notifications.checkpoints import load_or_create_key, seal_checkpoint
from notifications.outbox import Message
from notifications.outbox import metadata as outbox_metadata
from tests.web.conftest import PASSWORD, World, login, post, stores_of
from web.identity.erasure import former_member_name, former_member_number
from web.identity.tables import metadata as accounts_metadata
from web.identity.throttle import LOGIN_ACCOUNT
from web.identity.throttle import metadata as throttle_metadata
from web.ops.audit_verify import verify_store
from web.settings import Settings


def account_id(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def everything_in_the_accounts_store(client: TestClient) -> str:
    """Every value of every table of the accounts store and the outbox, as text."""
    engine = stores_of(client).accounts.engine
    parts: list[str] = []
    with engine.connect() as connection:
        for metadata in (accounts_metadata, throttle_metadata, outbox_metadata):
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)):
                    parts.extend(str(value) for value in row)
    return " ".join(parts)


def personal_traces(client: TestClient, email: str) -> None:
    """Give the person preferences, a calendar feed, a reset link, e-mails…"""
    stores = stores_of(client)
    accounts = stores.accounts
    person = account_id(client, email)
    accounts.update_preferences(person, language="fr", delivery="digest")
    accounts.new_calendar_token(person, now=datetime.now(UTC))
    accounts.new_reset_token(person)
    accounts.start_second_factor(person)
    accounts.store_invitation(
        invitation_id="00000000-0000-0000-0000-00000000abcd",
        consortium_id="00000000-0000-0000-0000-000000000001",
        email=email,
        expires_at=datetime.now(UTC) + timedelta(days=1),
        now=datetime.now(UTC),
    )
    stores.outbox.put(
        Message("<m1@test>", email, "Reminder", "Body", None, "fr"),
        now=datetime.now(UTC),
        reminder_ids=["r1"],
    )
    accounts.throttle.reserve((LOGIN_ACCOUNT, email))


def erase_self(client: TestClient, password: str = PASSWORD, confirm: bool = True):  # type: ignore[no-untyped-def]
    data = {"password": password}
    if confirm:
        data["confirm"] = "yes"
    return post(client, "/account/erase", data)


def test_a_person_erases_their_account(client: TestClient, world: World) -> None:
    email = world.emails["member"]
    person = account_id(client, email)
    personal_traces(client, email)
    login(client, email)

    response = erase_self(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=erased"
    assert "Your account is erased." in client.get("/login?done=erased").text
    # Nothing of them is left in the accounts store but the id.
    stored = everything_in_the_accounts_store(client)
    assert email not in stored
    assert "Member" not in stored  # their display name
    assert person in stored  # the pseudonym row
    accounts = stores_of(client).accounts
    assert accounts.by_id(person) is None
    assert accounts.is_erased(person)
    assert accounts.authenticate(email, PASSWORD) is None
    assert not stores_of(client).outbox.messages()
    # Their session ended with the account.
    assert client.get("/consortia", follow_redirects=False).status_code == 303


def test_erasure_needs_the_confirmation_and_the_password(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    unconfirmed = erase_self(client, confirm=False)
    wrong = erase_self(client, password="not my password")

    assert unconfirmed.status_code == wrong.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.text
    assert "This is not your current password." in wrong.text
    assert stores_of(client).accounts.by_email(world.emails["member"]) is not None


def test_pages_name_an_erased_person_former_member_n(
    client: TestClient, world: World
) -> None:
    person = account_id(client, world.emails["member"])
    login(client, world.emails["member"])
    erase_self(client)
    pseudonym = f"Former member #{former_member_number(person)}"

    login(client, world.emails["coordinator"])
    members = client.get(f"/consortia/{world.consortium_id}/members")
    history = client.get(f"/consortia/{world.consortium_id}/history")
    client.cookies.set("lang", "fr")
    french = client.get(f"/consortia/{world.consortium_id}/history")

    assert pseudonym in members.text
    assert pseudonym in history.text  # "joined the consortium", by them
    assert world.emails["member"] not in members.text
    assert f"Ancien membre n° {former_member_number(person)}" in french.text


def test_the_pseudonym_is_stable_and_short(client: TestClient, world: World) -> None:
    person = account_id(client, world.emails["member"])

    assert former_member_number(person) == former_member_number(person)
    assert 0 <= former_member_number(person) < 1_000_000
    assert former_member_name(person).startswith("Former member #")


def test_the_audit_chain_still_verifies_after_an_erasure(
    client: TestClient, world: World, settings: Settings
) -> None:
    stores = stores_of(client)
    stores.read_side.catch_up()
    key = load_or_create_key(settings.with_secret().audit_key_path)
    assert seal_checkpoint(stores.governance, stores.read_side, key) is not None
    stores.read_side.catch_up()
    before = verify_store(settings.with_secret())
    login(client, world.emails["member"])

    erase_self(client)
    after = verify_store(settings.with_secret())

    assert before.ok
    assert after.ok, after.findings
    assert after.events == before.events
    assert after.checkpoints >= 1


def test_a_platform_administrator_erases_an_account(
    client: TestClient, world: World
) -> None:
    accounts = stores_of(client).accounts
    accounts.create_account(
        "admin@test.example", "Admin", PASSWORD, is_admin=True, now=datetime.now(UTC)
    )
    person = account_id(client, world.emails["pilot"])
    login(client, "admin@test.example")
    assert client.get("/admin/accounts/erase").status_code == 200

    own = post(
        client,
        "/admin/accounts/erase",
        {"email": "admin@test.example", "confirm": "yes", "password": PASSWORD},
    )
    unknown = post(
        client,
        "/admin/accounts/erase",
        {"email": "nobody@test.example", "confirm": "yes", "password": PASSWORD},
    )
    done = post(
        client,
        "/admin/accounts/erase",
        {"email": world.emails["pilot"], "confirm": "yes", "password": PASSWORD},
    )

    assert own.status_code == unknown.status_code == 422
    assert "Erase your own account from your account page." in own.text
    assert "No account uses this address." in unknown.text
    assert done.status_code == 200
    assert f"Former member #{former_member_number(person)}" in done.text
    assert accounts.is_erased(person)


def test_only_platform_administrators_see_the_erasure_page(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get("/admin/accounts/erase")
    attempt = post(
        client,
        "/admin/accounts/erase",
        {"email": world.emails["member"], "confirm": "yes", "password": PASSWORD},
    )

    assert page.status_code == attempt.status_code == 404
    assert stores_of(client).accounts.by_email(world.emails["member"]) is not None


def test_a_person_downloads_their_data(client: TestClient, world: World) -> None:
    email = world.emails["coordinator"]
    person = account_id(client, email)
    stores_of(client).accounts.update_preferences(person, delivery="digest")
    login(client, email)

    response = client.get("/account/export")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="personal-data-'
    )
    data = json.loads(response.text)
    assert data["account"]["email"] == email
    assert data["account"]["account_id"] == person
    assert "argon2" not in json.dumps(data["account"]).replace("argon2id hash", "")
    assert data["preferences"]["delivery"] == "digest"
    assert {m["consortium_id"] for m in data["memberships"]} == {
        str(world.consortium_id)
    }
    assert data["memberships"][0]["role"] == "coordinator"
    kinds = [e["type"] for e in data["events_authored"]]
    assert kinds[0] == "Consortium.Founded"
    assert "Consortium.PartnerJoined" in kinds
    assert all(e["aggregate_id"] for e in data["events_authored"])
    assert len(data["sessions"]) == 1


def test_the_export_holds_only_the_person_s_events(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    data = json.loads(client.get("/account/export").text)

    kinds = [e["type"] for e in data["events_authored"]]
    assert kinds == ["Consortium.MembershipGranted"]  # accepting the invitation
    assert data["memberships"][0]["role"] == "member"
    assert data["memberships"][0]["partner_id"] == world.partner_id
