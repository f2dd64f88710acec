"""The demo's work plan: three work packages named as the financing plan's lots,
one deliverable accepted after changes, one due soon, one late, a milestone reached
with its evidence; told last, after every other event."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from governance.workplan.values import DeliverableStatus
from projections.budget import draft_of
from projections.workplan_queries import workplan_of
from web.ops.demo.load import load_demo
from web.ops.demo.story import SettableClock
from web.ops.storage import open_stores
from web.settings import Settings

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    stores = open_stores(
        Settings(
            data_dir=tmp_path,
            secret_key="k",
            password_time_cost=1,
            password_memory_kib=8192,
        ),
        clock=SettableClock(),
    )
    consortium_id = load_demo(stores, today=TODAY)
    yield stores, str(consortium_id)
    stores.close()


def test_the_demo_work_plan_has_three_packages_and_deliverables_in_each_state(
    demo: tuple[Any, str],
) -> None:
    stores, cid = demo
    with stores.read_side.engine.connect() as connection:
        plan = workplan_of(connection, cid)
        lots = {e.work_package for e in draft_of(connection, cid).expenses}

    assert len(plan.packages) == 3
    assert {p.code for p in plan.packages} <= lots
    statuses = {d.title: d.status for d in plan.deliverables}
    assert DeliverableStatus.ACCEPTED in statuses.values()
    due_soon = [
        d for d in plan.deliverables if d.open and 0 <= (d.due_on - TODAY).days <= 30
    ]
    late = [d for d in plan.deliverables if d.late_on(TODAY)]
    assert len(due_soon) == len(late) == 1
    reached = [m for m in plan.milestones if m.reached_on is not None]
    assert len(reached) == 1
    assert reached[0].evidence


def test_the_work_plan_is_the_last_thing_the_demo_records(
    demo: tuple[Any, str],
) -> None:
    stores, _ = demo
    governance = stores.governance
    events = [
        governance.mapper.to_domain_event(n)
        for n in governance.recorder.select_notifications(start=1, limit=100_000)
    ]
    names = [type(e).__qualname__ for e in events]
    first = names.index("WorkPlan.Opened")

    assert all(name.startswith("WorkPlan.") for name in names[first:])
    assert not any(name.startswith("WorkPlan.") for name in names[:first])
    assert events[first].timestamp >= max(e.timestamp for e in events[:first])
