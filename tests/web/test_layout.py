"""The page layout's data (menu flags, unread count) is computed before the template
runs and passed in as plain values: templates do no I/O."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import ReportKind
from tests.web.conftest import World, login, stores_of

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def _from_a_template() -> bool:
    """Whether the running statement was asked for by a template's code (Jinja gives a
    compiled template's frames the template file's name)."""
    frame = sys._getframe()
    while frame is not None:
        if Path(frame.f_code.co_filename).is_relative_to(TEMPLATES):
            return True
        frame = frame.f_back
    return False


@contextmanager
def statements_from_templates(client: TestClient) -> Iterator[list[str]]:
    """The SQL statements run from template code while the block runs, on the read
    models and the accounts store (one engine or two)."""
    stores = stores_of(client)
    engines: set[Engine] = {stores.read_side.engine, stores.accounts.engine}
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _from_a_template():
            seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def a_reminder_to_the_financer(client: TestClient, world: World) -> None:
    """A report due soon, and its reminder issued to the financer (unread)."""
    stores = stores_of(client)
    accounts = stores.accounts
    coordinator = accounts.by_email(world.emails["coordinator"])
    financer = accounts.by_email(world.emails["financer"])
    assert coordinator is not None
    assert financer is not None
    report = UUID(
        stores.governance.schedule_report(
            Actor(coordinator.account_id),
            world.consortium_id,
            funder="Banque des Territoires",
            title="Bilan",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=None,
            due_on=stores.clock.now().date() + timedelta(days=1),
        ).id
    )
    stores.governance.request_reminder(report, -1, financer.account_id, 0)
    stores.read_side.catch_up()


def test_a_page_shows_the_menu_flags_and_count_its_template_never_queried(
    client: TestClient, world: World
) -> None:
    a_reminder_to_the_financer(client, world)
    login(client, world.emails["financer"])

    with statements_from_templates(client) as from_templates:
        pages = [
            client.get(path).text
            for path in ("/consortia", f"/consortia/{world.consortium_id}", "/nowhere")
        ]

    for page in pages:
        assert 'href="/portfolio"' in page
        assert "1 unread" in page
    assert from_templates == []


def test_the_layout_data_is_frozen_plain_values() -> None:
    from web.presentation.layout import Layout

    layout = Layout(portfolio=True, unread=2)
    values = {f.name: getattr(layout, f.name) for f in dataclasses.fields(layout)}

    assert values == {"portfolio": True, "unread": 2}
    assert [type(v) for v in values.values()] == [bool, int]
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.unread = 3
