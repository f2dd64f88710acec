"""The demo's funding: the grant in four tranches, the advance paid after signature,
the first interim payment released by the accepted report of the first period and
its statements; the funder's pages show it in French; the grant's events come after
every earlier demo event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from governance.financing.grant import Grant
from governance.financing.grant_values import TrancheCondition
from projections.funding_status import TrancheState, funding_of
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


def test_the_advance_and_the_first_interim_payment_are_paid(demo: Any) -> None:
    stores, cid, _ = demo
    with stores.read_side.engine.connect() as connection:
        funding = funding_of(connection, cid)

    assert funding is not None
    advance, first, second, balance = funding.tranches
    assert advance.state is TrancheState.PAID
    assert advance.payments[0].release.condition is TrancheCondition.CONVENTION_SIGNED
    (interim,) = first.payments
    assert interim.release.report_title == "Rapport d'activité"
    assert len(interim.release.statement_ids) == 3
    assert interim.amount == Decimal("70000.00")
    assert interim.release.accepted_in_report > 0
    assert second.waiting is not None
    assert balance.waiting is not None
    assert funding.figures.received == Decimal("175000.00")


def test_the_grant_comes_after_every_earlier_demo_event(demo: Any) -> None:
    stores, _, _ = demo
    governance = stores.governance
    events = [
        governance.mapper.to_domain_event(n)
        for n in governance.recorder.select_notifications(start=1, limit=100_000)
    ]
    ours = [isinstance(e, Grant.Event) for e in events]
    first = ours.index(True)
    earlier = [e.timestamp for e in events[:first]]

    assert max(earlier) <= min(e.timestamp for e in events[first:])


def test_the_funder_sees_the_tranches_and_the_portfolio_in_french(demo: Any) -> None:
    stores, cid, settings = demo
    financer = next(d for d in DEMO_LOGINS if d.role.startswith("financer"))
    with TestClient(
        create_app(settings, stores=stores), base_url="https://testserver"
    ) as client:
        login(client, financer.email, financer.password)
        client.cookies.set("lang", "fr")
        page = client.get(f"/consortia/{cid}/funding").text
        portfolio = client.get("/portfolio").text
        history = client.get(f"/consortia/{cid}/history").text

    assert "Débloqué par la convention signée." in page
    assert "Débloqué par le rapport validé «\u00a0Rapport d&#39;activité\u00a0»" in page
    assert "Enregistrer le versement" not in page  # the second report waits
    assert "Acompte n°\u00a02\u00a0: en attente de" in portfolio
    assert "débloqué par le rapport validé" in history
