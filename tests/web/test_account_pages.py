"""One's own account: changing the password, two-step login (TOTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import (
    PASSWORD,
    World,
    csrf,
    csrf_of,
    give_code,
    login,
    password_step,
    post,
    stores_of,
    switch_on_two_step,
)
from web.app import create_app
from web.identity import totp
from web.settings import Settings

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def clock(client: TestClient) -> FixedClock:
    fixed = FixedClock(T0)
    stores_of(client).accounts.throttle.clock = fixed
    return fixed


@pytest.fixture
def other(settings: Settings) -> Iterator[TestClient]:
    """A second browser on the same stores' database."""
    with TestClient(create_app(settings), base_url="https://testserver") as browser:
        yield browser


def test_the_account_page_shows_who_one_is(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])

    page = client.get("/account")

    assert page.status_code == 200
    assert world.emails["member"] in page.text
    assert 'href="/account/export"' in page.text


def test_account_pages_need_a_login(client: TestClient) -> None:
    for path in (
        "/account",
        "/account/password",
        "/account/two-factor",
        "/account/export",
        "/account/erase",
        "/admin/accounts/erase",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path


# -- changing the password -------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions_only(
    client: TestClient, other: TestClient, world: World
) -> None:
    email = world.emails["member"]
    login(other, email)
    login(client, email)
    before = client.cookies.get("__Host-session")

    response = post(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/account?done=password"
    assert client.cookies.get("__Host-session") != before  # rotated
    assert (
        "Your other sessions have ended."
        in client.get(response.headers["location"]).text
    )
    assert other.get("/consortia", follow_redirects=False).status_code == 303
    login(other, email, NEW_PASSWORD)


def test_the_current_password_is_required_and_counted(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    login(client, world.emails["member"])
    wrong = {
        "current_password": "not my password",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }

    statuses = [post(client, "/account/password", wrong).status_code for _ in range(6)]

    assert statuses == [422] * 5 + [429]
    page = post(client, "/account/password", wrong)
    assert "Too many attempts" in page.text
    clock.advance(timedelta(minutes=15, seconds=1))
    right = {**wrong, "current_password": PASSWORD}
    assert post(client, "/account/password", right).status_code == 303


def test_a_new_password_follows_the_rules(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])

    response = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "short", "password_again": "short"},
    )

    assert response.status_code == 422
    assert "Use at least 8 characters." in response.text
    assert stores_of(client).accounts.authenticate(world.emails["member"], PASSWORD)


# -- two-step login --------------------------------------------------------------------


def set_up_two_factor(client: TestClient, clock: FixedClock) -> str:
    """Switch two-step login on through the pages; returns the secret."""
    return switch_on_two_step(client, clock.now()).secret


def test_enabling_needs_a_right_code(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    login(client, world.emails["coordinator"])
    post(client, "/account/two-factor/setup")

    wrong = post(
        client, "/account/two-factor/enable", {"code": "000000", "password": PASSWORD}
    )

    assert wrong.status_code == 422
    assert "This code is not right" in wrong.text
    account = stores_of(client).accounts.by_email(world.emails["coordinator"])
    assert account is not None
    assert not stores_of(client).accounts.has_second_factor(account.account_id)


def test_login_asks_for_the_code_after_the_password(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["financer"]
    login(client, email)
    secret = set_up_two_factor(client, clock)
    assert "Two-step login is on" in client.get("/account").text

    first = password_step(client, email)

    assert first.status_code == 303
    assert first.headers["location"] == "/login/code"
    # Half-authenticated: the session has no rights yet.
    blocked = client.get(f"/consortia/{world.consortium_id}", follow_redirects=False)
    assert blocked.status_code == 303
    assert blocked.headers["location"].startswith("/login")
    clock.advance(timedelta(seconds=30))
    done = give_code(client, totp.code_at(secret, clock.now()))
    assert done.status_code == 303
    assert done.headers["location"] == "/consortia"
    assert client.get(f"/consortia/{world.consortium_id}").status_code == 200


def test_a_code_cannot_be_used_twice(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    secret = set_up_two_factor(client, clock)
    clock.advance(timedelta(seconds=30))
    code = totp.code_at(secret, clock.now())
    password_step(client, email)
    assert give_code(client, code).status_code == 303

    password_step(client, email)
    replay = give_code(client, code)

    assert replay.status_code == 422
    assert "it was used already" in replay.text
    # An older code of the window is refused too; the next one works.
    earlier = totp.code_at(secret, clock.now() - timedelta(seconds=30))
    assert give_code(client, earlier).status_code == 422
    clock.advance(timedelta(seconds=30))
    assert give_code(client, totp.code_at(secret, clock.now())).status_code == 303


def test_codes_are_rate_limited_per_account(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    secret = set_up_two_factor(client, clock)
    password_step(client, email)

    statuses = [give_code(client, f"{n:06d}").status_code for n in range(5)]
    clock.advance(timedelta(seconds=30))
    limited = give_code(client, totp.code_at(secret, clock.now()))

    assert statuses == [422] * 5
    assert limited.status_code == 429
    assert "Too many attempts. Try again in 15 minutes." in limited.text
    clock.advance(timedelta(minutes=15))
    password_step(client, email)  # the pending login lived 5 minutes
    assert give_code(client, totp.code_at(secret, clock.now())).status_code == 303


def test_a_pending_login_expires_after_five_minutes(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    secret = set_up_two_factor(client, clock)
    password_step(client, email)
    clock.advance(timedelta(minutes=5))

    late = give_code(client, totp.code_at(secret, clock.now()))

    assert late.status_code == 303
    assert late.headers["location"] == "/login"
    assert client.get("/consortia", follow_redirects=False).status_code == 303


def test_the_code_page_without_a_password_goes_back_to_login(
    client: TestClient, world: World
) -> None:
    client.get("/login")

    assert client.get("/login/code", follow_redirects=False).status_code == 303
    assert give_code(client, "123456").headers["location"] == "/login"


def test_disabling_needs_the_password_and_a_code(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    secret = set_up_two_factor(client, clock)
    clock.advance(timedelta(seconds=30))
    code = totp.code_at(secret, clock.now())

    no_password = post(
        client, "/account/two-factor/disable", {"password": "wrong one", "code": code}
    )
    no_code = post(
        client, "/account/two-factor/disable", {"password": PASSWORD, "code": "123456"}
    )
    done = post(
        client, "/account/two-factor/disable", {"password": PASSWORD, "code": code}
    )

    assert no_password.status_code == no_code.status_code == 422
    assert "This is not your current password." in no_password.text
    assert done.status_code == 303
    assert password_step(client, email).headers["location"] == "/consortia"


def test_two_step_login_pages_in_french(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    client.cookies.set("lang", "fr")
    login(client, world.emails["coordinator"])
    client.cookies.set("lang", "fr")

    page = client.get("/account/two-factor")

    assert "Connexion en deux étapes" in page.text
    assert "Votre compte" in client.get("/account").text


def test_the_csrf_token_of_the_pending_session_is_fresh(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    set_up_two_factor(client, clock)
    logged_in_token = csrf(client)

    password_step(client, email)

    assert csrf_of(client.get("/login/code").text) != logged_in_token
