"""Builders of amendments: a consortium whose plan is signed, a proposed
reallocation. Fictional figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.financing.changes import AmendmentKind
from governance.financing.values import PlanVersionKind
from governance.values import MemberRole
from tests.application.test_decisions import a_copil
from tests.support.builders import person_in_role
from tests.support.financing import a_resource, an_expense, rules

TRAVEL = Decimal("1000.00")


@dataclass(frozen=True)
class Signed:
    """A consortium whose plan is signed: one travel line of the lead, one grant."""

    consortium_id: UUID
    lead_id: str
    lab_id: str
    body_id: str
    expense_id: str
    resource_id: str
    financer: Actor
    lead: Actor
    lab: Actor


def signed_plan(app: Governance, coordinator: Actor, consortium_id: UUID) -> Signed:
    """The COPIL of three partners; the plan filed at the application, then signed."""
    copil = a_copil(app, coordinator, consortium_id)
    cid = consortium_id
    expense = app.plan_expense(coordinator, cid, an_expense(partner_id=copil.lead_id))
    resource = app.plan_resource(coordinator, cid, a_resource(partner_id=copil.lead_id))
    app.set_funding_rules(
        coordinator,
        cid,
        rules(eligible_from=date(2026, 1, 1), eligible_until=date(2027, 12, 31)),
    )
    app.file_plan_version(coordinator, cid, PlanVersionKind.APPLICATION, [])
    app.file_plan_version(coordinator, cid, PlanVersionKind.CONVENTION, [])
    financer = person_in_role(app, coordinator, cid, "acc-funder", MemberRole.FINANCER)
    return Signed(
        cid,
        copil.lead_id,
        copil.lab_id,
        copil.body_id,
        expense.id,
        resource.id,
        financer,
        copil.lead,
        copil.lab,
    )


def reallocation(app: Governance, coordinator: Actor, signed: Signed) -> str:
    """A proposed reallocation: the lead's travel becomes 600 € travel, 400 € lab."""
    cid = signed.consortium_id
    amendment = app.draft_amendment(
        coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Moins de trajets."
    ).id
    app.withdraw_in_amendment(coordinator, cid, UUID(amendment), signed.expense_id)
    for partner_id, euros in ((signed.lead_id, "600.00"), (signed.lab_id, "400.00")):
        app.add_amendment_expense(
            coordinator,
            cid,
            UUID(amendment),
            an_expense(partner_id=partner_id, amount=Decimal(euros)),
        )
    app.propose_amendment(coordinator, cid, UUID(amendment))
    return amendment
