"""Logging in and out: server-side sessions, cookies, no user enumeration."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import PASSWORD, World, csrf_of, login, stores_of
from web.app import create_app
from web.identity.tables import sessions
from web.identity.throttle import LOGIN_ACCOUNT
from web.identity.tokens import digest
from web.ops.jobs import make_jobs
from web.settings import Settings


def test_login_page_opens_a_pre_session_with_a_csrf_token(client: TestClient) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert csrf_of(response.text)
    assert "__Host-session" in response.headers["set-cookie"]


def test_login_sets_a_host_only_secure_httponly_lax_cookie(
    client: TestClient, world: World
) -> None:
    page = client.get("/login")

    response = client.post(
        "/login",
        data={
            "email": world.emails["coordinator"],
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/consortia",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/consortia"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    assert "domain" not in cookie.lower()


def test_login_rotates_the_session_id(client: TestClient, world: World) -> None:
    client.get("/login")
    before = client.cookies.get("__Host-session")

    login(client, world.emails["coordinator"])

    assert client.cookies.get("__Host-session") != before


def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: TestClient, world: World
) -> None:
    accounts = stores_of(client).accounts
    page = client.get("/login")
    token = csrf_of(page.text)
    verifications = accounts.verifications

    wrong = client.post(
        "/login",
        data={
            "email": world.emails["member"],
            "password": "not the password",
            "csrf_token": token,
        },
    )
    unknown = client.post(
        "/login",
        data={
            "email": "nobody@test.example",
            "password": "not the password",
            "csrf_token": token,
        },
    )

    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong e-mail address or password." in wrong.text
    assert wrong.text.replace("member@test.example", "") == unknown.text.replace(
        "nobody@test.example", ""
    )
    assert accounts.verifications == verifications + 2


def test_logout_ends_the_session_on_the_server(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    old_cookie = client.cookies.get("__Host-session")
    token = csrf_of(client.get("/consortia").text)

    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set("__Host-session", old_cookie or "")
    replay = client.get("/consortia", follow_redirects=False)

    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/login")


def test_disabling_an_account_ends_its_sessions_at_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    accounts = stores_of(client).accounts
    account = accounts.by_email(world.emails["member"])
    assert account is not None

    accounts.set_disabled(account.account_id, True, now=stores_of(client).clock.now())
    response = client.get("/consortia", follow_redirects=False)

    assert response.status_code == 303


def test_pages_need_a_login(client: TestClient, world: World) -> None:
    response = client.get(f"/consortia/{world.consortium_id}", follow_redirects=False)

    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/login?next=/consortia/{world.consortium_id}"
    )


def test_login_redirect_never_leaves_the_site(client: TestClient, world: World) -> None:
    page = client.get("/login")

    response = client.post(
        "/login",
        data={
            "email": world.emails["coordinator"],
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/"


def test_plain_http_development_uses_a_plain_cookie(settings: object) -> None:
    from web.app import create_app

    with TestClient(create_app(settings), base_url="http://127.0.0.1") as http:  # type: ignore[arg-type]
        response = http.get("/login")

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert "secure" not in cookie.lower()


def session_rows(client: TestClient) -> int:
    with stores_of(client).accounts.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(sessions)) or 0)


def test_pre_login_pages_store_no_session_until_a_password_proves_right(
    client: TestClient, world: World
) -> None:
    before = session_rows(client)

    for _ in range(3):
        client.cookies.clear()
        client.get("/login")
        client.get("/password/forgot")
    page = client.get("/login")
    wrong = client.post(
        "/login",
        data={
            "email": world.emails["member"],
            "password": "not the password",
            "csrf_token": csrf_of(page.text),
        },
    )

    assert wrong.status_code == 422
    assert session_rows(client) == before
    login(client, world.emails["member"])
    assert session_rows(client) == before + 1


def test_a_pre_login_token_works_only_with_its_own_cookie(
    client: TestClient, settings: Settings
) -> None:
    mine = csrf_of(client.get("/login").text)
    with TestClient(create_app(settings), base_url="https://testserver") as other:
        theirs = other.get("/login")
        forged = other.post(
            "/login",
            data={"email": "x@test.example", "password": "p", "csrf_token": mine},
        )

    assert csrf_of(theirs.text) != mine
    assert forged.status_code == 403


def test_the_scheduler_purges_expired_sessions_and_old_attempts(
    client: TestClient, settings: Settings, world: World
) -> None:
    stores = stores_of(client)
    accounts = stores.accounts
    stale = accounts.open_session(None, now=stores.clock.now() - timedelta(days=2))
    accounts.throttle.clock = FixedClock(stores.clock.now() - timedelta(hours=2))
    accounts.throttle.reserve((LOGIN_ACCOUNT, "old@test.example"))
    jobs = make_jobs(stores, settings)

    try:
        assert jobs.tick()
    finally:
        jobs.stop()

    with accounts.engine.connect() as connection:
        hashes = set(connection.scalars(select(sessions.c.session_hash)))
    assert digest(stale.token) not in hashes
    assert accounts.throttle.count(LOGIN_ACCOUNT, "old@test.example") == 0
    accounts.throttle.clock = FixedClock(stores.clock.now())
    assert accounts.throttle.purge() == 0
