"""The 304s' floor: a bare endpoint that answers a consortium's page with a tag, and
304 to that tag, for the application's own sessions on its own store, as long as
what the tag names has not changed.

Its speed is not checked (the benchmark's table compares it with the bare page);
what is checked is that it does the work a correct 304 must do, on each backend:
a live session of a member, the consortium's position.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import Phase
from tests.support.demo_store import COORDINATOR, load_demo
from web.bench.server import real_app
from web.bench.tag_floor import floor_app
from web.identity.tables import sessions
from web.identity.tokens import digest
from web.ops.storage import open_stores
from web.settings import Settings

Demo = tuple[Settings, str]
COOKIE = "session"
"""The application's session cookie over http (the benchmark's loopback)."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Demo:
    """The demo's store, named by the environment as the benchmark's servers are."""
    env = {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}
    if request.param == "postgres":
        env["CONSORTIUM_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    consortium_id = load_demo(env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env(env), consortium_id


def _session(email: str, password: str) -> str:
    """A session of the application, opened through its login form."""
    with TestClient(real_app(), base_url="http://testserver") as client:
        page = client.get("/login").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return str(client.cookies[COOKIE])


def _cookie(session: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={session}"}


def test_it_answers_304_to_its_own_tag_only(demo: Demo) -> None:
    _settings, consortium_id = demo
    page = f"/consortia/{consortium_id}"
    cookie = _session(*COORDINATOR)
    with TestClient(floor_app()) as floor:
        first = floor.get(page, headers=_cookie(cookie))
        tag = first.headers["ETag"]
        again = floor.get(page, headers={**_cookie(cookie), "If-None-Match": tag})
        other = floor.get(page, headers={**_cookie(cookie), "If-None-Match": 'W/"x"'})

    assert first.status_code == 200
    assert (again.status_code, again.headers["ETag"], again.content) == (304, tag, b"")
    assert other.status_code == 200


def test_its_tag_names_the_session_and_the_consortium_s_position(demo: Demo) -> None:
    settings, consortium_id = demo
    page = f"/consortia/{consortium_id}"
    first, second = _session(*COORDINATOR), _session(*COORDINATOR)
    with TestClient(floor_app()) as floor:
        tag = floor.get(page, headers=_cookie(first)).headers["ETag"]
        another_session = floor.get(page, headers=_cookie(second)).headers["ETag"]

        stores = open_stores(settings)
        try:
            account = stores.accounts.by_email(COORDINATOR[0])
            assert account is not None
            stores.governance.change_phase(
                Actor(account.account_id),
                UUID(consortium_id),
                Phase.CLOSED,
                datetime.now(UTC).date(),
            )
            stores.read_side.catch_up()
        finally:
            stores.close()
        moved = floor.get(page, headers={**_cookie(first), "If-None-Match": tag})

    assert another_session != tag
    assert moved.status_code == 200
    assert moved.headers["ETag"] != tag


def test_no_live_session_of_a_member_no_tag(demo: Demo) -> None:
    settings, consortium_id = demo
    page = f"/consortia/{consortium_id}"
    cookie, expired = _session(*COORDINATOR), _session(*COORDINATOR)
    stores = open_stores(settings)
    try:
        with stores.accounts.engine.begin() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.session_hash == digest(expired))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        stores.close()
    with TestClient(floor_app()) as floor:
        stranger = floor.get(page, headers=_cookie("forged"))
        elsewhere = floor.get(f"/consortia/{UUID(int=1)}", headers=_cookie(cookie))
        gone = floor.get(page, headers=_cookie(expired))
        live = floor.get(page, headers=_cookie(cookie))

    assert [r.status_code for r in (stranger, elsewhere, gone)] == [404] * 3
    assert "ETag" not in stranger.headers
    assert live.status_code == 200
