"""A consortium with a plan and a first period of statements reviewed: what a
financial report is drawn up from. Fictional figures.

The plan (eligible all of 2026, so the first half-year period weighs 181/365):
the lead's staff 100 days × 400 € and travel 2,000 €; the lab's staff 40 days ×
500 €. In the first period the lead declares 45 days × 400 € (18,000 €), train
tickets of 550 € and a taxi of 80 € (refused); the lab 10 days × 500 € (5,000 €).
Accepted: 23,550 €. Staff's budget for the period is 29,753.43 € (60,000 × 181/365,
rounded line by line): a variance of −22.70 %, beyond the 20 % the rules allow, to
be explained; travel's 991.78 €: −44.54 %, to be explained too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.financing.statement_values import RefusalReason, statement_id
from governance.financing.values import CostCategory, Expense
from governance.values import MemberRole, PartnerRole
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    person_in_role,
)
from tests.support.expenses import a_declared_expense, reporting_periods, staff_time
from tests.support.financing import rules

ACCEPTED = Decimal("23550.00")


@dataclass(frozen=True)
class ReportWorld:
    consortium_id: UUID
    lead_id: str
    lab_id: str
    periods: list[UUID]
    member: Actor
    financer: Actor
    pilot: Actor

    @property
    def first(self) -> str:
        return str(self.periods[0])


def report_world(
    app: Governance, coordinator: Actor, consortium_id: UUID, *, review: bool = True
) -> ReportWorld:
    """The plan, the first period's statements declared, submitted, and (with
    ``review``) the taxi refused and both statements accepted."""
    cid = consortium_id
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(app, coordinator, cid, a_partner_identity("Labo fictif"))
    member = person_in_role(app, coordinator, cid, "acc-lab", MemberRole.MEMBER, lab)
    financer = person_in_role(app, coordinator, cid, "acc-funder", MemberRole.FINANCER)
    pilot = person_in_role(app, coordinator, cid, "acc-pilot", MemberRole.PILOT_TEAM)
    app.set_funding_rules(
        coordinator,
        cid,
        rules(eligible_from=date(2026, 1, 1), eligible_until=date(2026, 12, 31)),
    )
    for partner, category, amount, days, rate in (
        (lead, CostCategory.STAFF, None, "100", "400"),
        (lead, CostCategory.TRAVEL, Decimal("2000"), None, None),
        (lab, CostCategory.STAFF, None, "40", "500"),
    ):
        app.plan_expense(
            coordinator,
            cid,
            Expense(
                partner,
                category,
                "Ligne prévue",
                amount,
                Decimal(days) if days else None,
                Decimal(rate) if rate else None,
            ),
        )
    periods = reporting_periods(app, coordinator, cid)
    first = periods[0]
    app.declare_expense(coordinator, cid, first, lead, staff_time("45", "400"))
    app.declare_expense(coordinator, cid, first, lead, a_declared_expense())
    taxi = app.declare_expense(
        coordinator,
        cid,
        first,
        lead,
        a_declared_expense(
            label="Taxi",
            amount_excl=Decimal("80.00"),
            amount_incl=Decimal("80.00"),
            invoice_number="T-1",
        ),
    ).id
    app.declare_expense(member, cid, first, lab, staff_time("10", "500"))
    app.submit_statements(coordinator, cid, first)
    if review:
        lead_statement = statement_id(str(cid), str(first), lead)
        app.refuse_statement_line(
            financer, lead_statement, taxi, RefusalReason.UNSUPPORTED, "Pas de reçu."
        )
        app.accept_statement(financer, lead_statement, "")
        app.accept_statement(financer, statement_id(str(cid), str(first), lab), "")
    return ReportWorld(cid, lead, lab, periods, member, financer, pilot)


def explain_all(app: Governance, coordinator: Actor, world: ReportWorld) -> int:
    """The coordinator explains staff's and travel's variances of the first period."""
    app.explain_variance(
        coordinator,
        world.consortium_id,
        world.first,
        CostCategory.STAFF,
        "Recrutement de la médiatrice décalé de deux mois.",
    )
    return app.explain_variance(
        coordinator,
        world.consortium_id,
        world.first,
        CostCategory.TRAVEL,
        "Moins de déplacements pendant l'hiver.",
    )
