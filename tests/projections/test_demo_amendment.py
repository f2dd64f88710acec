"""The demo's first amendment: proposed after the interim report the steering
committee validated, approved by the financer, filed as the plan's third version;
the plan stays balanced, its total unchanged; its signed copy is on file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from governance.financing.changes import AmendmentStatus
from governance.financing.values import PlanVersionKind
from projections.amendments import amendments_of
from projections.budget_summary import budget_of
from projections.decisions import LogFilter, decision_log
from projections.documents import documents_of
from tests.projections.test_rebuild_demo import demo

__all__ = ["demo"]


def test_the_demo_has_one_approved_amendment_filed_as_the_third_version(
    demo: tuple[Any, str],
) -> None:
    stores, consortium_id = demo
    with stores.read_side.engine.connect() as connection:
        (amendment,) = amendments_of(connection, consortium_id)
        budget = budget_of(connection, consortium_id)
        decisions, _ = decision_log(connection, consortium_id, LogFilter())
        (copy,) = documents_of(connection, consortium_id)

    assert amendment.status is AmendmentStatus.APPROVED
    assert amendment.version_number == 3
    cited = {d.proposal_id: d.title for d in decisions}[amendment.proposal_id or ""]
    assert cited == "Validation du rapport intermédiaire"
    assert [v.kind for v in budget.versions] == [
        PlanVersionKind.APPLICATION,
        PlanVersionKind.CONVENTION,
        PlanVersionKind.AMENDMENT,
    ]
    convention, amended = budget.versions[1].content, budget.versions[2].content
    total = sum((e.amount for e in amended.expenses), Decimal(0))
    assert total == sum((e.amount for e in convention.expenses), Decimal(0))
    assert budget.draft.checks == ()
    assert copy.amendment_id == amendment.amendment_id
    assert [s.version for s in copy.signatures] == [1]
