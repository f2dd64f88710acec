"""The API's access matrix: every endpoint × role × token scope.

Roles: the consortium's coordinator, member (representing a partner that is not
the lead), pilot team and financer; a member of another consortium (outsider) and
a person with no role anywhere (nobody). Scopes: a read token, a read+write
token, and a read+write token made for another consortium ("other").

Expected: 200/201 done; 403 refused (read-only token, a token for another
consortium, or a role that may not do this, as the service decides); 404 not
revealed (not a member, exactly as the pages). Each role's calls run on a fresh
world: reads first, then every write with a read token and with another
consortium's token (all refused, nothing recorded), then with a write token.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.web.api_support import PDF, ROLES, ApiWorld, build_api_world
from tests.web.conftest import World, event_count
from web.api import ENDPOINTS

MEMBERS = ("coordinator", "member", "pilot", "financer")
STRANGERS = ("outsider", "nobody")
SCOPES = ("read", "write", "other")


def shown() -> dict[tuple[str, str], int]:
    """A read: members see it with either scope; another consortium's token is
    refused; strangers are not told it exists."""
    answers = {}
    for role in ROLES:
        for scope in SCOPES:
            if role in STRANGERS:
                answers[(role, scope)] = 404
            else:
                answers[(role, scope)] = 403 if scope == "other" else 200
    return answers


def writes(done: int, *allowed: str) -> dict[tuple[str, str], int]:
    """A write: only a write token of a role the service allows does it."""
    answers = {}
    for role in ROLES:
        for scope in SCOPES:
            if role in STRANGERS:
                answers[(role, scope)] = 404
            elif scope != "write":
                answers[(role, scope)] = 403
            else:
                answers[(role, scope)] = done if role in allowed else 403
    return answers


EVERYONE = {(role, scope): 200 for role in ROLES for scope in SCOPES}
MATRIX: dict[str, dict[tuple[str, str], int]] = {
    "list_consortia": EVERYONE,
    "get_consortium": shown(),
    "list_partners": shown(),
    "list_commitments": shown(),
    "get_commitment": shown(),
    "list_contributions": shown(),
    "get_evidence": shown(),
    "list_bodies": shown(),
    "list_proposals": shown(),
    "get_proposal": shown(),
    "list_obligations": shown(),
    "list_indicators": shown(),
    "list_capitalisation": shown(),
    "get_history": shown(),
    "list_checkpoints": shown(),
    "pledge": writes(201, "coordinator", "member"),
    "deliver": writes(201, "coordinator", "member"),
    "measure": writes(200, "coordinator", "pilot"),
    "draft_report": writes(200, "coordinator", "pilot"),
    "submit_report": writes(200, "coordinator", "pilot"),
    "cast_vote": writes(200, "member"),
}


def test_every_api_endpoint_has_an_entry_in_the_matrix() -> None:
    assert {e.name for e in ENDPOINTS} == set(MATRIX)


def call(client: TestClient, api: ApiWorld, name: str, role: str, scope: str) -> Any:
    endpoint = next(e for e in ENDPOINTS if e.name == name)
    path = "/api/v1" + endpoint.path
    for key, value in api.ids.items():
        path = path.replace("{" + key + "}", value)
    headers = api.auth(role, scope)
    if endpoint.method == "GET":
        return client.get(path, headers=headers)
    bodies: dict[str, Any] = {
        "pledge": {
            "partner_id": api.ids["partner_id"],
            "kind": "financial",
            "amount": "1000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "funding": "co_financing",
        },
        "measure": {"value": "10", "on": "2026-03-01", "source": "Comptage"},
        "draft_report": {"text": "Ce que nous avons fait."},
        "cast_vote": {"option": "for"},
    }
    if name == "deliver":
        return client.post(
            path,
            data={"amount": "10", "description": "Part"},
            files={"evidence": ("p.pdf", PDF + role.encode(), "application/pdf")},
            headers=headers,
        )
    if name in bodies:
        return client.post(path, json=bodies[name], headers=headers)
    return client.post(path, headers=headers)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_and_scope_gets_what_the_matrix_says_on_every_endpoint(
    client: TestClient, world: World, role: str
) -> None:
    api = build_api_world(client, world)
    reads = [e.name for e in ENDPOINTS if e.method == "GET"]
    changes = [e.name for e in ENDPOINTS if e.method != "GET"]
    got: dict[tuple[str, str], int] = {}
    for scope in SCOPES:
        for name in reads:
            got[(name, scope)] = call(client, api, name, role, scope).status_code
    before = event_count(client)
    for scope in ("read", "other"):
        for name in changes:
            got[(name, scope)] = call(client, api, name, role, scope).status_code
    assert event_count(client) == before
    for name in changes:
        response = call(client, api, name, role, "write")
        got[(name, "write")] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
    wrong = {
        key: (status, MATRIX[key[0]][(role, key[1])])
        for key, status in got.items()
        if status != MATRIX[key[0]][(role, key[1])]
    }
    assert not wrong, f"{role}: (got, expected) {wrong}"
