"""R8 for the JSON API: generated calls against every API endpoint.

Every endpoint ``web.api.ENDPOINTS`` declares is called (a new one is covered
without a change here) with a write token of the role that may use it, on SQLite
and PostgreSQL: bodies that are JSON of any shape (objects with the declared
fields plausible or hostile, arrays, scalars, deep nesting), bodies that are not
JSON, multipart with hostile fields and files, hostile query strings, hostile
``Authorization`` headers. No answer is a 5xx, every refusal is problem+json, and
a refused call appends no event.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.soak import scaled
from tests.web.api_support import PDF, ApiWorld, build_api_world
from tests.web.conftest import build_world, event_count
from web.api import ENDPOINTS, Endpoint
from web.app import create_app
from web.settings import Settings

CALLS_PER_ENDPOINT = scaled(25, 1000)
ROLE_FOR = {"measure": "pilot", "draft_report": "pilot", "submit_report": "pilot"}
ROLE_FOR |= {"pledge": "member", "deliver": "member", "cast_vote": "member"}

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "²",
        "٣",
        "NaN",
        "Infinity",
        "-1",
        "1e999",
        "0" * 400,
        "\x00",
        "a\nb",
        "\u2028",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
        "{}",
        "[]",
        "null",
        "💶" * 50,
        "x" * 70000,
        "../../etc/passwd",
        "%00",
        "<script>",
    ]
)
PLAUSIBLE = st.sampled_from(
    ["financial", "co_financing", "2026-03-01", "100", "for", "Texte", "comptage"]
)
VALUES: st.SearchStrategy[Any] = st.one_of(
    HOSTILE_TEXT,
    PLAUSIBLE,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)


def field_names(endpoint: Endpoint) -> list[str]:
    model = endpoint.body or endpoint.form or endpoint.query
    names = list(model.model_fields) if model is not None else []
    return [*names, "unknown"]


# A body each write accepts, that a call may take as it is or change a few fields
# of: the fuzzing then reaches the service, not only the shape checks.
VALID: dict[str, dict[str, Any]] = {
    "pledge": {
        "partner_id": "{partner_id}",
        "kind": "financial",
        "amount": "10",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "funding": "co_financing",
    },
    "deliver": {"amount": "1", "description": "Part", "delivered_on": "2026-03-01"},
    "measure": {"value": "10", "on": "2026-03-01", "source": "Comptage"},
    "draft_report": {"text": "Ce que nous avons fait."},
    "cast_vote": {"option": "for"},
}


def bodies(endpoint: Endpoint, ids: dict[str, str]) -> st.SearchStrategy[Any]:
    names = field_names(endpoint)
    known = st.sampled_from(sorted(ids.values()))
    objects = st.dictionaries(
        st.sampled_from(names), st.one_of(VALUES, known), max_size=len(names)
    )
    valid = {
        k: v.replace("{partner_id}", ids["partner_id"]) if isinstance(v, str) else v
        for k, v in VALID.get(endpoint.name, {}).items()
    }
    changed = objects.map(lambda extra: {**valid, **dict(list(extra.items())[:2])})
    return st.one_of(
        objects,
        st.just(valid),
        changed,
        VALUES,
        st.just("[" * 5000 + "]" * 5000),
        st.just("not json"),
    )


def path_of(endpoint: Endpoint, ids: dict[str, str], hostile: str | None) -> str:
    """The endpoint's address; with ``hostile``, its last identifier replaced (the
    consortium's own stays, so the call gets past the membership check)."""
    names = re.findall(r"{([a-z_0-9]+)}", endpoint.path)
    values = dict(ids)
    if hostile is not None and len(names) > 1:
        values[names[-1]] = hostile
    path = "/api/v1" + endpoint.path
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    return path


def send(
    client: TestClient, api: ApiWorld, endpoint: Endpoint, call: dict[str, Any]
) -> Any:
    role = ROLE_FOR.get(endpoint.name, "coordinator")
    headers = {**api.auth(role), **call["headers"]}
    path = path_of(endpoint, api.ids, call["segment"]) + call["query"]
    if endpoint.method == "GET":
        return client.get(path, headers=headers)
    if endpoint.upload:
        fields = {
            k: str(v)
            for k, v in (call["body"] if isinstance(call["body"], dict) else {}).items()
        }
        files = {endpoint.upload: ("f.pdf", call["file"], "application/pdf")}
        return client.post(path, data=fields, files=files, headers=headers)
    raw = call["body"]
    content = raw if isinstance(raw, str) and raw.startswith("[[") else json.dumps(raw)
    if raw == "not json":
        content = "not json"
    return client.post(
        path,
        content=content.encode(),
        headers={"Content-Type": call["content_type"], **headers},
    )


def calls(endpoint: Endpoint, ids: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "body": bodies(endpoint, ids),
            "query": st.sampled_from(
                [
                    "",
                    "?after=-1",
                    "?after=²",
                    "?after=99999999999999999999999",
                    "?limit=0",
                    "?limit=abc",
                    "?after=3&limit=2",
                    "?x=%ff",
                ]
            ),
            "segment": st.sampled_from(
                [
                    None,
                    None,
                    "not-a-uuid",
                    "0" * 300,
                    "%2e%2e",
                    "00000000-0000-4000-8000-000000000000",
                ]
            ),
            "headers": st.sampled_from(
                [{}, {}, {"Accept-Language": "fr"}, {"Accept-Language": "zz;q=x,,"}]
            ),
            "content_type": st.sampled_from(
                ["application/json", "application/json; charset=latin-1", "text/plain"]
            ),
            "file": st.sampled_from([PDF + b"%x\n", b"", b"MZ\x90\x00", b"\x00" * 100]),
        }
    )


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, ApiWorld]]:
    server = None
    url = None
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("api-fuzz"),
        database_url=url,
        secret_key="test-secret",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
        api_calls_per_minute=100_000,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client, build_api_world(client, build_world(client))
    if server is not None and url is not None:
        server.drop_database(url)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_fuzzed_api_calls_never_fail_and_refused_ones_record_nothing(
    target: tuple[TestClient, ApiWorld], endpoint: Endpoint
) -> None:
    client, api = target
    statuses: Counter[int] = Counter()

    @hypothesis_settings(
        max_examples=CALLS_PER_ENDPOINT,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(call=calls(endpoint, api.ids))
    def one_call(call: dict[str, Any]) -> None:
        before = event_count(client)
        response = send(client, api, endpoint, call)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, call, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert event_count(client) == before, call

    one_call()
    print(f"R8 API {endpoint.name}: statuses {dict(sorted(statuses.items()))}")  # noqa: T201
