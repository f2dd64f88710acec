"""Commands answer before the read models catch up; the person who acted still reads
their own writes (issue 19 §2.2, ``web.own_writes``).

A POST that redirects is answered once its events are committed; the browser's next
request waits until the read models include that command. Other sessions do not
wait; the background applier (SQLite's ``serve``) or the worker's loop (PostgreSQL)
catch up without any request, and a failing applier loses no command.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx2 as httpx
import psycopg
import pytest
from starlette.testclient import TestClient

from projections.partners import partner
from projections.runtime import ReadSide
from tests.web.conftest import (
    World,
    build_world,
    csrf,
    event_count,
    log_in_now,
    login,
    post,
    stores_of,
)
from web.app import create_app
from web.own_writes import cookie_name, position_in, signed
from web.settings import Settings

WAIT_SECONDS = 30.0


def axis_of(client: TestClient, world: World) -> str:
    """The partner's axis as its read model holds it, read directly."""
    stores = stores_of(client)
    with stores.read_side.engine.connect() as connection:
        row = partner(connection, str(world.consortium_id), world.partner_id)
    assert row is not None
    return row.axis


def partner_url(world: World) -> str:
    return f"/consortia/{world.consortium_id}/partners/{world.partner_id}"


def change_axis(client: TestClient, world: World, axis: str) -> int:
    """Change the partner's axis through the form; the command's log position."""
    response = post(client, partner_url(world) + "/axis", {"axis": axis})
    assert response.status_code == 303, response.text
    return event_count(client)


def wait_until(condition: object, what: str) -> None:
    """Wait for a condition another thread brings about (bounded, never a sleep in
    place of a signal: it is checked again and again until true)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.01)


def test_a_post_answers_before_the_read_models_and_the_next_get_shows_the_change(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    read_side = stores_of(client).read_side

    position = change_axis(client, world, "Évaluation")

    # The POST did no projection work: nothing applied the command yet.
    assert read_side.position() < position
    assert axis_of(client, world) != "Évaluation"
    page = client.get(partner_url(world))
    assert page.status_code == 200
    assert "Évaluation" in page.text
    assert read_side.position() >= position


def test_another_session_does_not_wait_for_a_command_it_did_not_send(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    read_side = stores_of(client).read_side
    position = change_axis(client, world, "Évaluation")
    coordinator = httpx.Cookies(client.cookies)

    log_in_now(client, world.emails["pilot"])
    other = client.get(partner_url(world))

    assert other.status_code == 200
    assert "Évaluation" not in other.text
    assert read_side.position() < position
    client.cookies = coordinator
    assert "Évaluation" in client.get(partner_url(world)).text


def test_a_fragment_rendered_in_place_after_a_command_shows_it(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client, partner_url(world) + "/axis", {"axis": "Évaluation"}, htmx=True
    )

    assert response.status_code == 200
    assert 'id="partner-record"' in response.text
    assert "Évaluation" in response.text


def test_the_next_post_of_the_session_waits_for_its_last_command(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    read_side = stores_of(client).read_side
    token = csrf(client)
    url = partner_url(world) + "/axis"
    first = client.post(
        url, data={"axis": "Évaluation", "csrf_token": token}, follow_redirects=False
    )
    position = event_count(client)
    assert first.status_code == 303
    assert client.cookies.get(cookie_name("https")) is not None
    assert read_side.position() < position

    # No page read in between: only the second post waits for the first command.
    second = client.post(
        url, data={"axis": "Médiation", "csrf_token": token}, follow_redirects=False
    )

    assert second.status_code == 303
    assert read_side.position() >= position
    assert read_side.position() < event_count(client)


# Two hosts share one database on PostgreSQL only: no SQLite variant to skip.
@pytest.mark.parametrize(
    "settings", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_next_get_on_another_host_waits_for_the_command(
    settings: Settings,
) -> None:
    # Two apps, each with its own stores and read side, on one database (and the
    # same keys, as ``consortium keys import`` gives every host).
    with (
        TestClient(create_app(settings), base_url="https://testserver") as first,
        TestClient(create_app(settings), base_url="https://testserver") as second,
    ):
        world = build_world(first)
        login(first, world.emails["coordinator"])
        position = change_axis(first, world, "Évaluation")
        assert stores_of(second).read_side.position() < position

        second.cookies = httpx.Cookies(first.cookies)
        page = second.get(partner_url(world))

        assert "Évaluation" in page.text
        assert stores_of(second).read_side.position() >= position


def test_a_position_cookie_not_signed_by_the_server_is_ignored() -> None:
    secret = "test-secret"

    assert position_in(signed(42, secret), secret) == 42
    assert position_in(signed(42, "another secret"), secret) == 0
    assert position_in("99999999." + signed(42, secret).split(".")[1], secret) == 0
    assert position_in("99999999", secret) == 0
    assert position_in("²." + "0" * 32, secret) == 0
    assert position_in("", secret) == 0


# -- catching up in the background ---------------------------------------------------


@pytest.fixture
def background(settings: Settings) -> Iterator[TestClient]:
    """The app with its read models applied in the background: SQLite's applier
    thread in the app, or on PostgreSQL the worker's loop in a thread."""
    stop = threading.Event()
    with TestClient(
        create_app(replace(settings, apply_in_background=True)),
        base_url="https://testserver",
    ) as client:
        follower = None
        if settings.uses_postgres:
            read_side = stores_of(client).read_side
            follower = threading.Thread(
                target=read_side.follow,
                args=(stop,),
                kwargs={"poll_seconds": 0.1, "retry_seconds": 0.5},
                daemon=True,
            )
            follower.start()
        try:
            yield client
        finally:
            stop.set()
            if follower is not None:
                follower.join(WAIT_SECONDS)


def test_the_background_applier_catches_up_without_any_request(
    background: TestClient,
) -> None:
    world = build_world(background)
    login(background, world.emails["coordinator"])
    read_side = stores_of(background).read_side

    position = change_axis(background, world, "Évaluation")

    wait_until(lambda: read_side.includes(position), "the read models caught up")
    assert axis_of(background, world) == "Évaluation"


def test_a_failing_applier_loses_no_command(
    background: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    world = build_world(background)
    login(background, world.emails["coordinator"])
    read_side = stores_of(background).read_side
    refuse_tracking_updates(read_side)
    try:
        position = change_axis(background, world, "Évaluation")

        # Applied neither in the background nor by the next page, which is still
        # shown (from what the read models hold); the command is in the log.
        wait_until(lambda: applier_failed(caplog), "the applier met the fault")
        page = background.get(partner_url(world))
        assert page.status_code == 200
        assert not read_side.includes(position)
        assert event_count(background) >= position
    finally:
        allow_tracking_updates(read_side)

    wait_until(lambda: read_side.includes(position), "the applier tried again")
    assert axis_of(background, world) == "Évaluation"
    assert "Évaluation" in background.get(partner_url(world)).text


def applier_failed(caplog: pytest.LogCaptureFixture) -> bool:
    return any(
        "apply_failed" in record.getMessage() or "follow_failed" in record.getMessage()
        for record in caplog.records
    )


def refuse_tracking_updates(read_side: ReadSide) -> None:
    """Make the read models' database refuse every move of a tracking position."""
    url = read_side.engine.url
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database), isolation_level=None)
        connection.execute(
            "CREATE TRIGGER refuse_tracking BEFORE UPDATE ON projection_tracking "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
        connection.close()
        return
    with psycopg.connect(_pg_url(read_side), autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION refuse_tracking() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        connection.execute(
            "CREATE TRIGGER refuse_tracking BEFORE UPDATE ON projection_tracking "
            "FOR EACH ROW EXECUTE FUNCTION refuse_tracking()"
        )


def allow_tracking_updates(read_side: ReadSide) -> None:
    url = read_side.engine.url
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database), isolation_level=None)
        connection.execute("DROP TRIGGER refuse_tracking")
        connection.close()
        return
    with psycopg.connect(_pg_url(read_side), autocommit=True) as connection:
        connection.execute("DROP TRIGGER refuse_tracking ON projection_tracking")
        connection.execute("DROP FUNCTION refuse_tracking()")


def _pg_url(read_side: ReadSide) -> str:
    url = read_side.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
