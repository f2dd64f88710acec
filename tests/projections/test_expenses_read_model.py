"""The expense statements' read model: lines exact, refusals and withdrawals, the
statement's status, budget against realised from the plan in force; rebuild-safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.financing.statement_values import (
    RefusalReason,
    StatementStatus,
    statement_id,
)
from governance.financing.values import CostCategory, PlanVersionKind
from governance.values import MemberRole, PartnerRole
from projections.expenses_summary import Expenses, expenses_of
from projections.runtime import ReadSide
from tests.projections.test_rebuild import all_rows
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_evidence,
    founded_consortium,
    person_in_role,
)
from tests.support.expenses import a_declared_expense, reporting_periods, staff_time
from tests.support.financing import an_expense


@dataclass(frozen=True)
class World:
    consortium_id: UUID
    lead: str
    lab: str
    period: UUID
    statement: UUID
    refused: str


@pytest.fixture
def world(app: Governance, coordinator: Actor) -> World:
    """The lead plans 1,000 € of travel (Lot 1); in the first period it declares
    staff time (Lot 2) and a train invoice with its file; one withdrawn line; the
    statement is submitted, the staff line refused, the statement accepted."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(app, coordinator, cid, a_partner_identity("Labo fictif"))
    financer = person_in_role(app, coordinator, cid, "acc-funder", MemberRole.FINANCER)
    app.plan_expense(coordinator, cid, an_expense(partner_id=lead))
    app.file_plan_version(coordinator, cid, PlanVersionKind.APPLICATION, [])
    period = reporting_periods(app, coordinator, cid)[0]
    staff = app.declare_expense(
        coordinator,
        cid,
        period,
        lead,
        staff_time("3.5", "412.37", work_package="Lot 2"),
    ).id
    app.declare_expense(
        coordinator, cid, period, lead, a_declared_expense(document=an_evidence())
    )
    dropped = app.declare_expense(coordinator, cid, period, lead, a_declared_expense())
    statement = statement_id(str(cid), str(period), lead)
    app.withdraw_statement_line(coordinator, statement, dropped.id)
    app.submit_statements(coordinator, cid, period)
    app.refuse_statement_line(
        financer, statement, staff, RefusalReason.INELIGIBLE, "Hors convention"
    )
    app.accept_statement(financer, statement, "Bon pour paiement")
    return World(cid, lead, lab, period, statement, staff)


def read(read_side: ReadSide, world: World) -> Expenses:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return expenses_of(connection, str(world.consortium_id))


def test_a_statement_comes_back_exact_with_its_refusal_and_without_its_withdrawn_line(
    world: World, read_side: ReadSide
) -> None:
    expenses = read(read_side, world)

    (statement,) = expenses.statements
    assert statement.statement_id == str(world.statement)
    assert statement.status is StatementStatus.ACCEPTED
    assert statement.comment == "Bon pour paiement"
    staff, train = statement.lines
    assert staff.line.amount_excl == Decimal("1443.30")  # 3.5 × 412.37, to the cent
    assert staff.line.person_days == Decimal("3.5")
    assert (staff.refused, staff.refusal_comment) == (
        RefusalReason.INELIGIBLE,
        "Hors convention",
    )
    assert train.line.document == an_evidence()
    assert train.line.spent_on == date(2026, 3, 12)
    assert (statement.declared, statement.accepted) == (
        Decimal("1993.30"),
        Decimal("550.00"),
    )


def test_budget_against_realised_reads_the_plan_in_force_by_work_package(
    world: World, read_side: ReadSide
) -> None:
    expenses = read(read_side, world)

    assert expenses.plan_version == 1
    assert expenses.by_category["travel"].planned == Decimal("1000.00")
    assert expenses.by_category["travel"].accepted == Decimal("550.00")
    assert expenses.by_work_package["Lot 2"].declared == Decimal("1443.30")
    assert expenses.by_work_package["Lot 2"].realised == Decimal(0)
    assert expenses.periods[0].obligation.obligation_id == str(world.period)
    assert expenses.checks == ()
    assert CostCategory.STAFF.value in expenses.by_category


def test_catching_up_step_by_step_equals_a_rebuild(
    world: World, read_side: ReadSide
) -> None:
    read(read_side, world)
    incremental = all_rows(read_side)

    read_side.rebuild(["expenses", "history"])

    assert all_rows(read_side) == incremental
    assert incremental["expense_statement_lines"]
    assert incremental["history_statement_lines"]
