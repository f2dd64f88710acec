"""CSRF, cross-site refusal, security headers, and the error contract."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from governance.errors import Conflict, NotFound, NotPermitted, RuleViolated
from tests.web.conftest import World, csrf, event_count, login
from web.app import create_app
from web.settings import Settings


def admit_form(name: str = "New Partner") -> dict[str, str]:
    return {"name": name, "kind": "company", "role": "partner", "paper": "none"}


def test_a_post_without_csrf_token_is_refused(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = client.post(
        f"/consortia/{world.consortium_id}/partners", data=admit_form()
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_a_csrf_token_from_another_session_is_refused(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    foreign_token = csrf(client)
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = client.post(
        f"/consortia/{world.consortium_id}/partners",
        data={**admit_form(), "csrf_token": foreign_token},
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_the_csrf_header_is_accepted_for_htmx(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = client.post(
        f"/consortia/{world.consortium_id}/partners",
        data=admit_form(),
        headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)},
    )

    assert response.status_code == 200
    assert "New Partner" in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_cross_site_posts_are_refused_even_with_a_valid_token(
    client: TestClient, world: World, headers: dict[str, str]
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = client.post(
        f"/consortia/{world.consortium_id}/partners",
        data={**admit_form(), "csrf_token": csrf(client)},
        headers=headers,
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_login_from_another_site_is_refused(client: TestClient, world: World) -> None:
    response = client.post(
        "/login",
        data={"email": world.emails["coordinator"], "password": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/login", "/static/app.css", "/nowhere"])
def test_every_response_carries_the_security_headers(
    client: TestClient, path: str
) -> None:
    response = client.get(path)

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_fragments_carry_the_security_headers_too(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = client.get(
        f"/consortia/{world.consortium_id}/partners",
        headers={"HX-Request": "true", "HX-Target": "partner-table"},
    )

    assert "<html" not in response.text
    assert "content-security-policy" in response.headers


PRIVATE = [
    "/consortia",
    # The overview answers conditional GETs: kept privately, asked again each time
    # (tests/web/test_conditional_get.py); another page of the consortium here.
    "/consortia/{cid}/ledger",
    "/consortia/{cid}/history",
    "/consortia/{cid}/history.csv",
    "/consortia/{cid}/history.jsonl",
    "/consortia/{cid}/history.xlsx",
    "/consortia/{cid}/capitalisation.csv",
    "/consortia/{cid}/capitalisation.json",
    "/account",
    "/account/export",
    "/consortia/00000000-0000-0000-0000-000000000000",
]


@pytest.mark.parametrize("path", PRIVATE)
def test_no_answer_to_a_logged_in_person_may_be_stored_by_a_cache(
    client: TestClient, world: World, path: str
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(path.format(cid=world.consortium_id))
    fragment = client.get(
        path.format(cid=world.consortium_id),
        headers={"HX-Request": "true", "HX-Target": "main"},
    )

    assert "no-store" in page.headers["cache-control"], page.status_code
    assert "no-store" in fragment.headers["cache-control"]


def test_a_page_answering_conditional_gets_is_kept_by_the_browser_alone(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(f"/consortia/{world.consortium_id}")

    assert page.headers["cache-control"] == "private, no-cache"
    assert "etag" in page.headers


def test_static_files_keep_their_caching_for_a_logged_in_person(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = client.get("/static/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
    assert "etag" in response.headers


def test_oversized_forms_are_refused(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = client.post(
        f"/consortia/{world.consortium_id}/partners",
        data={"name": "x" * 300_000, "csrf_token": csrf(client)},
    )

    assert response.status_code == 413


def _raising(settings: Settings, error: Exception) -> Starlette:
    """The app, with one more route that raises ``error``."""

    def endpoint(request: object) -> None:
        raise error

    app = create_app(settings)
    app.add_route("/raising", endpoint)
    return app


def _client(app: Starlette, **options: bool) -> TestClient:
    return TestClient(app, base_url="https://testserver", **options)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("consortium", "x"), 404),
        (NotPermitted("admit", "a"), 403),
        (
            RuleViolated(
                "phase.illegal_transition", current="setup", requested="closed"
            ),
            422,
        ),
        (Conflict("x"), 409),
    ],
)
def test_domain_errors_map_to_their_status(
    settings: Settings, error: Exception, status: int
) -> None:
    app = _raising(settings, error)
    with _client(app, raise_server_exceptions=False) as test_client:
        page = test_client.get("/raising")
        fragment = test_client.get("/raising", headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == status
    assert "<html" in page.text
    assert "<html" not in fragment.text
    assert fragment.headers["hx-retarget"] == "#alerts"
    assert "Traceback" not in page.text


def test_a_conflict_tells_the_user_to_reload(settings: Settings) -> None:
    with _client(_raising(settings, Conflict("x"))) as test_client:
        response = test_client.get("/raising")

    assert "Reload the page" in response.text
