"""A forgotten password: a one-time, one-hour link sent through the outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import PASSWORD, World, csrf_of, login, stores_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def clock(client: TestClient) -> FixedClock:
    fixed = FixedClock(T0)
    stores_of(client).accounts.throttle.clock = fixed
    return fixed


def ask(client: TestClient, email: str) -> object:
    page = client.get("/password/forgot")
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def link_for(client: TestClient, email: str) -> str:
    """The reset path in the last e-mail queued to ``email``."""
    messages = [
        row.message
        for row in stores_of(client).outbox.messages()
        if row.message.recipient == email
    ]
    assert messages, f"no e-mail to {email}"
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", messages[-1].text_body)
    assert match is not None
    return match.group(1)


def choose(
    client: TestClient, path: str, password: str, again: str | None = None
) -> object:
    page = client.get(path)
    if page.status_code != 200:
        # A form loaded while the link was still good: any page gives the token.
        page = client.get("/password/forgot")
    return client.post(
        path,
        data={
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )


def test_the_answer_is_the_same_whether_the_account_exists_or_not(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    known = ask(client, world.emails["member"])
    unknown = ask(client, "nobody@test.example")

    assert known.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
    assert "If an account uses this address" in known.text  # type: ignore[attr-defined]
    assert known.text.replace(world.emails["member"], "") == unknown.text.replace(  # type: ignore[attr-defined]
        "nobody@test.example", ""
    )
    recipients = [r.message.recipient for r in stores_of(client).outbox.messages()]
    assert recipients == [world.emails["member"]]


def test_the_link_sets_a_new_password_ends_every_session_and_works_once(
    client: TestClient, world: World, clock: FixedClock, settings: object
) -> None:
    from web.app import create_app

    email = world.emails["member"]
    # The person is logged in elsewhere (another browser).
    with TestClient(create_app(settings), base_url="https://testserver") as other:  # type: ignore[arg-type]
        login(other, email)
        assert other.get("/consortia", follow_redirects=False).status_code == 200
        client.cookies.clear()
        ask(client, email)
        path = link_for(client, email)
        message = stores_of(client).outbox.messages()[-1].message
        assert "60 minutes" in message.text_body
        assert message.message_id.startswith("<password-reset.")

        done = choose(client, path, NEW_PASSWORD)

        assert done.status_code == 303  # type: ignore[attr-defined]
        assert done.headers["location"] == "/login?done=reset"  # type: ignore[attr-defined]
        assert other.get("/consortia", follow_redirects=False).status_code == 303
    assert "Your password is changed" in client.get("/login?done=reset").text
    login(client, email, NEW_PASSWORD)
    client.cookies.clear()
    again = choose(client, path, "yet another passphrase")
    assert again.status_code == 404  # type: ignore[attr-defined]
    assert stores_of(client).accounts.authenticate(email, PASSWORD) is None


def test_the_link_expires_after_an_hour(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    ask(client, world.emails["member"])
    path = link_for(client, world.emails["member"])
    clock.advance(timedelta(minutes=59))
    assert client.get(path).status_code == 200

    clock.advance(timedelta(minutes=1))

    assert client.get(path).status_code == 404
    assert choose(client, path, NEW_PASSWORD).status_code == 404  # type: ignore[attr-defined]


def test_a_new_password_follows_the_password_rules(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    ask(client, world.emails["member"])
    path = link_for(client, world.emails["member"])

    short = choose(client, path, "short")
    common = choose(client, path, "password123")
    differ = choose(client, path, NEW_PASSWORD, "something else entirely")

    assert [r.status_code for r in (short, common, differ)] == [422] * 3  # type: ignore[attr-defined]
    assert "Use at least 8 characters." in short.text  # type: ignore[attr-defined]
    assert "most common" in common.text  # type: ignore[attr-defined]
    assert "The two passwords differ." in differ.text  # type: ignore[attr-defined]
    # The link is still good after refused attempts.
    assert choose(client, path, NEW_PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_using_one_link_kills_the_others(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    ask(client, email)
    first = link_for(client, email)
    ask(client, email)
    second = link_for(client, email)
    assert first != second

    assert choose(client, second, NEW_PASSWORD).status_code == 303  # type: ignore[attr-defined]

    assert client.get(first).status_code == 404


def test_tokens_are_stored_hashed(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    ask(client, world.emails["member"])
    token = link_for(client, world.emails["member"]).rsplit("/", 1)[1]

    with stores_of(client).accounts.engine.connect() as connection:
        stored = list(
            connection.exec_driver_sql(
                "SELECT token_hash FROM password_resets"
            ).scalars()
        )

    assert len(stored) == 1
    assert token not in stored[0]


def test_requests_are_limited_per_address_and_per_email(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    statuses = [ask(client, email).status_code for _ in range(4)]  # type: ignore[attr-defined]

    assert statuses == [200, 200, 200, 429]
    assert len(stores_of(client).outbox.messages()) == 3
    # The same for an unknown address: nothing tells them apart.
    unknown = [ask(client, "nobody@test.example").status_code for _ in range(4)]  # type: ignore[attr-defined]
    assert unknown == [200, 200, 200, 429]
    clock.advance(timedelta(hours=1, seconds=1))
    assert ask(client, email).status_code == 200  # type: ignore[attr-defined]


def test_wrong_links_are_limited_per_address(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    statuses = [client.get(f"/password/reset/guess{n}").status_code for n in range(21)]

    assert statuses == [404] * 20 + [429]
    assert "Too many attempts" in client.get("/password/reset/guess").text


def test_a_reset_clears_the_login_lock(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    page = client.get("/login")
    for _ in range(5):
        client.post(
            "/login",
            data={
                "email": email,
                "password": "x" * 9,
                "csrf_token": csrf_of(page.text),
            },
        )
    ask(client, email)

    choose(client, link_for(client, email), NEW_PASSWORD)

    login(client, email, NEW_PASSWORD)


def test_the_e_mail_is_in_the_person_s_language(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    account = stores_of(client).accounts.by_email(world.emails["member"])
    assert account is not None
    stores_of(client).accounts.update_preferences(account.account_id, language="fr")

    ask(client, world.emails["member"])

    message = stores_of(client).outbox.messages()[-1].message
    assert message.language == "fr"
    assert message.subject == "Choisir un nouveau mot de passe"
    assert "Bonjour Member" in message.text_body


def test_the_pages_read_in_french(client: TestClient, world: World) -> None:
    client.cookies.set("lang", "fr")

    page = client.get("/password/forgot")

    assert "Mot de passe oublié\u00a0?" in page.text
    assert "Mot de passe oublié\u00a0?" in client.get("/login").text
