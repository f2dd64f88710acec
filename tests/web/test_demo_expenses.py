"""The demo's expense statements: two periods, the first accepted with one line
refused, the second awaiting review; the page shows them to the funder in French,
with the chart, and the earlier demo events come first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import RefusalReason, StatementStatus
from projections.expenses_summary import expenses_of
from tests.web.conftest import login
from web.app import create_app
from web.ops.demo.load import load_demo
from web.ops.demo.story import DEMO_LOGINS, SettableClock
from web.ops.storage import open_stores
from web.settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp_path = tmp_path_factory.mktemp("demo")
    settings = Settings(
        data_dir=tmp_path,
        secret_key="k",
        password_time_cost=1,
        password_memory_kib=8192,
    )
    stores = open_stores(settings, clock=SettableClock())
    consortium_id = load_demo(stores, today=date(2026, 11, 23))
    yield stores, str(consortium_id), settings
    stores.close()


def test_the_demo_has_two_periods_of_statements_and_one_line_refused(demo: Any) -> None:
    stores, cid, _ = demo
    with stores.read_side.engine.connect() as connection:
        expenses = expenses_of(connection, cid)

    periods = [p for p in expenses.periods if p.statements]
    assert len(periods) == 2
    first, second = periods
    assert {s.status for s in first.statements} == {StatementStatus.ACCEPTED}
    assert {s.status for s in second.statements} == {StatementStatus.SUBMITTED}
    refused = [r for s in expenses.statements for r in s.lines if not r.accepted]
    assert [(r.line.label, r.refused) for r in refused] == [
        ("Covoiturage vers les permanences", RefusalReason.UNSUPPORTED)
    ]
    assert first.accepted == first.declared - Decimal("180.00")
    assert expenses.checks == ()


def test_the_statements_come_after_every_earlier_demo_event(demo: Any) -> None:
    stores, _, _ = demo
    governance = stores.governance
    events = [
        governance.mapper.to_domain_event(n)
        for n in governance.recorder.select_notifications(start=1, limit=100_000)
    ]
    ours = [isinstance(e, ExpenseStatement.Event) for e in events]
    first = ours.index(True)
    earlier = [e.timestamp for e in events[:first]]

    assert max(earlier) <= min(e.timestamp for e in events[first:])


def test_the_funder_sees_the_expenses_in_french_with_the_chart(demo: Any) -> None:
    stores, cid, settings = demo
    financer = next(d for d in DEMO_LOGINS if d.role.startswith("financer"))
    with TestClient(
        create_app(settings, stores=stores), base_url="https://testserver"
    ) as client:
        login(client, financer.email, financer.password)
        client.cookies.set("lang", "fr")
        page = client.get(f"/consortia/{cid}/expenses").text
        statement = page.index(f"/consortia/{cid}/expenses/statements/")
        detail = client.get(page[statement : page.index('"', statement)]).text

    assert "Prévu et réalisé par partenaire" in page
    assert "<svg" in page
    assert "Rien à signaler." in page
    assert "Validé par le financeur" in page
    assert "Transmis au financeur" in page
    assert "Dépenses déclarées" in detail
