"""The demo's financial report: the first period's, its variances beyond the
threshold explained, certified in the name of the lead partner's legal
representative, with the advance paid as the grant received; told after every
earlier chapter (the funding's last) and before the work plan; the
funder reads it in French and exports it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from governance.financing.report import FinancialReport
from projections.financial_report_summary import (
    financial_report_of,
    financial_reports_of,
)
from tests.web.conftest import login
from web.app import create_app
from web.ops.demo.financial_report import SIGNATORY
from web.ops.demo.load import load_demo
from web.ops.demo.story import DEMO_LOGINS, SettableClock
from web.ops.storage import open_stores
from web.settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("demo"),
        secret_key="k",
        password_time_cost=1,
        password_memory_kib=8192,
    )
    stores = open_stores(settings, clock=SettableClock())
    consortium_id = load_demo(stores, today=date(2026, 11, 23))
    yield stores, str(consortium_id), settings
    stores.close()


def test_the_first_periods_report_is_explained_and_certified(demo: Any) -> None:
    stores, cid, _ = demo
    with stores.read_side.engine.connect() as connection:
        listing = financial_reports_of(connection, cid)
        first = financial_report_of(connection, cid, listing[0].scope)

    assert first is not None
    assert first.certified
    assert first.figures.to_explain
    assert first.unexplained == 0
    assert first.record is not None
    assert first.record.certification is not None
    assert first.record.certification.signatory == SIGNATORY
    assert first.record.certification.realised == first.accepted_total
    assert [r.certified for r in listing] == [True, False, False]
    requested = next(r for r in first.resources if r.source.value == "requested")
    assert requested.received == sum(p.signed_amount for p in first.payments)


def test_the_report_is_told_after_the_funding_and_before_the_work_plan(
    demo: Any,
) -> None:
    stores, _, _ = demo
    governance = stores.governance
    events = [
        governance.mapper.to_domain_event(n)
        for n in governance.recorder.select_notifications(start=1, limit=100_000)
    ]
    ours = [i for i, e in enumerate(events) if isinstance(e, FinancialReport.Event)]
    names = [type(e).__qualname__ for e in events]

    assert names[ours[0] - 1] == "Grant.PaymentRecorded"  # the funding's chapter
    assert names[ours[-1] + 1] == "WorkPlan.Opened"
    assert ours == list(range(ours[0], ours[-1] + 1))
    assert max(e.timestamp for e in events[: ours[0]]) <= events[ours[0]].timestamp


def test_the_funder_reads_it_in_french_and_exports_it(demo: Any) -> None:
    stores, cid, settings = demo
    financer = next(d for d in DEMO_LOGINS if d.role.startswith("financer"))
    with TestClient(
        create_app(settings, stores=stores), base_url="https://testserver"
    ) as client:
        login(client, financer.email, financer.password)
        client.cookies.set("lang", "fr")
        listing = client.get(f"/consortia/{cid}/financial-report").text
        start = listing.index(f"/consortia/{cid}/financial-report/")
        address = listing[start : listing.index('"', start)]
        page = client.get(address).text
        pdf = client.get(address + "/report.pdf")
        workbook = client.get(address + "/report.xlsx")

    assert "Explication des écarts" in page
    assert f"Je soussigné(e) {SIGNATORY}" in page
    assert "Certifier le compte rendu" not in page
    assert pdf.status_code == workbook.status_code == 200
