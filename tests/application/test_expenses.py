"""The service's expense-statement commands: who declares for which partner, the
coordinator's submission of a period, the financer's review; refusals store nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotPermitted, RuleViolated
from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import (
    RefusalReason,
    StatementStatus,
    statement_id,
)
from governance.values import MemberRole, PartnerRole
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_evidence,
    person_in_role,
)
from tests.support.expenses import a_declared_expense, reporting_periods, staff_time


@dataclass(frozen=True)
class World:
    consortium_id: UUID
    lead_id: str
    lab_id: str
    periods: list[UUID]
    lab_member: Actor
    financer: Actor


@pytest.fixture
def world(app: Governance, coordinator: Actor, consortium_id: UUID) -> World:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Laboratoire fictif")
    )
    member = person_in_role(
        app, coordinator, consortium_id, "acc-lab", MemberRole.MEMBER, lab
    )
    financer = person_in_role(
        app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER
    )
    periods = reporting_periods(app, coordinator, consortium_id)
    return World(consortium_id, lead, lab, periods, member, financer)


def statement(app: Governance, world: World, partner_id: str) -> ExpenseStatement:
    found: ExpenseStatement = app.repository.get(
        statement_id(str(world.consortium_id), str(world.periods[0]), partner_id)
    )
    return found


def declare(app: Governance, world: World, actor: Actor, partner_id: str, **kw: object):  # type: ignore[no-untyped-def]
    return app.declare_expense(
        actor,
        world.consortium_id,
        world.periods[0],
        partner_id,
        a_declared_expense(**kw),
    )


def test_a_member_declares_an_expense_of_the_partner_they_represent(
    app: Governance, world: World
) -> None:
    line = declare(app, world, world.lab_member, world.lab_id)

    found = statement(app, world, world.lab_id)
    assert found.partner_id == world.lab_id
    assert found.period == (date(2026, 1, 1), date(2026, 6, 30))
    assert found.lines[line.id].eligible == Decimal("550.00")
    assert found.declared == Decimal("550.00")


def test_a_member_declaring_for_another_partner_is_refused_and_nothing_stored(
    app: Governance, world: World
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        declare(app, world, world.lab_member, world.lead_id)

    assert refused.value.action == "declare_expenses"
    assert app.recorder.max_notification_id() == before


def test_a_financer_may_not_declare_expenses(app: Governance, world: World) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        declare(app, world, world.financer, world.lab_id)

    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"amount_excl": Decimal("-5")}, "amount_excl.not_positive", "amount_excl"),
        ({"amount_excl": Decimal("10.005")}, "amount_excl.too_precise", "amount_excl"),
        (
            {"amount_incl": Decimal("1100.01")},
            "statement.vat_over_hundred",
            "amount_incl",
        ),
        ({"amount_incl": Decimal("400")}, "statement.incl_below_excl", "amount_incl"),
        ({"spent_on": date(2026, 7, 1)}, "statement.outside_period", "spent_on"),
        ({"label": "  "}, "statement.label_required", "label"),
    ],
)
def test_a_bad_line_is_refused_naming_its_input_and_nothing_is_stored(
    app: Governance,
    coordinator: Actor,
    world: World,
    overrides: dict[str, object],
    code: str,
    field: str,
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        declare(app, world, coordinator, world.lab_id, **overrides)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert app.recorder.max_notification_id() == before


def test_staff_time_counts_person_days_times_the_daily_rate(
    app: Governance, coordinator: Actor, world: World
) -> None:
    line = app.declare_expense(
        coordinator,
        world.consortium_id,
        world.periods[0],
        world.lead_id,
        staff_time("12.5", "320", document=an_evidence()),
    )

    recorded = statement(app, world, world.lead_id).lines[line.id]
    assert (recorded.amount_excl, recorded.amount_incl, recorded.eligible) == (
        Decimal("4000.00"),
        Decimal("4000.00"),
        Decimal("4000.00"),
    )
    assert recorded.document == an_evidence()


def test_recoverable_vat_is_left_out_of_the_eligible_amount(
    app: Governance, world: World
) -> None:
    line = declare(app, world, world.lab_member, world.lab_id, vat_recoverable=True)

    assert statement(app, world, world.lab_id).lines[line.id].eligible == Decimal(
        "500.00"
    )


def test_the_coordinator_submits_then_the_financer_refuses_a_line_and_accepts(
    app: Governance, coordinator: Actor, world: World
) -> None:
    kept = declare(app, world, world.lab_member, world.lab_id)
    refused = declare(
        app,
        world,
        world.lab_member,
        world.lab_id,
        amount_excl=Decimal("100"),
        amount_incl=None,
        invoice_number="F-2",
    )
    declare(app, world, coordinator, world.lead_id)

    app.submit_statements(coordinator, world.consortium_id, world.periods[0])
    lab = statement(app, world, world.lab_id).id
    app.refuse_statement_line(
        world.financer, lab, refused.id, RefusalReason.UNSUPPORTED, "Pas de facture"
    )
    app.accept_statement(world.financer, lab, "")

    found = statement(app, world, world.lab_id)
    assert found.status is StatementStatus.ACCEPTED
    assert (found.declared, found.accepted) == (Decimal("650.00"), Decimal("550.00"))
    assert kept.id not in found.refused
    assert statement(app, world, world.lead_id).status is StatementStatus.SUBMITTED


def test_a_submitted_statement_takes_no_more_lines(
    app: Governance, coordinator: Actor, world: World
) -> None:
    declare(app, world, world.lab_member, world.lab_id)
    app.submit_statements(coordinator, world.consortium_id, world.periods[0])
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        declare(app, world, world.lab_member, world.lab_id)

    assert refused.value.code == "statement.not_draft"
    assert app.recorder.max_notification_id() == before


def test_only_the_coordinator_submits_and_only_the_financer_reviews(
    app: Governance, coordinator: Actor, world: World
) -> None:
    line = declare(app, world, world.lab_member, world.lab_id)
    with pytest.raises(NotPermitted):
        app.submit_statements(world.lab_member, world.consortium_id, world.periods[0])
    app.submit_statements(coordinator, world.consortium_id, world.periods[0])
    lab = statement(app, world, world.lab_id).id
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.refuse_statement_line(
            coordinator, lab, line.id, RefusalReason.INELIGIBLE, ""
        )
    with pytest.raises(NotPermitted):
        app.accept_statement(world.lab_member, lab, "")

    assert app.recorder.max_notification_id() == before


def test_a_period_with_nothing_declared_has_nothing_to_submit(
    app: Governance, coordinator: Actor, world: World
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.submit_statements(coordinator, world.consortium_id, world.periods[1])

    assert refused.value.code == "statement.nothing_to_submit"


def test_the_financer_accepts_every_submitted_statement_of_a_period_at_once(
    app: Governance, coordinator: Actor, world: World
) -> None:
    refused = declare(app, world, world.lab_member, world.lab_id)
    declare(app, world, coordinator, world.lead_id)
    app.submit_statements(coordinator, world.consortium_id, world.periods[0])
    lab = statement(app, world, world.lab_id).id
    app.refuse_statement_line(
        world.financer, lab, refused.id, RefusalReason.INELIGIBLE, ""
    )
    with pytest.raises(NotPermitted):
        app.accept_statements(coordinator, world.consortium_id, world.periods[0], "")

    app.accept_statements(world.financer, world.consortium_id, world.periods[0], "Ok")

    for partner in (world.lab_id, world.lead_id):
        assert statement(app, world, partner).status is StatementStatus.ACCEPTED
    assert statement(app, world, world.lab_id).accepted == Decimal(0)
    with pytest.raises(RuleViolated) as nothing:
        app.accept_statements(world.financer, world.consortium_id, world.periods[0], "")
    assert nothing.value.code == "statement.nothing_to_accept"
