"""Login rate limiting: per account (known or not) and per client address.

The throttle's clock is a ``FixedClock`` moved by hand, so windows pass in no time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import PASSWORD, World, csrf_of, login, post, stores_of
from web.identity.passwords import PasswordChecks
from web.identity.throttle import LOGIN_ACCOUNT, LOGIN_ADDRESS, REAUTHENTICATE, Throttle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(client: TestClient) -> FixedClock:
    """The clock of the app's throttle, stopped at T0."""
    fixed = FixedClock(T0)
    stores_of(client).accounts.throttle.clock = fixed
    return fixed


def attempt(client: TestClient, email: str, password: str) -> object:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    accounts = stores_of(client).accounts

    failures = [attempt(client, email, "wrong password").status_code for _ in range(5)]
    verifications = accounts.verifications
    locked = attempt(client, email, PASSWORD)

    assert failures == [422] * 5
    assert locked.status_code == 429
    assert "Wrong e-mail address or password." in locked.text
    assert "Too many attempts. Try again in 15 minutes." in locked.text
    # Refused before any password is verified: the lock is no CPU lever.
    assert accounts.verifications == verifications

    clock.advance(timedelta(minutes=10))
    assert "Try again in 5 minutes." in attempt(client, email, PASSWORD).text
    clock.advance(timedelta(minutes=5, seconds=1))
    assert attempt(client, email, PASSWORD).status_code == 303


def test_the_window_slides_and_refused_attempts_do_not_extend_the_lock(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    for _ in range(4):
        attempt(client, email, "wrong password")
    clock.advance(timedelta(minutes=10))
    attempt(client, email, "wrong password")  # the fifth, 10 minutes later
    for _ in range(3):
        assert attempt(client, email, "wrong password").status_code == 429

    # The first four leave the window 15 minutes after they were made.
    clock.advance(timedelta(minutes=5, seconds=1))

    assert attempt(client, email, "wrong password").status_code == 422


def test_an_unknown_address_is_limited_exactly_like_a_known_one(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    known, unknown = world.emails["member"], "nobody@test.example"
    for email in (known, unknown):
        for _ in range(5):
            attempt(client, email, "wrong password")

    answers = [attempt(client, email, "wrong password") for email in (known, unknown)]

    assert [a.status_code for a in answers] == [429, 429]  # type: ignore[attr-defined]
    known_text = answers[0].text.replace(known, "")  # type: ignore[attr-defined]
    unknown_text = answers[1].text.replace(unknown, "")  # type: ignore[attr-defined]
    assert known_text == unknown_text


def test_a_successful_login_clears_the_account_count(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    for _ in range(4):
        attempt(client, email, "wrong password")
    assert attempt(client, email, PASSWORD).status_code == 303

    statuses = [attempt(client, email, "wrong password").status_code for _ in range(5)]

    assert statuses == [422] * 5
    assert attempt(client, email, PASSWORD).status_code == 429


def test_a_success_does_not_uncount_attempts_still_being_checked(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    # Four wrong passwords sent with the right one are being checked when the
    # right one succeeds: they are failures to come, so they stay counted.
    throttle = stores_of(client).accounts.throttle
    key = (LOGIN_ACCOUNT, world.emails["member"])
    for _ in range(4):
        assert throttle.reserve(key).granted
    right = throttle.reserve(key)
    throttle.release(right)
    throttle.reset(*key)

    granted = [throttle.reserve(key).granted for _ in range(3)]

    assert throttle.count(*key) == 5
    assert granted == [True, False, False]


def test_a_success_clears_the_failures_already_known(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    throttle = stores_of(client).accounts.throttle
    key = (LOGIN_ACCOUNT, world.emails["member"])
    for reservation in [throttle.reserve(key) for _ in range(4)]:
        throttle.settle(reservation)
    right = throttle.reserve(key)
    throttle.release(right)
    throttle.reset(*key)

    assert throttle.count(*key) == 0
    assert all(throttle.reserve(key).granted for _ in range(5))
    assert not throttle.reserve(key).granted


def test_twenty_failures_from_one_address_lock_every_account_from_it(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    # Spraying: four tries each on five addresses stays under each account's limit.
    for n in range(20):
        attempt(client, f"someone{n // 4}@test.example", "wrong password")

    blocked = attempt(client, world.emails["coordinator"], PASSWORD)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    clock.advance(timedelta(minutes=15, seconds=1))
    assert attempt(client, world.emails["coordinator"], PASSWORD).status_code == 303


def test_a_successful_login_does_not_clear_the_address_count(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    for n in range(19):
        attempt(client, f"someone{n // 4}@test.example", "wrong password")
    assert attempt(client, world.emails["coordinator"], PASSWORD).status_code == 303

    attempt(client, "someone9@test.example", "wrong password")

    assert attempt(client, world.emails["member"], PASSWORD).status_code == 429


def test_the_throttle_answers_in_french(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    client.cookies.set("lang", "fr")
    for _ in range(5):
        attempt(client, world.emails["member"], "wrong password")

    locked = attempt(client, world.emails["member"], "wrong password")

    assert locked.status_code == 429
    assert "Trop de tentatives. Réessayez dans 15 minutes." in locked.text


def test_counts_are_kept_as_digests_and_shared_between_processes(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    stores = stores_of(client)
    for _ in range(5):
        attempt(client, world.emails["member"], "wrong password")
    # Another process: a second throttle over the same database.
    other = Throttle(stores.accounts.engine, clock)

    assert not other.reserve((LOGIN_ACCOUNT, world.emails["member"])).granted
    assert other.count(LOGIN_ADDRESS, "testclient") == 5
    with stores.accounts.engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT bucket FROM throttle_attempts"
        ).scalars()
        text = " ".join(stored)
    assert "member@test.example" not in text
    assert "testclient" not in text


def test_old_attempts_are_purged(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    throttle = stores_of(client).accounts.throttle
    for _ in range(3):
        attempt(client, world.emails["member"], "wrong password")
    clock.advance(timedelta(hours=2))

    assert throttle.purge() == 6  # three per account, three per address
    assert throttle.count(LOGIN_ACCOUNT, world.emails["member"]) == 0


def test_a_login_that_finds_no_free_password_slot_is_answered_busy_and_not_counted(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    accounts = stores_of(client).accounts
    # One slot, held here for the whole request: the login cannot get it.
    accounts.passwords.checks = PasswordChecks(1, wait=0.05)
    email = world.emails["member"]

    with accounts.passwords.checks.slot():
        busy = attempt(client, email, PASSWORD)

    assert busy.status_code == 503
    assert busy.headers["retry-after"].isdigit()
    assert "Nothing was checked or counted" in busy.text
    assert accounts.throttle.count(LOGIN_ACCOUNT, email) == 0
    assert accounts.throttle.count(LOGIN_ADDRESS, "testclient") == 0
    assert attempt(client, email, PASSWORD).status_code == 303


def test_a_password_recheck_that_finds_no_free_slot_is_answered_busy_and_not_counted(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    login(client, world.emails["member"])
    accounts = stores_of(client).accounts
    account = accounts.by_email(world.emails["member"])
    assert account is not None
    accounts.passwords.checks = PasswordChecks(1, wait=0.05)
    new = "another long secret"

    with accounts.passwords.checks.slot():
        busy = post(
            client,
            "/account/password",
            {"current_password": PASSWORD, "password": new, "password_again": new},
        )

    assert busy.status_code == 503
    assert accounts.throttle.count(REAUTHENTICATE, account.account_id) == 0
    assert accounts.verify_password(account.account_id, PASSWORD)
