"""The JSON API: bearer tokens only, the pages' rules and messages as
problem+json, writes that leave nothing when refused, keyset history pages, the
OpenAPI document, and the per-token rate limit shared through the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from starlette.testclient import TestClient

from governance.actor import Actor
from tests.web.api_support import PDF, ApiWorld, build_api_world
from tests.web.conftest import World, build_world, event_count, login, stores_of
from web.api import ENDPOINTS
from web.app import create_app
from web.identity.api_tokens import READ
from web.settings import Settings, SettingsError

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client: TestClient, world: World) -> ApiWorld:
    return build_api_world(client, world)


def base(api: ApiWorld) -> str:
    return f"/api/v1/consortia/{api.ids['consortium_id']}"


def a_pledge(api: ApiWorld, **changes: str) -> dict[str, str]:
    return {
        "partner_id": api.ids["partner_id"],
        "kind": "financial",
        "amount": "1200",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "funding": "co_financing",
        **changes,
    }


def stored_files(client: TestClient) -> list[str]:
    return stores_of(client).evidence.stored_names()


def test_a_cookie_session_does_not_authenticate_an_api_call(
    client: TestClient, api: ApiWorld
) -> None:
    login(client, api.world.emails["coordinator"])
    assert client.get("/consortia").status_code == 200

    response = client.get("/api/v1/consortia")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "token.missing"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer clt_unknown", "Bearer ", "Basic abc", "Bearer " + "x" * 5000]
)
def test_an_unknown_or_malformed_token_is_refused_with_401(
    client: TestClient, api: ApiWorld, header: str
) -> None:
    response = client.get("/api/v1/consortia", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_a_token_reads_as_its_person_and_another_consortium_is_not_found(
    client: TestClient, api: ApiWorld
) -> None:
    mine = client.get("/api/v1/consortia", headers=api.auth("member", READ)).json()
    assert [c["consortium"]["consortium_id"] for c in mine] == [
        api.ids["consortium_id"]
    ]
    assert mine[0]["role"] == "member"

    elsewhere = client.get(
        f"/api/v1/consortia/{api.ids['elsewhere']}/partners",
        headers=api.auth("member", READ),
    )
    assert elsewhere.status_code == 404
    assert elsewhere.json()["code"] == "not_found"


def test_contributions_carry_their_evidence_digest_and_a_link_the_token_opens(
    client: TestClient, api: ApiWorld
) -> None:
    headers = api.auth("financer", READ)
    rows = client.get(base(api) + "/contributions", headers=headers).json()
    assert rows[0]["contribution"]["evidence"]["sha256"] == api.ids["sha256"]
    download = client.get(rows[0]["evidence_url"], headers=headers)
    assert download.status_code == 200
    assert download.content == PDF
    assert client.get(rows[0]["evidence_url"]).status_code == 401


def test_a_pledge_through_the_api_is_recorded_and_read_back(
    client: TestClient, api: ApiWorld
) -> None:
    headers = api.auth("member")
    response = client.post(
        base(api) + "/commitments", json=a_pledge(api), headers=headers
    )

    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"] == made["url"]
    detail = client.get(made["url"], headers=headers).json()
    assert detail["commitment"]["amount"] == "1200"


def test_a_read_only_token_cannot_write_and_nothing_is_recorded(
    client: TestClient, api: ApiWorld
) -> None:
    before = event_count(client)
    response = client.post(
        base(api) + "/commitments", json=a_pledge(api), headers=api.auth("member", READ)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "token.read_only"
    assert event_count(client) == before


def test_a_refused_rule_answers_its_code_and_message_in_the_caller_s_language(
    client: TestClient, api: ApiWorld
) -> None:
    before = event_count(client)
    response = client.post(
        base(api) + "/commitments",
        json=a_pledge(api, starts_on="2026-12-31", ends_on="2026-01-01"),
        headers={**api.auth("coordinator"), "Accept-Language": "fr"},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert problem["code"] == "period.ends_before_start"
    assert problem["detail"] == "La période ne peut pas finir avant de commencer."
    assert problem["errors"][0]["field"] == "ends_on"
    assert event_count(client) == before


def test_bad_input_gives_422_with_the_fields_at_fault(
    client: TestClient, api: ApiWorld
) -> None:
    response = client.post(
        base(api) + "/commitments",
        json={"kind": "nonsense", "amount": "lots"},
        headers={**api.auth("coordinator"), "Accept-Language": "fr"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"partner_id", "kind", "amount", "starts_on"} <= fields
    assert "Ce champ est obligatoire." in response.text


def test_a_delivery_with_its_file_is_stored_and_listed(
    client: TestClient, api: ApiWorld
) -> None:
    url = base(api) + f"/commitments/{api.ids['commitment_id']}/deliveries"
    pdf = PDF + b"% another\n"
    response = client.post(
        url,
        data={"amount": "200", "description": "Second virement"},
        files={"evidence": ("virement.pdf", pdf, "application/pdf")},
        headers=api.auth("member"),
    )
    assert response.status_code == 201, response.text
    detail = client.get(response.json()["url"], headers=api.auth("member")).json()
    assert len(detail["contributions"]) == 2


def test_a_refused_delivery_leaves_no_event_and_no_file(
    client: TestClient, api: ApiWorld
) -> None:
    url = base(api) + f"/commitments/{api.ids['commitment_id']}/deliveries"
    before, files = event_count(client), stored_files(client)
    not_a_pdf = client.post(
        url,
        data={"amount": "200", "description": "x"},
        files={
            "evidence": ("virement.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
        },
        headers=api.auth("member"),
    )
    refused_by_rule = client.post(
        url,
        data={"amount": "5", "description": "x", "delivered_on": "2025-01-01"},
        files={"evidence": ("v.pdf", PDF + b"% new bytes\n", "application/pdf")},
        headers=api.auth("member"),
    )
    assert not_a_pdf.status_code == 422
    assert [e["field"] for e in not_a_pdf.json()["errors"]] == ["evidence"]
    assert refused_by_rule.status_code == 422, refused_by_rule.text
    assert refused_by_rule.json()["code"] != "invalid"  # the service refused it
    assert event_count(client) == before
    assert stored_files(client) == files


def test_the_history_comes_in_keyset_pages_carrying_the_log_position(
    client: TestClient, api: ApiWorld
) -> None:
    headers = api.auth("pilot", READ)
    first = client.get(base(api) + "/history?limit=3", headers=headers).json()
    positions = [e["entry"]["position"] for e in first["events"]]
    assert positions == sorted(positions)
    assert first["last_position"] == positions[-1]
    second = client.get(first["next"], headers=headers).json()
    assert second["events"][0]["entry"]["position"] > positions[-1]
    assert all(e["text"] for e in second["events"])
    everything: list[int] = []
    page = client.get(base(api) + "/history?limit=500", headers=headers).json()
    everything = [e["entry"]["position"] for e in page["events"]]
    assert everything[:3] == positions
    assert page["next"] is None


def test_unknown_api_addresses_and_methods_answer_problem_json(
    client: TestClient, api: ApiWorld
) -> None:
    missing = client.get("/api/v1/nothing", headers=api.auth("member"))
    wrong = client.delete(base(api) + "/partners", headers=api.auth("member"))
    assert (missing.status_code, wrong.status_code) == (404, 405)
    assert missing.headers["content-type"] == wrong.headers["content-type"] == PROBLEM


def test_the_openapi_document_declares_every_endpoint(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert {("/api/v1" + e.path, e.name) for e in ENDPOINTS} == {
        (path, name) for (_, path), name in operations.items()
    }
    assert "PledgeBody" in document["components"]["schemas"]
    assert "CommitmentRow" in document["components"]["schemas"]


def test_the_openapi_document_is_valid_openapi_3_1(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    # The validator's own negative control: an answer without its required
    # description is refused.
    broken = json.loads(json.dumps(document))
    first = next(iter(broken["paths"].values()))
    next(iter(first.values()))["responses"]["200"] = {"content": {}}

    OpenAPIV31SpecValidator(document).validate()
    with pytest.raises(OpenAPIValidationError):
        OpenAPIV31SpecValidator(broken).validate()


@pytest.fixture
def limited(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two hosts over one store, each allowing three calls a minute per token."""
    few = replace(settings, api_calls_per_minute=3)
    with (
        TestClient(create_app(few), base_url="https://testserver") as one,
        TestClient(create_app(few), base_url="https://testserver") as two,
    ):
        yield one, two


def test_the_rate_limit_of_a_token_holds_across_hosts(
    limited: tuple[TestClient, TestClient],
) -> None:
    one, two = limited
    api = build_api_world(one, build_world(one))
    headers = api.auth("member", READ)
    answers = [
        host.get("/api/v1/consortia", headers=headers).status_code
        for host in (one, two, one)
    ]
    refused = two.get("/api/v1/consortia", headers=headers)
    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    other = one.get("/api/v1/consortia", headers=api.auth("coordinator", READ))
    assert other.status_code == 200


def test_a_revoked_or_expired_token_is_refused_with_401(
    client: TestClient, api: ApiWorld
) -> None:
    store = stores_of(client).accounts.api_tokens
    member = stores_of(client).accounts.by_email(api.world.emails["member"])
    assert member is not None
    [token] = [t for t in store.tokens_of(member.account_id) if t.name == "member read"]
    assert store.revoke(member.account_id, token.token_id, now=datetime.now(UTC))
    expired, _ = store.create(
        member.account_id,
        name="old",
        scope=READ,
        consortium_id=None,
        now=datetime.now(UTC) - timedelta(days=2),
        expires_at=datetime.now(UTC) - timedelta(days=1),
    )

    for secret in (api.tokens[("member", READ)], expired):
        response = client.get(
            "/api/v1/consortia", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "token.invalid"


def test_refusals_speak_the_account_s_language_without_accept_language(
    client: TestClient, api: ApiWorld
) -> None:
    member = stores_of(client).accounts.by_email(api.world.emails["member"])
    assert member is not None
    stores_of(client).accounts.update_preferences(member.account_id, language="fr")

    response = client.post(
        base(api) + "/commitments", json=a_pledge(api), headers=api.auth("member", READ)
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton ne peut que lire."


def test_who_may_ask_is_decided_before_the_input_is_read(
    client: TestClient, api: ApiWorld
) -> None:
    garbage = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    stranger = client.post(
        base(api) + "/commitments",
        content=garbage["content"],
        headers={**garbage["headers"], **api.auth("outsider")},
    )
    reader = client.post(
        base(api) + "/commitments",
        content=garbage["content"],
        headers={**garbage["headers"], **api.auth("member", READ)},
    )
    writer = client.post(
        base(api) + "/commitments",
        content=garbage["content"],
        headers={**garbage["headers"], **api.auth("member")},
    )
    assert (stranger.status_code, reader.status_code, writer.status_code) == (
        404,
        403,
        400,
    )


def test_the_rate_limit_is_a_setting_and_an_unusable_value_is_refused() -> None:
    assert Settings.from_env({}).api_calls_per_minute == 600
    chosen = Settings.from_env({"CONSORTIUM_API_CALLS_PER_MINUTE": "5"})
    assert chosen.api_calls_per_minute == 5
    with pytest.raises(SettingsError, match="CONSORTIUM_API_CALLS_PER_MINUTE"):
        Settings.from_env({"CONSORTIUM_API_CALLS_PER_MINUTE": "0"})


def test_a_measurement_is_warned_about_then_recorded_and_only_in_its_consortium(
    client: TestClient, api: ApiWorld, world: World
) -> None:
    stores = stores_of(client)
    outsider = stores.accounts.by_email(world.emails["outsider"])
    assert outsider is not None
    theirs = stores.governance.define_indicator(
        Actor(outsider.account_id),
        UUID(api.ids["elsewhere"]),
        name="Ailleurs",
        unit="lieux",
        baseline=Decimal(0),
        target=Decimal(10),
        target_on=date(2027, 6, 30),
        measured_by="",
    ).id
    stores.read_side.catch_up()
    headers = api.auth("pilot")
    ours = base(api) + f"/indicators/{api.ids['indicator_id']}/measurements"
    far = {"value": "900", "on": "2026-03-01", "source": "Comptage"}
    before = event_count(client)

    borrowed = client.post(
        base(api) + f"/indicators/{theirs}/measurements",
        json={"value": "3", "on": "2026-03-01", "source": "x"},
        headers=headers,
    )
    warned = client.post(ours, json=far, headers=headers)
    recorded = client.post(ours, json={**far, "confirm_value": True}, headers=headers)

    assert borrowed.status_code == 404, borrowed.text
    assert warned.status_code == 422, warned.text
    assert warned.json()["errors"][0]["field"] == "value"
    assert recorded.status_code == 200, recorded.text
    assert event_count(client) == before + 1
