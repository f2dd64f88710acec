"""What a page costs the databases: every statement of a request counted, on every
engine (read models, accounts, outbox), so that the questions every page asks (the
session, the membership, the financer flag, the preferences, the unread count) are
asked once per request and a page that asks them again fails here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from tests.web.conftest import World, login

OVERVIEW_STATEMENTS = 8
"""The overview today: the session with its account and preferences, the
membership, the log position, the financer flag, the person's reminders and the
unread count (1: the page's tag, ``web.identity.tagged_page``); and the page's own
seven queries."""
NOT_MODIFIED_STATEMENTS = 1
"""A 304: the same, without the page's own queries."""


@contextmanager
def statements() -> Iterator[list[tuple[str, str]]]:
    """Every statement (and its parameters) any engine runs meanwhile; not the
    transactions' own BEGIN/COMMIT."""
    seen: list[tuple[str, str]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> None:
        if statement.strip().upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            seen.append((" ".join(statement.split()), repr(parameters)))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def repeated(seen: list[tuple[str, str]]) -> list[str]:
    """The statements run twice with the same parameters."""
    return sorted({s for s, p in seen if seen.count((s, p)) > 1})


def test_the_overview_asks_each_question_once_and_stays_within_its_queries(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    url = f"/consortia/{world.consortium_id}"
    tag = client.get(url).headers["etag"]  # warm: the first request's one-offs

    with statements() as page:
        assert client.get(url).status_code == 200
    with statements() as not_modified:
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304

    assert repeated(page) == []
    assert len(page) <= OVERVIEW_STATEMENTS, "\n".join(s for s, _ in page)
    assert repeated(not_modified) == []
    assert len(not_modified) <= NOT_MODIFIED_STATEMENTS, "\n".join(
        s for s, _ in not_modified
    )


def test_an_untagged_page_asks_the_membership_with_the_layout(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    url = f"/consortia/{world.consortium_id}/history"
    assert "etag" not in client.get(url).headers  # warm, and not a tagged page

    with statements() as page:
        assert client.get(url).status_code == 200
    with statements() as fragment:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200

    assert repeated(page) == []
    asked = [s for s, _ in page if "memberships" in s or "reminders" in s]
    # One statement: the membership, the financer flag and the person's reminders.
    assert len(asked) == 1, "\n".join(asked)
    assert "reminders" in asked[0]
    assert "memberships" in asked[0]
    # The unread count with them (``notifications.page_unread``), not apart.
    assert "notices" in asked[0]
    assert not any("notices" in s for s, _ in page if s != asked[0])
    # A fragment shows no layout: the membership alone.
    assert not any("reminders" in s for s, _ in fragment)
    assert any("memberships" in s for s, _ in fragment)
