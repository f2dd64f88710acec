"""The demo's call: its rules recorded with the plan, met by the consortium, read by
each role in French; the application filed for the wave its reference names, once
the plan was adopted; reporting periods from the convention."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from projections.consortia import consortium_details
from projections.history import history_of
from projections.reporting import obligations_of
from tests.web.conftest import login
from web.app import create_app
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


def test_the_application_is_filed_after_the_plan_s_adoption_in_its_wave(
    demo: Any,
) -> None:
    stores, cid, _ = demo
    with stores.read_side.engine.connect() as connection:
        details = consortium_details(connection, cid)
        entries = list(reversed(history_of(connection, cid, limit=2000).entries))
        reports = obligations_of(connection, cid)
    assert details is not None
    kinds = [e.kind for e in entries]
    adopted = next(
        i
        for i, e in enumerate(entries)
        if e.kind == "proposal_closed" and "financement" in str(e.params)
    )
    filed = kinds.index("plan_version_filed")
    submitted = next(
        e
        for e in entries
        if e.kind == "phase_changed" and e.params["phase"] == "application_submitted"
    )
    assert adopted < filed
    # Filed after the first wave closed, before the second: "V2".
    first, second = details.call.closing_dates
    assert first < date.fromisoformat(str(submitted.params["on"])) <= second
    assert details.call.reference.endswith("V2")
    convention = next(
        e.params["on"]
        for e in entries
        if e.kind == "phase_changed" and e.params["phase"] == "agreement_signed"
    )
    periods = sorted(r.period_start for r in reports if r.period_start is not None)
    assert periods[0] == date.fromisoformat(str(convention))


@pytest.mark.parametrize("login_of", DEMO_LOGINS, ids=lambda d: d.role.split()[0])
def test_each_role_reads_the_call_s_rules_in_french(demo: Any, login_of: Any) -> None:
    stores, cid, settings = demo
    with TestClient(
        create_app(settings, stores=stores), base_url="https://testserver"
    ) as client:
        login(client, login_of.email, login_of.password)
        client.cookies.set("lang", "fr")
        page = client.get(f"/consortia/{cid}/call")
        pdf = client.get(f"/consortia/{cid}/call/application-file.pdf")

    assert page.status_code == 200
    assert "Les règles de l’appel" in page.text
    assert "Le consortium respecte toutes les règles de l’appel" in page.text
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
