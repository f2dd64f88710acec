"""The consortium checked against its call's rules, on plain facts: who may apply
and lead, the budget's floor and ceiling, the caps, the eligible costs, the
duration and period of the project's calendar, and a plan checked against other
rules than the call's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from governance.call.checks import CallFacts, CallPartner, call_checks, months_between
from governance.call.values import CallRules
from governance.financing.figures import plan_figures
from governance.financing.values import CostCategory, PlanContent
from governance.values import PartnerKind, PartnerRole
from tests.support.financing import LAB, LEAD, a_resource, an_expense, rules

PARTNERS = (
    CallPartner(LEAD, "Lead SAS", PartnerKind.COMPANY, PartnerRole.LEAD),
    CallPartner(LAB, "Labo", PartnerKind.ACADEMIC, PartnerRole.PARTNER),
    CallPartner("p-gone", "Parti", PartnerKind.CITIZENS, PartnerRole.PARTNER, False),
)


def a_plan(costs: str = "10000", requested: str = "8000") -> PlanContent:
    return PlanContent(
        (an_expense(amount=Decimal(costs)).line("e-1"),),
        (a_resource(amount=Decimal(requested)).line("r-1"),),
    )


def codes(given: CallRules, **facts: object) -> list[str]:
    found = call_checks(given, CallFacts(PARTNERS, **facts))  # type: ignore[arg-type]
    return [w.code for w in found]


def test_no_rule_no_warning() -> None:
    plan = a_plan()
    assert codes(CallRules(), figures=plan_figures(plan)) == []


def test_a_partner_or_a_lead_of_a_kind_the_call_excludes_is_named() -> None:
    given = CallRules(
        eligible_kinds=(PartnerKind.COMPANY, PartnerKind.LOCAL_AUTHORITY),
        lead_kinds=(PartnerKind.LOCAL_AUTHORITY,),
    )

    found = call_checks(given, CallFacts(PARTNERS))

    assert [(w.code, w.params["partner"]) for w in found] == [
        ("call.lead_kind_excluded", "Lead SAS"),
        ("call.partner_kind_excluded", "Labo"),
    ]  # the withdrawn partner is not counted


def test_the_budget_outside_the_floor_or_the_ceiling_is_told() -> None:
    figures = plan_figures(a_plan("10000"))

    assert codes(CallRules(budget_floor=Decimal(20000)), figures=figures) == [
        "call.budget_below_floor"
    ]
    assert codes(CallRules(budget_ceiling=Decimal(9999)), figures=figures) == [
        "call.budget_above_ceiling"
    ]
    assert codes(CallRules(budget_ceiling=Decimal(10000)), figures=figures) == []


def test_a_rate_above_the_call_s_cap_and_an_excluded_cost_are_told() -> None:
    figures = plan_figures(a_plan("10000", "8000"))  # 80 % requested, travel
    given = CallRules(
        funding=rules(
            max_funder_rate=Decimal(70),
            max_partner_rate=Decimal(75),
            eligible_categories=(CostCategory.STAFF,),
        )
    )

    assert codes(given, figures=figures) == [
        "call.funder_rate_above_cap",
        "call.partner_rate_above_cap",
        "call.category_excluded",
    ]


def test_a_calendar_longer_than_the_call_allows_or_past_its_period_is_told() -> None:
    calendar = (date(2026, 3, 1), date(2027, 9, 30), date(2029, 3, 1))
    given = CallRules(
        max_duration_months=24, funding=rules(eligible_until=date(2028, 12, 31))
    )

    found = call_checks(given, CallFacts(PARTNERS, calendar=calendar))

    assert [(w.code, w.params) for w in found] == [
        ("call.duration_too_long", {"months": 37, "max": 24}),
        (
            "call.calendar_after_period",
            {"last": date(2029, 3, 1), "until": date(2028, 12, 31)},
        ),
    ]


def test_a_draft_plan_checked_against_other_rules_than_the_call_s_is_told() -> None:
    given = CallRules(funding=rules(max_funder_rate=Decimal(70)))

    assert codes(given, plan_rules=rules(max_funder_rate=Decimal(80))) == [
        "call.plan_rules_differ"
    ]
    assert codes(given, plan_rules=given.funding) == []


def test_months_count_a_started_month_as_one() -> None:
    assert months_between(date(2026, 1, 15), date(2026, 1, 15)) == 1
    assert months_between(date(2026, 1, 15), date(2026, 2, 14)) == 1
    assert months_between(date(2026, 1, 15), date(2026, 2, 15)) == 2
    assert months_between(date(2026, 1, 1), date(2028, 12, 31)) == 36
