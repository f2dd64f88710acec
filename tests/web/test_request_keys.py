"""Use cases that send e-mail run once per request key: a form sent twice (a double
click, a retry after a lost answer) issues one invitation, one token, one e-mail.

The key is rendered in the form; a request without one is a request of its own, and
the same key with other content is another request. Erasing is idempotent by the
erased id itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from notifications.mail import SmtpSettings, SmtpTransport
from tests.support.smtp import SmtpServer
from tests.web.conftest import (
    World,
    csrf,
    csrf_of,
    event_count,
    login,
    stores_of,
)
from web.identity.tables import invitation_tokens, password_resets
from web.ops.jobs import make_jobs
from web.settings import Settings
from web.usecases.keys import KEY_LIFETIME, request_keys

KEY = re.compile(r'name="request_key" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def deliver(client: TestClient, settings: Settings, smtp: SmtpServer) -> None:
    """Send what the outbox holds to the real SMTP server."""
    transport = SmtpTransport(SmtpSettings("127.0.0.1", smtp.port, security="none"))
    jobs = make_jobs(stores_of(client), settings, transport=transport)
    try:
        assert jobs.reminders is not None
        jobs.reminders.send(datetime.now(UTC))
    finally:
        jobs.stop()


def count(client: TestClient, table: Any) -> int:
    with stores_of(client).accounts.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def outbox_to(client: TestClient, email: str) -> int:
    return sum(
        1
        for row in stores_of(client).outbox.messages()
        if row.message.recipient == email
    )


def key_of(html: str) -> str:
    match = KEY.search(html)
    assert match is not None, "form without a request key"
    return match.group(1)


def invite(client: TestClient, world: World, email: str, key: str | None) -> Any:
    data = {"email": email, "role": "pilot_team", "partner_id": ""}
    if key is not None:
        data["request_key"] = key
    return client.post(
        f"/consortia/{world.consortium_id}/invitations",
        data=data,
        headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)},
    )


def ask_reset(client: TestClient, email: str, key: str, token: str) -> Any:
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": token, "request_key": key},
    )


def test_an_invitation_sent_twice_with_its_key_is_issued_and_mailed_once(
    client: TestClient, world: World, settings: Settings, smtp: SmtpServer
) -> None:
    login(client, world.emails["coordinator"])
    key = key_of(client.get(f"/consortia/{world.consortium_id}/members").text)
    before = event_count(client)

    first = invite(client, world, "newcomer@test.example", key)
    again = invite(client, world, "newcomer@test.example", key)
    deliver(client, settings, smtp)

    assert first.status_code == again.status_code == 200
    link = re.search(r"https?://\S+/invitations/[A-Za-z0-9_-]+", first.text)
    assert link is not None
    assert link.group(0) in again.text  # the same link, shown again
    assert event_count(client) == before + 1
    assert count(client, invitation_tokens) == 1
    assert outbox_to(client, "newcomer@test.example") == 1
    assert [m["To"] for m in smtp.received] == ["newcomer@test.example"]
    # The page answering holds a new key: the next invitation is another request.
    assert key_of(first.text) != key


def test_the_same_key_with_another_address_is_another_invitation(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    key = key_of(client.get(f"/consortia/{world.consortium_id}/members").text)

    invite(client, world, "one@test.example", key)
    invite(client, world, "two@test.example", key)

    assert outbox_to(client, "one@test.example") == 1
    assert outbox_to(client, "two@test.example") == 1
    assert count(client, invitation_tokens) == 2


def test_invitations_without_a_key_are_each_a_request_of_their_own(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    invite(client, world, "newcomer@test.example", None)
    invite(client, world, "newcomer@test.example", "not a key!")

    assert outbox_to(client, "newcomer@test.example") == 2
    assert count(client, request_keys) == 2


def test_an_invitation_the_domain_refuses_keeps_no_key_token_or_e_mail(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    key = key_of(client.get(f"/consortia/{world.consortium_id}/members").text)
    before = event_count(client)

    refused = client.post(
        f"/consortia/{world.consortium_id}/invitations",
        data={
            "email": "newcomer@test.example",
            "role": "member",
            "partner_id": "00000000-0000-0000-0000-000000000000",  # no such partner
            "request_key": key,
        },
        headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)},
    )

    assert refused.status_code == 404  # the service finds no such partner
    assert event_count(client) == before
    assert count(client, request_keys) == 0
    assert count(client, invitation_tokens) == 0
    assert outbox_to(client, "newcomer@test.example") == 0


def test_a_reset_link_asked_twice_with_its_key_is_mailed_once(
    client: TestClient, world: World, settings: Settings, smtp: SmtpServer
) -> None:
    client.cookies.clear()
    page = client.get("/password/forgot")
    key, token = key_of(page.text), csrf_of(page.text)
    email = world.emails["member"]

    first = ask_reset(client, email, key, token)
    again = ask_reset(client, email, key, token)
    deliver(client, settings, smtp)

    assert first.status_code == again.status_code == 200
    assert first.text == again.text
    assert count(client, password_resets) == 1
    assert outbox_to(client, email) == 1
    assert [m["To"] for m in smtp.received] == [email]


def test_copies_of_a_reset_request_sent_at_once_mail_one_link(
    client: TestClient, world: World
) -> None:
    resets = stores_of(client).usecases.password_resets
    email = world.emails["member"]
    key = "k" * 24
    start = threading.Barrier(4)
    answers: list[bool] = []

    def ask() -> None:
        start.wait()
        answers.append(resets.send(email, language="en", key=key))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [True] * 4
    assert count(client, password_resets) == 1
    assert outbox_to(client, email) == 1


def test_work_that_fails_keeps_no_key_and_runs_again(
    client: TestClient, world: World
) -> None:
    keys = stores_of(client).usecases.keys
    runs: list[str] = []

    def failing(_connection: Any, request: str) -> dict[str, Any]:
        runs.append(request)
        raise RuntimeError("the server went away")

    with pytest.raises(RuntimeError):
        keys.once("test", ["scope"], "k" * 24, failing)
    run = keys.once("test", ["scope"], "k" * 24, lambda _c, _r: {"done": 1})
    copy = keys.once("test", ["scope"], "k" * 24, failing)

    assert (run.result, run.replayed) == ({"done": 1}, False)
    assert (copy.result, copy.replayed) == ({"done": 1}, True)
    assert len(runs) == 1
    assert count(client, request_keys) == 1


def test_keys_are_forgotten_after_a_day(client: TestClient, world: World) -> None:
    keys = stores_of(client).usecases.keys
    keys.once("test", [], "k" * 24, lambda _c, _r: {})
    later = datetime.now(UTC) + KEY_LIFETIME

    assert keys.purge(later - timedelta(seconds=5)) == 0
    assert keys.purge(later + timedelta(seconds=5)) == 1
    assert count(client, request_keys) == 0


def test_erasing_an_account_twice_erases_it_once(
    client: TestClient, world: World
) -> None:
    erasure = stores_of(client).usecases.erasure
    person = stores_of(client).accounts.by_email(world.emails["member"])
    assert person is not None

    assert erasure.erase(person.account_id) is True
    assert erasure.erase(person.account_id) is False
    assert stores_of(client).accounts.is_erased(person.account_id)
