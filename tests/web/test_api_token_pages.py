"""Personal access tokens on the account pages: made, shown once, kept as a digest,
listed with their last use, revoked with confirmation; a financer's are read-only;
erasure removes them, the personal-data export names them without their secrets."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from tests.web.conftest import World, login, post, stores_of
from web.identity.api_tokens import READ, WRITE
from web.identity.tables import api_tokens
from web.identity.tokens import digest

SECRET = re.compile(r'<code id="token-secret">(clt_[A-Za-z0-9_-]+)</code>')


def make_token(client: TestClient, **fields: str) -> tuple[str, str]:
    """Make a token through the page; returns (secret, page)."""
    response = post(client, "/account/tokens", {"scope": READ, "days": "90", **fields})
    assert response.status_code == 200, response.text
    match = SECRET.search(response.text)
    assert match is not None, response.text
    return match.group(1), response.text


def stored_rows(client: TestClient) -> list[dict[str, object]]:
    with stores_of(client).accounts.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(api_tokens))]


def test_a_token_is_shown_once_and_kept_only_as_its_digest(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    secret, _ = make_token(client, name="Spreadsheet", scope=WRITE)

    rows = stored_rows(client)
    assert len(rows) == 1
    assert rows[0]["token_hash"] == digest(secret)
    assert secret not in json.dumps(rows, default=str)
    listed = client.get("/account/tokens").text
    assert "Spreadsheet" in listed
    assert secret not in listed
    assert "never" in listed  # not used yet


def test_a_token_acts_as_its_person_until_revoked_with_confirmation(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    secret, _ = make_token(client, name="Dashboard")
    store = stores_of(client).accounts.api_tokens
    now = datetime.now(UTC)
    use = store.use(secret, now=now)
    assert use is not None
    assert use.account.email == world.emails["coordinator"]
    assert "never" not in client.get("/account/tokens").text  # last use shown
    token_id = str(stored_rows(client)[0]["token_id"])

    refused = post(client, f"/account/tokens/{token_id}/revoke", {})
    assert refused.status_code == 422
    assert store.use(secret, now=now) is not None

    done = post(client, f"/account/tokens/{token_id}/revoke", {"confirm": "yes"})
    assert done.status_code == 303
    assert store.use(secret, now=now) is None
    assert "Dashboard" not in client.get("/account/tokens").text


def test_another_person_cannot_revoke_a_token_that_is_not_theirs(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    secret, _ = make_token(client, name="Mine")
    token_id = str(stored_rows(client)[0]["token_id"])
    login(client, world.emails["member"])

    assert client.get(f"/account/tokens/{token_id}/revoke").status_code == 404
    response = post(client, f"/account/tokens/{token_id}/revoke", {"confirm": "yes"})

    assert response.status_code == 404
    assert (
        stores_of(client).accounts.api_tokens.use(secret, now=datetime.now(UTC))
        is not None
    )


def test_a_financer_s_token_is_read_only_whatever_is_asked(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    _, page = make_token(
        client,
        name="Funder system",
        scope=WRITE,
        consortium_id=str(world.consortium_id),
    )
    assert "this token is read-only" in page
    assert stored_rows(client)[0]["scope"] == READ


def test_an_expired_token_opens_nothing(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])
    secret, _ = make_token(client, name="Short", days="30")
    store = stores_of(client).accounts.api_tokens
    assert store.use(secret, now=datetime.now(UTC) + timedelta(days=29)) is not None
    assert store.use(secret, now=datetime.now(UTC) + timedelta(days=31)) is None


def test_a_token_for_a_consortium_the_person_is_not_in_is_refused(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["outsider"])
    response = post(
        client,
        "/account/tokens",
        {
            "name": "x",
            "scope": READ,
            "days": "",
            "consortium_id": str(world.consortium_id),
        },
    )
    assert response.status_code == 422
    assert stored_rows(client) == []


def test_erasure_removes_the_tokens_and_the_export_names_them_without_secrets(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    secret, _ = make_token(client, name="Exported name")

    exported = client.get("/account/export").text
    assert "Exported name" in exported
    assert secret not in exported
    assert digest(secret) not in exported

    post(
        client,
        "/account/erase",
        {"password": "correct horse battery", "confirm": "yes"},
    )
    assert stored_rows(client) == []
    assert (
        stores_of(client).accounts.api_tokens.use(secret, now=datetime.now(UTC)) is None
    )
