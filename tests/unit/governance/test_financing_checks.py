"""The arithmetic of a plan and the checks a funder would make, on plain contents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from governance.financing.checks import PlanPartner, plan_checks
from governance.financing.figures import plan_figures
from governance.financing.values import (
    CostCategory,
    ExpenseLine,
    FundingRules,
    IndirectBase,
    PlanContent,
    PublicFunder,
    ResourceLine,
    ResourceSource,
)
from governance.values import ContributionKind, Funding
from tests.support.financing import LAB, LEAD, a_resource, an_expense, committed, rules

PARTNERS = {LEAD: PlanPartner("Communauté de communes"), LAB: PlanPartner("Labo")}


def expense(amount: str, **overrides: object) -> ExpenseLine:
    return an_expense(amount=Decimal(amount), **overrides).line(f"e-{amount}")


def resource(amount: str, **overrides: object) -> ResourceLine:
    return a_resource(amount=Decimal(amount), **overrides).line(f"r-{amount}")


def codes(content: PlanContent) -> list[str]:
    figures = plan_figures(content)
    return [w.code for w in plan_checks(content, figures, PARTNERS)]


def balanced(**rule_values: object) -> PlanContent:
    """10,000 € of costs, 7,000 € requested, 3,000 € of own funds: balanced."""
    return PlanContent(
        (expense("10000"),),
        (resource("7000"),),
        (committed("3000", kind=ContributionKind.FINANCIAL),),
        FundingRules(**rule_values),  # type: ignore[arg-type]
    )


def test_an_empty_plan_raises_no_warning() -> None:
    assert codes(PlanContent()) == []


def test_a_balanced_plan_within_the_rules_raises_no_warning() -> None:
    assert codes(balanced(max_funder_rate=Decimal(70))) == []


def test_own_funds_come_from_financial_commitments_and_in_kind_from_the_others() -> (
    None
):
    content = PlanContent(
        (expense("1000"),),
        (),
        (
            committed("400", kind=ContributionKind.FINANCIAL),
            committed("250", kind=ContributionKind.LOGISTICAL),
            committed("99", funding=Funding.REQUESTED),
        ),
    )

    (lead,) = plan_figures(content).partners

    assert lead.resource(ResourceSource.OWN_FUNDS) == Decimal(400)
    assert lead.resource(ResourceSource.IN_KIND) == Decimal(250)
    assert lead.in_kind == Decimal(250)
    assert lead.total_expenses == Decimal(1250)
    assert lead.requested_in_ledger == Decimal(99)


def test_indirect_costs_are_the_flat_rate_of_staff_rounded_to_the_cent() -> None:
    content = PlanContent(
        (
            expense("1000.05", category=CostCategory.STAFF),
            expense("500", category=CostCategory.TRAVEL),
        ),
        rules=rules(indirect_rate=Decimal(15), indirect_base=IndirectBase.STAFF),
    )

    figures = plan_figures(content)

    assert figures.cost(CostCategory.INDIRECT) == Decimal("150.01")
    assert figures.total_costs == Decimal("1650.06")


def test_indirect_costs_of_direct_costs_leave_out_ineligible_categories() -> None:
    content = PlanContent(
        (
            expense("1000", category=CostCategory.STAFF),
            expense("500", category=CostCategory.TRAVEL),
        ),
        rules=rules(
            indirect_rate=Decimal(7),
            indirect_base=IndirectBase.DIRECT_COSTS,
            eligible_categories=(CostCategory.STAFF,),
        ),
    )

    assert plan_figures(content).cost(CostCategory.INDIRECT) == Decimal("70.00")


def test_an_unbalanced_plan_says_by_how_much() -> None:
    content = PlanContent((expense("1000"),), (resource("600"),))

    (warning,) = plan_checks(content, plan_figures(content), PARTNERS)

    assert warning.code == "budget.not_balanced"
    assert warning.params["difference"] == Decimal(400)


def test_a_funder_rate_above_the_call_maximum_is_flagged_overall() -> None:
    assert "budget.funder_rate_above_max" in codes(
        balanced(max_funder_rate=Decimal(60))
    )


def test_a_partner_rate_above_the_maximum_is_flagged_with_the_partner() -> None:
    content = balanced(max_partner_rate=Decimal("69.99"))

    warnings = plan_checks(content, plan_figures(content), PARTNERS)

    (warning,) = [w for w in warnings if w.code == "budget.partner_rate_above_max"]
    assert warning.partner_id == LEAD
    assert warning.params["rate"] == Decimal("70.00")
    assert warning.params["partner"] == "Communauté de communes"


def test_co_financing_below_the_minimum_is_flagged() -> None:
    assert "budget.cofinancing_below_min" in codes(
        balanced(min_cofinancing=Decimal(40))
    )


def test_a_partner_with_expenses_but_no_resources_is_flagged() -> None:
    content = PlanContent(
        (expense("100", partner_id=LAB), expense("900")), (resource("1000"),)
    )

    assert "budget.expenses_without_resources" in codes(content)


def test_a_category_the_call_excludes_is_flagged() -> None:
    assert "budget.category_excluded" in codes(
        balanced(eligible_categories=(CostCategory.STAFF,))
    )


def test_equipment_above_its_cap_is_flagged() -> None:
    content = PlanContent(
        (expense("400", category=CostCategory.EQUIPMENT), expense("600")),
        (resource("1000"),),
        rules=rules(equipment_cap=Decimal(30)),
    )

    assert codes(content) == ["budget.equipment_above_cap"]


def test_a_year_outside_the_eligible_period_is_flagged() -> None:
    content = balanced(
        eligible_from=date(2027, 1, 1), eligible_until=date(2028, 12, 31)
    )

    assert codes(content) == ["budget.year_outside_period"]


def test_requested_commitments_beyond_the_planned_grant_are_flagged() -> None:
    content = PlanContent(
        (expense("1000"),),
        (resource("1000"),),
        (committed("1200", funding=Funding.REQUESTED),),
    )

    assert codes(content) == ["budget.requested_commitments_not_covered"]


def test_a_withdrawn_partner_still_in_the_plan_is_flagged() -> None:
    content = balanced()
    partners = {LEAD: PlanPartner("Communauté de communes", active=False)}

    warnings = plan_checks(content, plan_figures(content), partners)

    assert [w.code for w in warnings] == ["budget.partner_withdrawn"]


def test_other_public_funding_counts_as_co_financing() -> None:
    content = PlanContent(
        (expense("1000"),),
        (
            resource("700"),
            resource(
                "300",
                source=ResourceSource.OTHER_PUBLIC,
                public_funder=PublicFunder.REGION,
            ),
        ),
        rules=rules(min_cofinancing=Decimal(30), max_funder_rate=Decimal(70)),
    )

    assert codes(content) == []
    assert plan_figures(content).cofinancing == Decimal(300)
