"""Web fixtures: the real app over a SQLite data directory, and people in roles.

One ``TestClient`` per test (the lifespan runs, so stores open and close for real);
switching person means logging in through the login form like a browser would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import (
    CallForProjects,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
)
from tests.support.builders import T0
from tests.support.fakes import FixedClock
from web.app import create_app
from web.identity import totp
from web.ops.storage import Stores, open_stores
from web.request_state import APP_KEY, AppState
from web.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The app on SQLite files, then on PostgreSQL; fast password hashing."""
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    return Settings(
        data_dir=tmp_path,
        database_url=url,
        secret_key="test-secret",
        scheduler=False,
        # Projections run when a request waits for them (or a test catches up):
        # a test reading a read model right after a command must say so.
        apply_in_background=False,
        password_time_cost=1,
        password_memory_kib=8192,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def stores(settings: Settings) -> Iterator[Stores]:
    """The stores alone, without the app, on each backend; the clock fixed at T0."""
    opened = open_stores(settings, clock=FixedClock(T0))
    yield opened
    opened.close()


def stores_of(client: TestClient) -> Stores:
    """The stores the app under test opened."""
    app = client.app_state[APP_KEY]
    assert isinstance(app, AppState)
    return app.stores


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert match is not None, "page without CSRF meta tag"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, like a browser (a fresh one).

    The person comes later than the commands sent before: by then the background
    applier (switched off in these tests) has applied them, so the read models
    catch up first. Only the browser that sent a command waits for it by itself.
    """
    if isinstance(client, TestClient):  # else real processes, with their worker
        stores_of(client).read_side.catch_up()
    log_in_now(client, email, password)


def log_in_now(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form in a fresh browser, right away: the read
    models are as they are (nothing catches up for this browser)."""
    client.cookies.clear()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf(client: TestClient) -> str:
    """The current session's CSRF token (read from a page)."""
    return csrf_of(client.get("/consortia").text)


def post(
    client: TestClient,
    url: str,
    data: dict[str, str] | None = None,
    *,
    htmx: bool = False,
    target: str | None = None,
) -> Any:
    """A form post with the session's CSRF token, as a plain form or via htmx."""
    token = csrf(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}
    if target:
        headers["HX-Target"] = target
    body = dict(data or {})
    if not htmx:
        body["csrf_token"] = token
    return client.post(url, data=body, headers=headers, follow_redirects=False)


def htmx_get(client: TestClient, url: str, target: str | None = None) -> Any:
    headers = {"HX-Request": "true"}
    if target:
        headers["HX-Target"] = target
    return client.get(url, headers=headers)


def event_count(client: TestClient) -> int:
    """How many events the log holds."""
    return int(stores_of(client).governance.recorder.max_notification_id() or 0)


@dataclass(frozen=True)
class World:
    """A consortium with a person in each role, and an outsider."""

    consortium_id: UUID
    lead_id: str
    partner_id: str
    other_partner_id: str
    emails: dict[str, str]


def a_call() -> CallForProjects:
    return CallForProjects(
        name="Territoires durables",
        funder="Banque fictive",
        reference="TD-1",
        opens_on=date(2026, 1, 1),
        closing_dates=(date(2026, 3, 1),),
        url="https://calls.example/td",
    )


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client)


def build_world(client: TestClient) -> World:
    """A consortium with a coordinator, member, pilot and financer; an outsider."""
    stores = stores_of(client)
    accounts, governance = stores.accounts, stores.governance
    now = datetime.now(UTC)
    emails = {
        role: f"{role}@test.example"
        for role in ("coordinator", "member", "pilot", "financer", "outsider")
    }
    ids = {
        role: accounts.create_account(email, role.title(), PASSWORD, now=now).account_id
        for role, email in emails.items()
    }
    coordinator = Actor(ids["coordinator"])
    created = governance.found_consortium(
        coordinator,
        name="Inclusion Numérique",
        acronym="IN",
        summary="",
        territory="Val",
        call=a_call(),
        founded_on=date(2026, 1, 5),
    )
    cid = UUID(created.id)

    def admit(name: str, role: PartnerRole) -> str:
        return governance.admit_partner(
            coordinator,
            cid,
            PartnerIdentity(name, PartnerKind.COMPANY),
            role=role,
            axis="",
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=date(2026, 1, 6),
        ).id

    lead = admit("Lead Corp", PartnerRole.LEAD)
    partner = admit("Partner Co", PartnerRole.PARTNER)
    other = admit("Other Co", PartnerRole.PARTNER)
    for role, member_role, partner_id in (
        ("member", MemberRole.MEMBER, partner),
        ("pilot", MemberRole.PILOT_TEAM, None),
        ("financer", MemberRole.FINANCER, None),
    ):
        invitation = governance.issue_invitation(
            coordinator, cid, member_role, partner_id, now + timedelta(days=1)
        )
        governance.accept_invitation(Actor(ids[role]), cid, invitation.id)
    # The outsider founds a consortium of their own.
    governance.found_consortium(
        Actor(ids["outsider"]),
        name="Elsewhere",
        acronym="",
        summary="",
        territory="",
        call=a_call(),
        founded_on=date(2026, 1, 5),
    )
    stores.read_side.catch_up()
    return World(cid, lead, partner, other, emails)


# -- two-step login ------------------------------------------------------------------

RECOVERY_CODE = re.compile(r"<li><code>([0-9a-z]{4}(?:-[0-9a-z]{4}){3})</code></li>")


@dataclass(frozen=True)
class TwoStep:
    """What a person keeps after switching two-step login on."""

    secret: str
    codes: list[str]


def switch_on_two_step(client: TestClient, now: datetime) -> TwoStep:
    """Switch two-step login on through the pages (the logged-in person)."""
    post(client, "/account/two-factor/setup")
    page = client.get("/account/two-factor")
    match = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)
    assert match is not None, page.text
    secret = match.group(1).replace(" ", "")
    assert "otpauth://totp/" in page.text
    assert 'src="data:image/svg+xml' in page.text
    response = post(
        client,
        "/account/two-factor/enable",
        {"code": totp.code_at(secret, now), "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    codes = RECOVERY_CODE.findall(response.text)
    assert len(codes) == 10, response.text
    return TwoStep(secret, codes)


def password_step(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """The first step of a login, in a fresh browser state."""
    client.cookies.clear()
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/consortia",
        },
        follow_redirects=False,
    )


def give_code(client: TestClient, code: str) -> Any:
    """The second step of a login: a TOTP code or a recovery code."""
    page = client.get("/login/code")
    return client.post(
        "/login/code",
        data={"code": code, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
