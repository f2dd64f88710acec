"""Conditional GET: a consortium page carries a tag, and the same browser sending it
back gets ``304 Not Modified`` with nothing rendered, until anything the page shows
changes: a command, a notice read, the language, the day, the session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from anyio.to_thread import current_default_thread_limiter
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import World, build_world, login, post, stores_of
from tests.web.test_layout import a_reminder_to_the_financer
from web.app import create_app
from web.settings import Settings


@pytest.fixture
def clock() -> FixedClock:
    # An evening (five hours on it is the next day in UTC and in Paris, the session
    # alive) not before the machine's time: the world's accounts are made with it,
    # and a session opened before an account's "sessions valid after" is refused
    # (so this clock was wrong for runs after 20:00 UTC). The next evening then,
    # when today's is past: the world's invitations hold for days.
    now = datetime.now(UTC)
    evening = now.replace(hour=20, minute=0, second=0, microsecond=0)
    return FixedClock(evening if evening >= now else evening + timedelta(days=1))


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(settings, clock=clock)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client)


def overview(world: World) -> str:
    return f"/consortia/{world.consortium_id}"


def fetch(client: TestClient, url: str, tag: str | None = None, **headers: str) -> Any:
    if tag is not None:
        headers["If-None-Match"] = tag
    return client.get(url, headers=headers, follow_redirects=False)


def tagged(client: TestClient, url: str) -> str:
    """The page's tag, from a first GET that rendered it."""
    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    return str(response.headers["etag"])


def changed(client: TestClient, url: str, old: str) -> str:
    """Asked with the old tag: the page is rendered again, under a new tag."""
    response = fetch(client, url, old)
    assert response.status_code == 200, response.status_code
    assert "<html" in response.text
    assert response.headers["etag"] != old
    return str(response.headers["etag"])


def test_the_same_page_asked_again_with_its_tag_is_not_modified_and_empty(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    for url in (
        overview(world),
        overview(world) + "/partners",
        overview(world) + "/decisions",
    ):
        tag = tagged(client, url)

        again = fetch(client, url, tag)

        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert again.headers["cache-control"] == "private, no-cache"
        # A list of tags, as browsers may send, is compared member by member.
        assert fetch(client, url, f'W/"other", {tag}').status_code == 304


def test_a_command_on_the_consortium_changes_the_tag(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    tags = {url: tagged(client, url) for url in (overview(world),)}
    partners = overview(world) + "/partners"
    tags[partners] = tagged(client, partners)

    response = post(
        client,
        f"{partners}/{world.partner_id}/axis",
        {"axis": "Mobilité douce"},
    )
    assert response.status_code == 303
    client.cookies.delete("done")  # the one-shot notice, read below on its own

    for url, old in tags.items():
        changed(client, url, old)
    assert "Mobilité douce" in fetch(client, partners, tags[partners]).text


def test_a_page_saying_done_is_rendered_and_never_tagged(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    partners = overview(world) + "/partners"
    post(client, f"{partners}/{world.partner_id}/axis", {"axis": "Un axe"})
    client.cookies.delete("done")
    tag = tagged(client, overview(world))
    client.cookies.set("done", "1")

    response = fetch(client, overview(world), tag)

    assert response.status_code == 200
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_reading_a_notice_changes_the_tag(client: TestClient, world: World) -> None:
    login(client, world.emails["financer"])
    before = tagged(client, overview(world))
    a_reminder_to_the_financer(client, world)

    arrived = changed(client, overview(world), before)
    assert "1 unread" in fetch(client, overview(world), before).text
    assert post(client, "/notifications/read-all").status_code == 303
    client.cookies.delete("done")

    changed(client, overview(world), arrived)


def test_choosing_another_language_changes_the_tag(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    english = tagged(client, overview(world))

    post(client, "/language", {"language": "fr", "next": overview(world)})

    french = changed(client, overview(world), english)
    assert 'lang="fr"' in fetch(client, overview(world), english).text
    assert fetch(client, overview(world), french).status_code == 304


def test_the_next_day_changes_the_tag(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    login(client, world.emails["coordinator"])
    today = tagged(client, overview(world))
    clock.advance(timedelta(minutes=50))
    assert fetch(client, overview(world), today).status_code == 304

    clock.advance(timedelta(hours=4))

    changed(client, overview(world), today)


def test_a_new_session_of_the_same_person_never_matches_the_old_tag(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    first = tagged(client, overview(world))
    assert post(client, "/logout").status_code == 303

    login(client, world.emails["coordinator"])

    changed(client, overview(world), first)


def test_another_session_never_gets_a_304_for_someone_elses_tag(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    coordinators = tagged(client, overview(world))
    login(client, world.emails["member"])
    members = tagged(client, overview(world))
    login(client, world.emails["coordinator"])

    assert fetch(client, overview(world), coordinators).status_code == 200
    for someone in ("member", "financer", "pilot"):
        login(client, world.emails[someone])
        response = fetch(client, overview(world), coordinators)
        assert response.status_code == 200, someone
        assert response.headers["etag"] != coordinators
    login(client, world.emails["member"])
    assert fetch(client, overview(world), members).status_code == 200
    login(client, world.emails["outsider"])
    assert fetch(client, overview(world), members).status_code == 404


def test_a_fragment_and_its_page_have_tags_of_their_own(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    partners = overview(world) + "/partners"
    page = tagged(client, partners)
    fragment = fetch(client, partners, **{"HX-Request": "true"})

    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.headers["etag"] != page
    assert fetch(client, partners, page, **{"HX-Request": "true"}).status_code == 200
    assert fetch(client, partners, page).status_code == 304


def test_each_address_has_a_tag_of_its_own(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    decisions = overview(world) + "/decisions"
    tags = {
        url: tagged(client, url)
        for url in (
            overview(world),
            decisions,
            decisions + "?page=2",
            decisions + "?page=%C3%A9",  # an address's bytes, not what they decode to
        )
    }

    assert len(set(tags.values())) == len(tags)
    for url, tag in tags.items():
        assert fetch(client, url, tag).status_code == 304, url
        for other in set(tags) - {url}:
            assert fetch(client, other, tag).status_code == 200, (url, other)


def test_pages_showing_more_than_the_consortiums_log_are_not_tagged(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    for url in (
        overview(world) + "/ledger",  # people's names, files' state
        overview(world) + "/history",  # people's names
        overview(world) + "/members",  # e-mails, request keys
        "/consortia",  # every consortium of the person
        "/account",
    ):
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert "etag" not in response.headers, url
        assert response.headers["cache-control"] == "no-store", url


def test_a_projection_behind_the_others_leaves_the_page_untagged(
    client: TestClient, world: World
) -> None:
    from sqlalchemy import update

    from projections.base import tracking

    login(client, world.emails["coordinator"])
    read_side = stores_of(client).read_side
    with read_side.engine.begin() as connection:
        connection.execute(
            update(tracking)
            .where(tracking.c.name == "partners")
            .values(position=tracking.c.position - 1)
        )

    response = fetch(client, overview(world))

    assert response.status_code == 200
    assert "etag" not in response.headers


def test_on_sqlite_a_304_needs_no_worker_thread_and_on_postgresql_waits_for_one(
    client: TestClient, world: World, settings: Settings
) -> None:
    # Every worker thread taken, as by long exports: on SQLite the tag is computed
    # and the 304 answered on the event loop; on PostgreSQL (round trips that must
    # not hold the loop) the request waits for a thread, then gets its 304.
    login(client, world.emails["coordinator"])
    tag = tagged(client, overview(world))
    portal = client.portal
    assert portal is not None
    limiter = portal.call(current_default_thread_limiter)
    borrowers = [object() for _ in range(int(limiter.total_tokens))]
    for borrower in borrowers:
        portal.call(limiter.acquire_on_behalf_of, borrower)
    answers: list[int] = []
    asking = threading.Thread(
        target=lambda: answers.append(fetch(client, overview(world), tag).status_code)
    )
    try:
        asking.start()
        asking.join(timeout=1 if settings.uses_postgres else 30)
        assert answers == ([] if settings.uses_postgres else [304])
    finally:
        for borrower in borrowers:
            portal.call(limiter.release_on_behalf_of, borrower)
        asking.join(timeout=30)
    assert answers == [304]
