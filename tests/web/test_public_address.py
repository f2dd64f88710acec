"""Links shown or sent from a page use the address the app is served at when
``CONSORTIUM_BASE_URL`` is unset (the setting wins when set; a forged ``Host`` does
not choose them); a new calendar address is made by POST, then redirect, then GET
(issue 17, §5), on both backends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, build_world, csrf, login, post
from web.app import create_app
from web.settings import Settings

INVITE = {"email": "new@test.example", "role": "pilot_team"}


def invitation_link(client: TestClient, world: World, **headers: str) -> str:
    """The coordinator invites someone; the link the page shows (and e-mails)."""
    login(client, world.emails["coordinator"])
    response = client.post(
        f"/consortia/{world.consortium_id}/invitations",
        data={**INVITE, "partner_id": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf(client), **headers},
    )
    assert response.status_code == 200, response.text
    found = re.search(r'<code class="link">([^<]+)</code>', response.text)
    assert found is not None
    return found.group(1)


def test_an_invitation_link_uses_the_address_the_app_is_served_at(
    client: TestClient, world: World
) -> None:
    link = invitation_link(client, world)

    assert link.startswith("https://testserver/invitations/")


def test_a_forged_host_does_not_choose_where_a_link_points(
    client: TestClient, world: World
) -> None:
    link = invitation_link(client, world, host="evil.example/@x")

    assert link.startswith("http://127.0.0.1:8000/invitations/")


@pytest.fixture
def configured(settings: Settings) -> Iterator[TestClient]:
    """The app with ``CONSORTIUM_BASE_URL`` set, served at another address."""
    with TestClient(
        create_app(replace(settings, base_url="https://ledger.example/")),
        base_url="https://testserver",
    ) as test_client:
        yield test_client


def test_the_base_url_setting_wins_when_it_is_set(configured: TestClient) -> None:
    world = build_world(configured)

    link = invitation_link(configured, world)

    assert link.startswith("https://ledger.example/invitations/")


def test_a_new_calendar_address_redirects_and_a_refresh_neither_shows_nor_replaces_it(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    made = post(client, "/calendar/feed")
    shown = client.get("/calendar").text
    refreshed = client.get("/calendar").text

    assert made.status_code == 303
    assert made.headers["location"] == "/calendar"
    address = re.search(r"https://testserver/calendar/([A-Za-z0-9_-]+)\.ics", shown)
    assert address is not None
    assert address.group(1) not in refreshed
    assert "Make a new address" in refreshed
    client.cookies.clear()  # calendar applications send no cookie
    assert client.get(f"/calendar/{address.group(1)}.ics").status_code == 200
