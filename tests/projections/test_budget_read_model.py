"""The financing plan's read model: the draft, the rules, the versions, exact; the
commitments from the ledger on the resource side; rebuild-safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.financing.values import (
    CostCategory,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
)
from governance.values import ContributionKind, PartnerRole
from projections.budget_summary import Budget, budget_of
from projections.ledger import commitment_ids_of, commitments_of
from projections.runtime import ReadSide
from tests.projections.test_rebuild import all_rows
from tests.support.builders import (
    a_partner_identity,
    a_pledge,
    admitted_partner,
    an_authority,
    founded_consortium,
)
from tests.support.financing import a_resource, an_expense, rules, staff_days


@dataclass(frozen=True)
class Plan:
    consortium_id: UUID
    lead: str
    lab: str


@pytest.fixture
def plan(app: Governance, coordinator: Actor) -> Plan:
    """A lead and a lab; the lead plans staff by days and travel, asks the funder,
    pledges money and rooms; the lab's line is withdrawn."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(app, coordinator, cid, a_partner_identity("Labo fictif"))
    app.set_funding_rules(
        coordinator,
        cid,
        rules(
            max_funder_rate=Decimal("70"),
            indirect_rate=Decimal("15"),
            indirect_base=IndirectBase.STAFF,
            eligible_from=date(2026, 1, 1),
        ),
    )
    app.plan_expense(coordinator, cid, staff_days("20", "400", partner_id=lead))
    app.plan_expense(coordinator, cid, an_expense(partner_id=lead))
    withdrawn = app.plan_expense(coordinator, cid, an_expense(partner_id=lab)).id
    app.withdraw_expense(coordinator, cid, withdrawn)
    app.plan_resource(
        coordinator, cid, a_resource(partner_id=lead, amount=Decimal("6000"))
    )
    app.plan_resource(
        coordinator,
        cid,
        a_resource(
            partner_id=lead,
            source=ResourceSource.OTHER_PUBLIC,
            public_funder=PublicFunder.REGION,
            amount=Decimal("1500.50"),
            year=2027,
        ),
    )
    app.pledge(
        coordinator,
        cid,
        lead,
        a_pledge(kind=ContributionKind.FINANCIAL, amount=Decimal("2699.50")),
    )
    app.pledge(
        coordinator,
        cid,
        lead,
        a_pledge(kind=ContributionKind.LOGISTICAL, amount=Decimal("2000")),
    )
    return Plan(cid, lead, lab)


def read(read_side: ReadSide, plan_or_id: Plan | UUID) -> Budget:
    """The budget as a page reads it: caught up, on a fresh connection."""
    cid = plan_or_id.consortium_id if isinstance(plan_or_id, Plan) else plan_or_id
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return budget_of(connection, str(cid))


def commitment_ids(read_side: ReadSide, plan: Plan) -> list[UUID]:
    """Every commitment of the plan's consortium, as the filing form sends them."""
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return [UUID(i) for i in commitment_ids_of(connection, str(plan.consortium_id))]


def test_the_draft_comes_back_exact_without_its_withdrawn_line(
    plan: Plan, read_side: ReadSide
) -> None:
    budget = read(read_side, plan)

    content = budget.draft.content
    assert [(e.category, e.amount, e.person_days) for e in content.expenses] == [
        (CostCategory.STAFF, Decimal("8000.00"), Decimal("20")),
        (CostCategory.TRAVEL, Decimal("1000.00"), None),
    ]
    assert [
        (r.source, r.public_funder, r.amount, r.year) for r in content.resources
    ] == [
        (ResourceSource.REQUESTED, None, Decimal("6000"), None),
        (ResourceSource.OTHER_PUBLIC, PublicFunder.REGION, Decimal("1500.50"), 2027),
    ]
    assert content.rules.max_funder_rate == Decimal("70")
    assert content.rules.eligible_from == date(2026, 1, 1)


def test_own_funds_and_in_kind_come_from_the_ledger_and_balance_the_plan(
    plan: Plan, read_side: ReadSide
) -> None:
    budget = read(read_side, plan)

    figures = budget.draft.figures
    lead = figures.partner(plan.lead)
    assert lead is not None
    assert lead.cost(CostCategory.INDIRECT) == Decimal("1200.00")
    assert lead.resource(ResourceSource.OWN_FUNDS) == Decimal("2699.50")
    assert lead.resource(ResourceSource.IN_KIND) == Decimal("2000")
    assert figures.total_expenses == figures.total_resources == Decimal("12200.00")
    assert figures.funder_rate == Decimal("58.82")
    assert budget.draft.checks == ()


def test_a_filed_version_keeps_what_it_filed_while_the_draft_moves_on(
    app: Governance,
    coordinator: Actor,
    plan: Plan,
    read_side: ReadSide,
) -> None:
    ids = commitment_ids(read_side, plan)
    app.file_plan_version(
        coordinator, plan.consortium_id, PlanVersionKind.APPLICATION, ids
    )
    app.plan_expense(
        coordinator, plan.consortium_id, an_expense(partner_id=plan.lead, year=None)
    )

    budget = read(read_side, plan)

    (version,) = budget.versions
    assert (version.number, version.kind) == (1, PlanVersionKind.APPLICATION)
    assert version.actor_id == coordinator.account_id
    assert len(version.content.expenses) == 2
    assert len(budget.draft.content.expenses) == 3
    assert {c.euros for c in version.content.contributions} == {
        Decimal("2699.50"),
        Decimal("2000"),
    }
    assert version.content.rules == budget.draft.content.rules
    assert not budget.locked


def test_a_withdrawn_commitment_no_longer_counts_in_the_draft(
    app: Governance,
    coordinator: Actor,
    plan: Plan,
    read_side: ReadSide,
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        (money,) = (
            c.commitment_id
            for c in commitments_of(connection, str(plan.consortium_id))
            if c.kind is ContributionKind.FINANCIAL
        )
    app.withdraw_commitment(coordinator, UUID(money), date(2026, 3, 1), "Erreur")

    budget = read(read_side, plan)

    assert [c.kind for c in budget.draft.content.contributions] == [
        ContributionKind.LOGISTICAL
    ]
    assert [w.code for w in budget.draft.checks] == ["budget.not_balanced"]


def test_the_convention_version_locks_the_plan(
    app: Governance,
    coordinator: Actor,
    plan: Plan,
    read_side: ReadSide,
) -> None:
    app.file_plan_version(
        coordinator, plan.consortium_id, PlanVersionKind.CONVENTION, []
    )

    budget = read(read_side, plan)

    assert budget.locked
    assert budget.filed(PlanVersionKind.CONVENTION)
    assert not budget.filed(PlanVersionKind.APPLICATION)


def test_a_consortium_without_a_plan_reads_as_an_empty_draft(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    budget = read(read_side, cid)

    assert budget.draft.empty
    assert budget.versions == ()
    assert budget.draft.checks == ()


def test_catching_up_step_by_step_equals_a_rebuild(
    app: Governance, coordinator: Actor, plan: Plan, read_side: ReadSide
) -> None:
    read_side.catch_up()
    app.file_plan_version(
        coordinator, plan.consortium_id, PlanVersionKind.APPLICATION, []
    )
    read_side.catch_up()
    incremental = all_rows(read_side)

    read_side.rebuild(["budget"])

    assert all_rows(read_side) == incremental
    assert incremental["budget_versions"]
    assert incremental["budget_expenses"]
