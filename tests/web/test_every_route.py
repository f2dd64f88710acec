"""Properties every route keeps, checked by enumerating the app's routes.

A new POST route is covered automatically: it must refuse a request without the
session's CSRF token, and a financer (read-only) must never change anything through it.
"""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.web.conftest import World, csrf, event_count, login

# Open to any account: logging in and out, the language, founding a consortium (any
# account may found one), accepting an invitation (holding the token is the proof),
# one's own calendar feed address and notification preferences. Reviewing a report
# and countersigning a checkpoint of the log are the financer's own jobs.
PUBLIC_POSTS = {
    "/login",
    # Anonymous: the second step of a login (the session holds the pending login).
    "/login/code",
    # Anonymous: asking for a reset link, and using one (the token is the proof).
    "/password/forgot",
    "/password/reset/{token}",
    # One's own account: password, second factor, recovery codes, erasure (each asks
    # the password again, or a code); they record no event.
    "/account/password",
    "/account/two-factor/setup",
    "/account/two-factor/enable",
    "/account/two-factor/disable",
    "/account/two-factor/recovery-codes",
    "/account/erase",
    "/logout",
    "/language",
    "/consortia/new",
    "/invitations/{token}",
    "/calendar/feed",
    "/notifications/preferences",
    "/consortia/{consortium_id}/reports/{obligation_id}/review",
    "/consortia/{consortium_id}/audit/checkpoints/{checkpoint_id}/countersign",
    # The funder's grant is the financer's own record: the grant, payments, recoveries.
    "/consortia/{consortium_id}/funding/grant",
    "/consortia/{consortium_id}/funding/tranches/{tranche_id}/payments",
    "/consortia/{consortium_id}/funding/recoveries",
    # notify: marking one's own notifications read records no event.
    "/notifications/read",
    "/notifications/read-all",
    # One's own personal access tokens: made and revoked, no event.
    "/account/tokens",
    "/account/tokens/{token_id}/revoke",
}
# POST because they ask for costly work (a verification, run in the background), yet
# they record no event: a financer may use them (200 for htmx, 303 for a plain form).
READ_ONLY_POSTS = {"/consortia/{consortium_id}/audit/verify"}
# A financer's own portfolio webhooks (issue 18 §2): theirs to register and change,
# and no event of any consortium.
FINANCERS_OWN = "/portfolio/webhooks"


def post_routes(client: TestClient) -> list[str]:
    return [
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route) and r.methods and "POST" in r.methods
    ]


def concrete(path: str, world: World) -> str:
    return (
        path.replace("{consortium_id}", str(world.consortium_id))
        .replace("{partner_id}", world.partner_id)
        .replace("{account_id}", "someone")
        .replace("{invitation_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{entry_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{token}", "no-such-token")
        .replace("{checkpoint_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{line_id}", "00000000-0000-0000-0000-000000000000")
    )


def test_every_post_route_needs_the_csrf_token(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    statuses = {
        path: client.post(concrete(path, world), data={"x": "y"}).status_code
        for path in post_routes(client)
    }

    assert statuses
    assert all(status == 403 for status in statuses.values()), statuses
    assert event_count(client) == before


@pytest.mark.parametrize("htmx", [False, True])
def test_a_financer_changes_nothing_through_any_route(
    client: TestClient, world: World, htmx: bool
) -> None:
    login(client, world.emails["financer"])
    token = csrf(client)
    before = event_count(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}

    statuses = {}
    for path in post_routes(client):
        if path in PUBLIC_POSTS:
            continue
        response = client.post(
            concrete(path, world),
            headers=headers,
            data={
                "csrf_token": token,
                "name": "X",
                "kind": "company",
                "role": "partner",
                "phase": "closed",
                "on": "2026-02-01",
                "email": "a@test.example",
                "reason": "r",
                "axis": "a",
                "paper": "none",
                "title": "T",
                "for_whom": "F",
                "worked": "W",
                "handles_personal_data": "no",
                "beneficiary_involvement": "B",
            },
            follow_redirects=False,
        )
        statuses[path] = response.status_code

    assert all(
        status in {403, 404}
        or (path in READ_ONLY_POSTS and status in {200, 303})
        or (path.startswith(FINANCERS_OWN) and status < 500)
        for path, status in statuses.items()
    ), statuses
    assert event_count(client) == before


def test_anonymous_visitors_are_sent_to_login_from_every_consortium_page(
    client: TestClient, world: World
) -> None:
    get_paths = [
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "GET" in r.methods
        and r.path.startswith("/consortia")
    ]

    for path in get_paths:
        response = client.get(concrete(path, world), follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
