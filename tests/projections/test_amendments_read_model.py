"""The amendments' read model: each amendment with its changes and its decision; an
approved one's version becomes the plan in force in the budget's read model;
rebuild-safe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.financing.changes import AmendmentKind, AmendmentStatus
from governance.financing.values import PlanVersionKind
from projections.amendments import amendment_of, amendments_of
from projections.budget_summary import budget_of
from projections.runtime import ReadSide
from tests.projections.test_rebuild import all_rows
from tests.support.amendments import reallocation, signed_plan
from tests.support.builders import founded_consortium


def test_an_approved_amendment_becomes_the_plan_in_force_and_a_refused_one_not(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    signed = signed_plan(app, coordinator, cid)
    approved = reallocation(app, coordinator, signed)
    app.approve_amendment(signed.financer, cid, UUID(approved), "Conforme.", [])
    refused = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Retard."
        ).id
    )
    app.extend_amendment_period(coordinator, cid, refused, date(2028, 3, 31))
    app.propose_amendment(coordinator, cid, refused)
    app.refuse_amendment(signed.financer, cid, refused, "Pas justifié.")

    read_side.catch_up()
    with read_side.engine.connect() as connection:
        rows = amendments_of(connection, str(cid))
        first = amendment_of(connection, str(cid), approved)
        budget = budget_of(connection, str(cid))

    assert [(r.number, r.status) for r in rows] == [
        (2, AmendmentStatus.REFUSED),
        (1, AmendmentStatus.APPROVED),
    ]
    assert rows[0].changes.eligible_until == date(2028, 3, 31)
    assert rows[0].decision_reason == "Pas justifié."
    assert first is not None
    assert (first.version_number, first.decided_by) == (3, "acc-funder")
    assert first.changes.withdrawn == (signed.expense_id,)
    assert sorted(e.amount for e in first.changes.expenses) == [
        Decimal("400.00"),
        Decimal("600.00"),
    ]
    assert [v.kind for v in budget.versions][-1] is PlanVersionKind.AMENDMENT
    assert sorted(e.amount for e in budget.draft.content.expenses) == [
        Decimal("400.00"),
        Decimal("600.00"),
    ]
    assert budget.draft.content.rules.eligible_until == date(2027, 12, 31)


def test_catching_up_step_by_step_equals_a_rebuild(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    signed = signed_plan(app, coordinator, cid)
    read_side.catch_up()
    first = reallocation(app, coordinator, signed)
    read_side.catch_up()
    app.approve_amendment(signed.financer, cid, UUID(first), "", [])
    read_side.catch_up()
    incremental = all_rows(read_side)

    read_side.rebuild(["budget", "amendments"])

    assert all_rows(read_side) == incremental
