"""One-line fields (names, titles) refuse line breaks; multi-line ones keep them.

A name on two lines would split a heading, a CSV row or an e-mail subject: every
character ``str.splitlines`` breaks on is refused with a message, and nothing is
recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from projections.consortia import consortium_details
from tests.web.conftest import World, csrf, csrf_of, event_count, login, stores_of
from tests.web.test_consortia_pages import FOUND
from tests.web.test_decision_pages import established
from tests.web.test_member_pages import invite
from tests.web.test_partner_pages import ADMIT

LINE_BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]
MESSAGE = "Write this on one line: line breaks are not allowed here."
# A form to post: its address and fields, with the name or title given.
Built = tuple[str, dict[str, str]]
Form = Callable[[TestClient, World, str], Built]


def send(
    client: TestClient, url: str, data: dict[str, str], language: str = "en"
) -> Any:
    return client.post(
        url,
        data={**data, "csrf_token": csrf(client)},
        headers={"Accept-Language": language},
        follow_redirects=False,
    )


def a_consortium(client: TestClient, world: World, name: str) -> Built:
    return "/consortia/new", {**FOUND, "name": name}


def a_profile(client: TestClient, world: World, name: str) -> Built:
    return f"/consortia/{world.consortium_id}/profile", {**FOUND, "name": name}


def a_partner(client: TestClient, world: World, name: str) -> Built:
    return f"/consortia/{world.consortium_id}/partners", {**ADMIT, "name": name}


def a_proposal(client: TestClient, world: World, title: str) -> Built:
    body_id = established(client, world)
    return f"/consortia/{world.consortium_id}/proposals", {
        "body_id": body_id,
        "title": title,
        "text": "As annexed.",
        "mode": "meeting",
        "meeting_on": "2026-03-01",
        "options": "",
    }


FORMS: dict[str, Form] = {
    "consortium name": a_consortium,
    "profile name": a_profile,
    "partner name": a_partner,
    "proposal title": a_proposal,
}


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_a_line_break_in_a_name_or_title_is_refused_and_nothing_is_recorded(
    client: TestClient, world: World, form: Form
) -> None:
    login(client, world.emails["coordinator"])
    url, data = form(client, world, "Inclusion{}Bcc: x@evil.example")
    before = event_count(client)

    refused = {
        line_break: send(
            client, url, {k: v.format(line_break) for k, v in data.items()}
        )
        for line_break in LINE_BREAKS
    }
    after_refusals = event_count(client)
    accepted = send(client, url, {k: v.format(" ") for k, v in data.items()})

    assert {repr(k): r.status_code for k, r in refused.items()} == {
        repr(k): 422 for k in LINE_BREAKS
    }
    assert all(MESSAGE in r.text for r in refused.values())
    assert after_refusals == before
    assert accepted.status_code == 303


def test_the_refusal_is_told_in_french(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = send(
        client, "/consortia/new", {**FOUND, "name": "Deux\r\nlignes"}, language="fr"
    )

    assert response.status_code == 422
    assert "Écrivez ce texte sur une seule ligne" in response.text
    assert event_count(client) == before


def test_a_summary_keeps_its_line_breaks(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])

    response = send(
        client,
        f"/consortia/{world.consortium_id}/profile",
        {**FOUND, "summary": "Premier paragraphe.\r\n\r\nSecond paragraphe."},
    )

    assert response.status_code == 303
    stores = stores_of(client)
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        details = consortium_details(connection, str(world.consortium_id))
    assert details is not None
    assert details.summary.splitlines() == [
        "Premier paragraphe.",
        "",
        "Second paragraphe.",
    ]


@pytest.mark.parametrize("line_break", ["\r\n", "\u2028"], ids=repr)
def test_an_account_name_on_two_lines_is_refused_and_no_account_is_made(
    client: TestClient, world: World, line_break: str
) -> None:
    login(client, world.emails["coordinator"])
    link = invite(client, world, "newcomer@test.example")
    client.cookies.clear()
    page = client.get(link)

    response = client.post(
        link,
        data={
            "display_name": f"New{line_break}comer",
            "password": "a long enough secret",
            "password_again": "a long enough secret",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert MESSAGE in response.text
    assert stores_of(client).accounts.by_email("newcomer@test.example") is None
    assert client.get(link).status_code == 200  # the invitation is still open
