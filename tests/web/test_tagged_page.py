"""A tagged page's one statement (``web.identity.tagged_page``) answers what the
session's own look-up and the page's facts with the unread count answer apart:
the same live session, the same membership, position, layout and count, and no
session where the look-up finds none live; on every store. Through the app, a
session that is no longer live never gets a 304."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from starlette.testclient import TestClient

from governance.values import MemberRole
from notifications.notice_store import Notice, NoticeStore
from notifications.page_unread import page_facts_and_unread
from projections.members import memberships
from projections.reminders import reminders
from tests.notifications.conftest import START
from tests.notifications.test_unread_count import a_reminder
from tests.notifications.test_unread_count import notices as hourly_notices
from tests.support.fakes import FixedClock
from tests.web.conftest import World, build_world, login, stores_of
from web.app import create_app
from web.identity.accounts import Account
from web.identity.tagged_page import TaggedFacts, tagged_facts
from web.ops.storage import Stores
from web.settings import Settings

CONSORTIUM = "c-1"
NOW = START


def facts_of(stores: Stores, token: str, now: datetime = NOW) -> TaggedFacts | None:
    """The one statement's answer, checked against the two questions apart."""
    names = stores.read_side.tracking_names()
    with stores.read_side.attached_engine.connect() as connection:
        found = tagged_facts(connection, token, CONSORTIUM, names, 198, 100, now=now)
    session = stores.accounts.session(token, now=now)
    if session is None or session.account is None:
        assert found is None
        return None
    assert found is not None
    assert found.session == session
    seen = session.preferences.notifications_seen_at if session.preferences else None
    with stores.read_side.attached_engine.connect() as connection:
        facts, unread = page_facts_and_unread(
            connection, CONSORTIUM, session.account.account_id, names, seen, 198, 100
        )
    assert (found.facts, found.unread) == (facts, unread)
    return found


def notices(account_id: str, count: int) -> list[Notice]:
    """``count`` notices to the person, an hour apart from ``NOW``, with ids a
    real account's long id leaves room for."""
    return [
        replace(notice, notice_id=str(uuid.uuid4()))
        for notice in hourly_notices(account_id, count)
    ]


def add_reminders(stores: Stores, account_id: str, hours: list[int]) -> None:
    """Reminders to the person, that many hours (and a half) after ``NOW``."""
    rows = [a_reminder(str(uuid.uuid4()), hour, account_id) for hour in hours]
    with stores.read_side.writer.begin() as connection:
        connection.execute(insert(reminders), rows)


def person(stores: Stores, name: str) -> Account:
    return stores.accounts.create_account(
        f"{name}@example.org", name.title(), "correct horse battery", now=NOW
    )


def test_a_members_session_and_page_facts(stores: Stores) -> None:
    ada, bob = person(stores, "ada"), person(stores, "bob")
    with stores.read_side.writer.begin() as connection:
        connection.execute(
            insert(memberships),
            [
                {
                    "consortium_id": CONSORTIUM,
                    "account_id": ada.account_id,
                    "role": MemberRole.PILOT_TEAM.value,
                    "partner_id": "p-1",
                    "since": NOW,
                },
                {
                    "consortium_id": "c-2",
                    "account_id": ada.account_id,
                    "role": MemberRole.FINANCER.value,
                    "partner_id": None,
                    "since": NOW,
                },
            ],
        )
    ada_notices = notices(ada.account_id, 4)
    NoticeStore(stores.outbox.engine).add(ada_notices + notices(bob.account_id, 3))
    add_reminders(stores, ada.account_id, [0, 30])
    token = stores.accounts.open_session(ada, now=NOW).token

    found = facts_of(stores, token)  # no preferences yet: every notice counts
    assert found is not None
    assert found.facts.membership is not None
    assert found.facts.membership.role is MemberRole.PILOT_TEAM
    assert found.facts.layout.funds_any
    assert found.unread == 6

    # "All read" at the second notice: the two after it, and the reminder after
    # it, count.
    seen = ada_notices[1].created_at
    stores.accounts.update_preferences(ada.account_id, notifications_seen_at=seen)
    found = facts_of(stores, token)
    assert found is not None
    assert found.unread == 3

    bobs = facts_of(stores, stores.accounts.open_session(bob, now=NOW).token)
    assert bobs is not None
    assert bobs.facts.membership is None
    assert not bobs.facts.layout.funds_any
    assert bobs.unread == 3


def test_no_facts_without_a_live_session_of_a_person(stores: Stores) -> None:
    ada = person(stores, "ada")
    token = stores.accounts.open_session(ada, now=NOW).token
    assert facts_of(stores, token) is not None

    assert facts_of(stores, "no-such-session") is None
    assert facts_of(stores, stores.accounts.open_session(None, now=NOW).token) is None
    assert facts_of(stores, token, NOW + timedelta(days=400)) is None  # expired

    stores.accounts.end_sessions(ada.account_id, now=NOW + timedelta(seconds=1))
    assert facts_of(stores, token) is None
    token = stores.accounts.open_session(ada, now=NOW + timedelta(seconds=2)).token
    assert facts_of(stores, token) is not None
    stores.accounts.set_disabled(ada.account_id, True, now=NOW + timedelta(seconds=3))
    assert facts_of(stores, token) is None


@pytest.fixture
def clock() -> FixedClock:
    # Not before the machine's time: a session opened before an account's
    # "sessions valid after" (the machine's time when it was made) is refused.
    return FixedClock(datetime.now(UTC) + timedelta(minutes=1))


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings, clock=clock), base_url="https://testserver"
    ) as test_client:
        yield test_client


def test_a_session_no_longer_live_gets_no_304(
    client: TestClient, clock: FixedClock
) -> None:
    world: World = build_world(client)
    login(client, world.emails["coordinator"])
    url = f"/consortia/{world.consortium_id}"
    tag = client.get(url).headers["etag"]
    asked = {"If-None-Match": tag}
    assert client.get(url, headers=asked).status_code == 304

    account = stores_of(client).accounts.by_email(world.emails["coordinator"])
    assert account is not None
    clock.advance(timedelta(seconds=1))
    stores_of(client).accounts.end_sessions(account.account_id, now=clock.now())
    clock.advance(timedelta(seconds=1))

    answer = client.get(url, headers=asked, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_a_malformed_consortium_id_is_answered_as_the_page_would(
    client: TestClient,
) -> None:
    world = build_world(client)
    url = "/consortia/not-a-consortium"
    cookie = client.get("/login").cookies  # an anonymous session: not a person's
    assert cookie
    answer = client.get(url, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")

    login(client, world.emails["coordinator"])
    assert client.get(url, follow_redirects=False).status_code == 404
