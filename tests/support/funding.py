"""Builders of a funded consortium: a signed convention, reporting periods with
accepted statements, and the financer's grant. Fictional figures; one knob per thing
a test varies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.financing.grant_values import GrantTerms, PlannedTranche, TrancheKind
from governance.values import MemberRole, PartnerRole, Phase
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    person_in_role,
)
from tests.support.expenses import a_declared_expense, reporting_periods

GRANT = Decimal("100000.00")
RATE = Decimal("70")
ADVANCE = Decimal("30000.00")
INTERIM = Decimal("30000.00")


@dataclass(frozen=True)
class Funded:
    """A consortium with a lead partner, a lab, a member of the lab, a financer
    and two half-yearly reporting periods."""

    consortium_id: UUID
    lead_id: str
    lab_id: str
    periods: list[UUID]
    member: Actor
    financer: Actor


def a_funded_consortium(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> Funded:
    """Partners, people and reporting periods; the convention not signed yet."""
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
    return Funded(consortium_id, lead, lab, periods, member, financer)


def sign_convention(app: Governance, coordinator: Actor, consortium_id: UUID) -> None:
    """Submitted, selected, signed (January 2026)."""
    for phase, day in (
        (Phase.APPLICATION_SUBMITTED, date(2026, 1, 10)),
        (Phase.SELECTED, date(2026, 1, 20)),
        (Phase.AGREEMENT_SIGNED, date(2026, 1, 30)),
    ):
        app.change_phase(coordinator, consortium_id, phase, day)


def the_schedule(funded: Funded) -> list[PlannedTranche]:
    """An advance at signature, an interim payment on the first report, the balance
    on the second."""
    return [
        PlannedTranche(TrancheKind.ADVANCE, "Avance", ADVANCE),
        PlannedTranche(TrancheKind.INTERIM, "Acompte", INTERIM, str(funded.periods[0])),
        PlannedTranche(TrancheKind.BALANCE, "Solde", None, str(funded.periods[1])),
    ]


def set_the_grant(app: Governance, funded: Funded) -> None:
    """100,000 € at 70 %, for 2026."""
    app.set_grant(
        funded.financer,
        funded.consortium_id,
        GrantTerms(GRANT, RATE, date(2026, 1, 1), date(2026, 12, 31)),
        the_schedule(funded),
    )


def declared_and_submitted(
    app: Governance,
    coordinator: Actor,
    funded: Funded,
    period: int,
    amount: Decimal,
) -> None:
    """The lead partner declares ``amount`` (no VAT) in the period; the coordinator
    submits the period's statements."""
    obligation = funded.periods[period]
    day = date(2026, 3, 12) if period == 0 else date(2026, 9, 12)
    app.declare_expense(
        coordinator,
        funded.consortium_id,
        obligation,
        funded.lead_id,
        a_declared_expense(
            spent_on=day, amount_excl=amount, amount_incl=amount, invoice_number=""
        ),
    )
    app.submit_statements(coordinator, funded.consortium_id, obligation)


def accept_period(
    app: Governance,
    coordinator: Actor,
    funded: Funded,
    period: int,
    amount: Decimal,
    *,
    statements: bool = True,
    report: bool = True,
) -> None:
    """The period's statements declared, submitted and (by default) accepted; its
    report drafted, submitted and (by default) accepted."""
    obligation = funded.periods[period]
    declared_and_submitted(app, coordinator, funded, period, amount)
    if statements:
        app.accept_statements(
            funded.financer, funded.consortium_id, obligation, "Conforme."
        )
    app.draft_report(coordinator, obligation, "Le rapport de la période.")
    app.submit_report(coordinator, obligation)
    if report:
        app.accept_report(funded.financer, obligation, "Merci.")
