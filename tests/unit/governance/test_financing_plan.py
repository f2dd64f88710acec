"""The FinancingPlan aggregate and the values it records: lines, rules, versions.

A refused command records nothing; a plan with the convention's version is locked.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.financing.plan import FinancingPlan
from governance.financing.values import (
    CostCategory,
    ExpenseLine,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
    plan_id,
)
from tests.support.financing import (
    LEAD,
    a_resource,
    an_expense,
    committed,
    rules,
    staff_days,
)

pytestmark = pytest.mark.usefixtures("acting")


def opened() -> FinancingPlan:
    plan = FinancingPlan.open("c-1")
    plan.collect_events()
    return plan


def with_lines() -> FinancingPlan:
    plan = opened()
    plan.plan_expense(an_expense().line("e-1"))
    plan.plan_resource(a_resource().line("r-1"))
    plan.collect_events()
    return plan


def test_a_consortium_has_one_plan_whose_id_comes_from_the_consortium() -> None:
    plan = FinancingPlan.open("c-1")

    assert plan.id == plan_id("c-1")
    assert plan_id("c-1") != plan_id("c-2")


def test_planning_an_expense_records_the_checked_line() -> None:
    plan = opened()

    plan.plan_expense(an_expense(label="  Déplacements   COPIL ").line("e-1"))

    (event,) = plan.collect_events()
    assert isinstance(event, FinancingPlan.ExpensePlanned)
    assert event.line == ExpenseLine(
        "e-1",
        LEAD,
        CostCategory.TRAVEL,
        "Déplacements COPIL",
        Decimal("1000.00"),
        year=2026,
        work_package="Lot 1",
    )


def test_staff_given_as_days_and_rate_is_planned_at_their_product_to_the_cent() -> None:
    line = staff_days("2.5", "333.33").line("e-1")

    assert line.amount == Decimal("833.33")
    assert (line.person_days, line.daily_rate) == (Decimal("2.5"), Decimal("333.33"))


@pytest.mark.parametrize(
    ("expense", "code", "field"),
    [
        (an_expense(amount=Decimal("-5")), "amount.not_positive", "amount"),
        (an_expense(amount=Decimal("10.005")), "amount.too_precise", "amount"),
        (an_expense(amount=Decimal("1e12")), "amount.too_large", "amount"),
        (an_expense(amount=None), "expense.amount_required", "amount"),
        (an_expense(label=" "), "expense.label_required", "label"),
        (an_expense(label="x" * 201), "plan.text_too_long", "label"),
        (an_expense(year=1999), "plan.year_out_of_range", "year"),
        (
            an_expense(category=CostCategory.INDIRECT),
            "expense.indirect_is_computed",
            "category",
        ),
        (
            an_expense(amount=None, person_days=Decimal(3), daily_rate=Decimal(300)),
            "expense.days_only_for_staff",
            "person_days",
        ),
        (
            staff_days("3", "300", amount=Decimal(900)),
            "expense.amount_or_days",
            "amount",
        ),
        (
            staff_days("3", "300", daily_rate=None),
            "expense.daily_rate_required",
            "daily_rate",
        ),
        (staff_days("0", "300"), "person_days.not_positive", "person_days"),
        (staff_days("1.333", "300"), "person_days.too_precise", "person_days"),
        (staff_days("3", "300.001"), "daily_rate.too_precise", "daily_rate"),
    ],
)
def test_an_incoherent_expense_is_refused_naming_its_input(
    expense: object, code: str, field: str
) -> None:
    plan = opened()

    with pytest.raises(RuleViolated) as error:
        plan.plan_expense(expense.line("e-1"))  # type: ignore[attr-defined]

    assert error.value.code == code
    assert error.value.field == field
    assert plan.collect_events() == []


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        (a_resource(source=ResourceSource.OWN_FUNDS), "resource.from_the_ledger"),
        (a_resource(source=ResourceSource.IN_KIND), "resource.from_the_ledger"),
        (
            a_resource(source=ResourceSource.OTHER_PUBLIC),
            "resource.public_funder_required",
        ),
        (
            a_resource(public_funder=PublicFunder.REGION),
            "resource.public_funder_only_for_public",
        ),
        (a_resource(amount=Decimal(0)), "amount.not_positive"),
        (a_resource(amount=Decimal("0.001")), "amount.too_precise"),
    ],
)
def test_an_incoherent_resource_is_refused(resource: object, code: str) -> None:
    plan = opened()

    with pytest.raises(RuleViolated) as error:
        plan.plan_resource(resource.line("r-1"))  # type: ignore[attr-defined]

    assert error.value.code == code
    assert plan.collect_events() == []


def test_other_public_funding_names_its_funder() -> None:
    plan = opened()

    plan.plan_resource(
        a_resource(
            source=ResourceSource.OTHER_PUBLIC, public_funder=PublicFunder.REGION
        ).line("r-1")
    )

    assert plan.resources["r-1"].public_funder is PublicFunder.REGION


def test_withdrawing_a_line_takes_it_out_of_the_draft() -> None:
    plan = with_lines()

    plan.withdraw_expense("e-1")
    plan.withdraw_resource("r-1")

    assert [type(e) for e in plan.collect_events()] == [
        FinancingPlan.ExpenseWithdrawn,
        FinancingPlan.ResourceWithdrawn,
    ]
    assert plan.expenses == {}
    assert plan.resources == {}


def test_withdrawing_an_unknown_line_is_refused() -> None:
    plan = with_lines()

    with pytest.raises(RuleViolated, match=r"plan\.line_unknown"):
        plan.withdraw_expense("r-1")

    assert plan.collect_events() == []


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"max_funder_rate": Decimal("100.5")}, "rate.over_hundred"),
        ({"max_partner_rate": Decimal("-1")}, "rate.not_positive"),
        ({"indirect_rate": Decimal("7.125")}, "rate.too_precise"),
        ({"eligible_categories": ()}, "rules.no_eligible_category"),
        (
            {"eligible_categories": (CostCategory.INDIRECT,)},
            "rules.indirect_by_rate",
        ),
    ],
)
def test_incoherent_funding_rules_are_refused(
    given: dict[str, object], code: str
) -> None:
    plan = opened()

    with pytest.raises(RuleViolated) as error:
        plan.set_rules(rules(**given))

    assert error.value.code == code
    assert plan.collect_events() == []


def test_funding_rules_are_recorded_once_with_their_categories_in_order() -> None:
    plan = opened()
    chosen = rules(
        max_funder_rate=Decimal("80"),
        eligible_categories=(CostCategory.TRAVEL, CostCategory.STAFF),
        indirect_rate=Decimal("15"),
        indirect_base=IndirectBase.STAFF,
    )

    plan.set_rules(chosen)
    plan.set_rules(chosen)

    (event,) = plan.collect_events()
    assert isinstance(event, FinancingPlan.FundingRulesSet)
    assert event.rules.eligible_categories == (CostCategory.STAFF, CostCategory.TRAVEL)


def test_filing_the_application_version_snapshots_lines_rules_and_commitments() -> None:
    plan = with_lines()

    version = plan.file_version(PlanVersionKind.APPLICATION, (committed("500"),))

    (event,) = plan.collect_events()
    assert isinstance(event, FinancingPlan.VersionFiled)
    assert event.version == version
    assert version.number == 1
    assert version.content.expenses == (plan.expenses["e-1"],)
    assert version.content.resources == (plan.resources["r-1"],)
    assert version.content.contributions == (committed("500"),)


def test_an_empty_plan_cannot_be_filed() -> None:
    plan = opened()

    with pytest.raises(RuleViolated, match=r"plan\.empty"):
        plan.file_version(PlanVersionKind.APPLICATION, ())

    assert plan.collect_events() == []


def test_the_application_version_is_filed_once() -> None:
    plan = with_lines()
    plan.file_version(PlanVersionKind.APPLICATION, ())
    plan.collect_events()

    with pytest.raises(RuleViolated, match=r"plan\.version_already_filed"):
        plan.file_version(PlanVersionKind.APPLICATION, ())

    assert plan.collect_events() == []


def test_an_amendment_is_not_filed_by_this_command() -> None:
    plan = with_lines()

    with pytest.raises(RuleViolated, match=r"plan\.amendment_needs_approval"):
        plan.file_version(PlanVersionKind.AMENDMENT, ())

    assert plan.collect_events() == []


def test_after_the_convention_every_change_needs_an_amendment() -> None:
    plan = with_lines()
    plan.file_version(PlanVersionKind.APPLICATION, ())
    plan.file_version(PlanVersionKind.CONVENTION, ())
    plan.collect_events()

    for change in (
        lambda: plan.plan_expense(an_expense().line("e-2")),
        lambda: plan.withdraw_expense("e-1"),
        lambda: plan.plan_resource(a_resource().line("r-2")),
        lambda: plan.withdraw_resource("r-1"),
        lambda: plan.set_rules(rules(max_funder_rate=Decimal(70))),
        lambda: plan.file_version(PlanVersionKind.APPLICATION, ()),
    ):
        with pytest.raises(RuleViolated, match=r"plan\.locked_by_convention"):
            change()

    assert plan.locked
    assert [v.number for v in plan.versions] == [1, 2]
    assert plan.collect_events() == []


def test_a_line_id_is_used_once_across_both_sides() -> None:
    plan = with_lines()

    with pytest.raises(RuleViolated, match=r"plan\.duplicate_line"):
        plan.plan_resource(a_resource().line("e-1"))

    assert plan.collect_events() == []
