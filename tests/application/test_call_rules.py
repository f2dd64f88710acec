"""The service's call rules: recorded by coordinators, typed once for the plan (the
draft plan's funding rules follow them), refused in words with nothing stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.call.rulebook import CallRulebook
from governance.call.values import CallRules, call_rules_id
from governance.errors import NotPermitted, RuleViolated
from governance.financing.plan import FinancingPlan
from governance.financing.values import PlanVersionKind, plan_id
from governance.values import MemberRole, PartnerKind, PartnerRole
from tests.support.builders import admitted_partner, an_authority, person_in_role
from tests.support.financing import an_expense, rules


def the_call_rules(app: Governance, consortium_id: UUID) -> CallRules | None:
    rulebook: CallRulebook = app.repository.get(call_rules_id(str(consortium_id)))
    return rulebook.rules


def the_plan(app: Governance, consortium_id: UUID) -> FinancingPlan:
    plan: FinancingPlan = app.repository.get(plan_id(str(consortium_id)))
    return plan


def test_recording_the_call_s_rules_sets_the_draft_plan_s_funding_rules(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    funding = rules(max_funder_rate=Decimal(70), indirect_rate=Decimal(15))
    app.record_call_rules(
        coordinator,
        consortium_id,
        CallRules(
            eligible_kinds=(PartnerKind.COMPANY, PartnerKind.LOCAL_AUTHORITY),
            lead_kinds=(PartnerKind.LOCAL_AUTHORITY,),
            budget_ceiling=Decimal(500000),
            funding=funding,
        ),
    )

    recorded = the_call_rules(app, consortium_id)
    assert recorded is not None
    # Kinds in the usual order, whatever order they were given in.
    assert recorded.eligible_kinds == (
        PartnerKind.LOCAL_AUTHORITY,
        PartnerKind.COMPANY,
    )
    assert the_plan(app, consortium_id).rules == funding.checked()


def test_the_same_rules_again_record_nothing(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    given = CallRules(max_duration_months=36)
    assert app.record_call_rules(coordinator, consortium_id, given) is not None
    before = app.recorder.max_notification_id()

    assert app.record_call_rules(coordinator, consortium_id, given) is None
    assert app.recorder.max_notification_id() == before


def test_once_the_convention_is_filed_the_call_s_rules_leave_the_plan_alone(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    app.record_call_rules(
        coordinator,
        consortium_id,
        CallRules(funding=rules(max_funder_rate=Decimal(80))),
    )
    app.plan_expense(coordinator, consortium_id, an_expense(partner_id=lead))
    app.file_plan_version(coordinator, consortium_id, PlanVersionKind.CONVENTION, [])

    app.record_call_rules(
        coordinator,
        consortium_id,
        CallRules(funding=rules(max_funder_rate=Decimal(60))),
    )

    assert the_plan(app, consortium_id).rules.max_funder_rate == Decimal(80)
    recorded = the_call_rules(app, consortium_id)
    assert recorded is not None
    assert recorded.funding.max_funder_rate == Decimal(60)


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        (
            CallRules(budget_floor=Decimal(9000), budget_ceiling=Decimal(8000)),
            "call.ceiling_below_floor",
            "budget_ceiling",
        ),
        (
            CallRules(budget_floor=Decimal("-1")),
            "budget_floor.not_positive",
            "budget_floor",
        ),
        (
            CallRules(budget_ceiling=Decimal("1.001")),
            "budget_ceiling.too_precise",
            "budget_ceiling",
        ),
        (
            CallRules(max_duration_months=0),
            "call.duration_out_of_range",
            "max_duration_months",
        ),
        (
            CallRules(
                eligible_kinds=(PartnerKind.COMPANY,),
                lead_kinds=(PartnerKind.ACADEMIC,),
            ),
            "call.lead_kind_not_eligible",
            "lead_kinds",
        ),
        (
            CallRules(contact_email="not an address"),
            "call.contact_email_invalid",
            "contact_email",
        ),
        (
            CallRules(funding=rules(max_funder_rate=Decimal(101))),
            "rate.over_hundred",
            "max_funder_rate",
        ),
    ],
)
def test_incoherent_rules_are_refused_in_words_and_nothing_is_stored(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    given: CallRules,
    code: str,
    field: str,
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.record_call_rules(coordinator, consortium_id, given)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert app.recorder.max_notification_id() == before


def test_a_financer_may_not_record_the_call_s_rules(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    financer = person_in_role(
        app, coordinator, consortium_id, "acct-financer", MemberRole.FINANCER
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.record_call_rules(
            financer, consortium_id, CallRules(max_duration_months=12)
        )
    assert app.recorder.max_notification_id() == before


def test_rules_recorded_on_a_day_keep_their_committee_date_and_contact(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    app.record_call_rules(
        coordinator,
        consortium_id,
        CallRules(
            selection_committee_on=date(2026, 6, 15),
            contact_name="  Service   des appels ",
            contact_email="appels@funder.example",
        ),
    )

    recorded = the_call_rules(app, consortium_id)
    assert recorded is not None
    assert recorded.selection_committee_on == date(2026, 6, 15)
    assert recorded.contact_name == "Service des appels"
