"""The service's financing-plan commands: lines for active partners, rules, versions
that freeze the partners' commitments as the event store holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, RuleViolated
from governance.financing.plan import FinancingPlan
from governance.financing.values import (
    CommittedContribution,
    PlanVersionKind,
    plan_id,
)
from governance.values import ContributionKind, Funding, PartnerRole
from tests.support.builders import (
    a_partner_identity,
    a_pledge,
    admitted_partner,
    an_authority,
    founded_consortium,
)
from tests.support.financing import a_resource, an_expense, rules, staff_days


@dataclass(frozen=True)
class Partners:
    consortium_id: UUID
    lead_id: str
    lab_id: str


@pytest.fixture
def partners(app: Governance, coordinator: Actor, consortium_id: UUID) -> Partners:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Laboratoire fictif")
    )
    return Partners(consortium_id, lead, lab)


def the_plan(app: Governance, consortium_id: UUID) -> FinancingPlan:
    plan: FinancingPlan = app.repository.get(plan_id(str(consortium_id)))
    return plan


def test_the_first_line_opens_the_consortium_s_plan(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    line = app.plan_expense(
        coordinator,
        partners.consortium_id,
        staff_days("10", "450", partner_id=partners.lab_id),
    )

    plan = the_plan(app, partners.consortium_id)
    assert plan.consortium_id == str(partners.consortium_id)
    assert plan.expenses[line.id].amount == Decimal("4500.00")


def test_a_line_for_a_withdrawn_partner_is_refused_and_nothing_is_stored(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    app.withdraw_partner(
        coordinator, partners.consortium_id, partners.lab_id, date(2026, 2, 1), "Départ"
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.plan_resource(
            coordinator, partners.consortium_id, a_resource(partner_id=partners.lab_id)
        )

    assert refused.value.code == "plan.partner_not_active"
    assert app.recorder.max_notification_id() == before


def test_a_line_for_an_unknown_partner_is_refused(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    with pytest.raises(RuleViolated, match=r"plan\.partner_not_active"):
        app.plan_expense(
            coordinator, partners.consortium_id, an_expense(partner_id="p-nobody")
        )


def test_setting_the_same_rules_again_records_nothing(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    chosen = rules(max_funder_rate=Decimal(70))
    first = app.set_funding_rules(coordinator, partners.consortium_id, chosen)

    again = app.set_funding_rules(coordinator, partners.consortium_id, chosen)

    assert first is not None
    assert again is None


def test_filing_a_version_freezes_the_standing_commitments_valued(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    cid = partners.consortium_id
    days = app.pledge(
        coordinator,
        cid,
        partners.lead_id,
        a_pledge(
            kind=ContributionKind.HUMAN,
            amount=Decimal("12.5"),
            daily_rate=Decimal("400.00"),
        ),
    ).id
    withdrawn = app.pledge(coordinator, cid, partners.lead_id, a_pledge()).id
    app.withdraw_commitment(coordinator, UUID(withdrawn), date(2026, 3, 1), "Erreur")
    of_lab = app.pledge(coordinator, cid, partners.lab_id, a_pledge()).id
    app.withdraw_partner(coordinator, cid, partners.lab_id, date(2026, 2, 1), "Départ")
    app.plan_expense(coordinator, cid, an_expense(partner_id=partners.lead_id))

    app.file_plan_version(
        coordinator,
        cid,
        PlanVersionKind.APPLICATION,
        [UUID(days), UUID(withdrawn), UUID(of_lab)],
    )

    (version,) = the_plan(app, cid).versions
    assert version.content.contributions == (
        CommittedContribution(
            days,
            partners.lead_id,
            ContributionKind.HUMAN,
            Funding.CO_FINANCING,
            Decimal("5000.00"),
            a_pledge().covers,
        ),
    )


def test_a_commitment_of_another_consortium_is_not_found(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    other = founded_consortium(app, coordinator)
    other_lead = admitted_partner(app, coordinator, other, an_authority())
    theirs = app.pledge(coordinator, other, other_lead, a_pledge()).id
    app.plan_expense(
        coordinator, partners.consortium_id, an_expense(partner_id=partners.lead_id)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound):
        app.file_plan_version(
            coordinator,
            partners.consortium_id,
            PlanVersionKind.APPLICATION,
            [UUID(theirs)],
        )

    assert app.recorder.max_notification_id() == before


def test_once_the_convention_is_filed_a_new_line_needs_an_amendment(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    cid = partners.consortium_id
    app.plan_expense(coordinator, cid, an_expense(partner_id=partners.lead_id))
    app.file_plan_version(coordinator, cid, PlanVersionKind.APPLICATION, [])
    app.file_plan_version(coordinator, cid, PlanVersionKind.CONVENTION, [])
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.plan_expense(coordinator, cid, an_expense(partner_id=partners.lead_id))

    assert refused.value.code == "plan.locked_by_convention"
    assert app.recorder.max_notification_id() == before
    assert [v.kind for v in the_plan(app, cid).versions] == [
        PlanVersionKind.APPLICATION,
        PlanVersionKind.CONVENTION,
    ]


def test_filing_a_plan_never_started_is_refused_as_empty(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated, match=r"plan\.empty"):
        app.file_plan_version(
            coordinator, partners.consortium_id, PlanVersionKind.APPLICATION, []
        )

    assert app.recorder.max_notification_id() == before
