"""Budget against realised and the expense checks, as pure functions: what counts as
realised and accepted, and each check's threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from governance.financing.realised import (
    BY_CATEGORY,
    BY_PARTNER,
    BY_WORK_PACKAGE,
    DeclaredLine,
    breakdown,
    expense_checks,
)
from governance.financing.values import CostCategory, FundingRules
from tests.support.builders import an_evidence
from tests.support.expenses import a_declared_expense
from tests.support.financing import LAB, LEAD, an_expense


def declared(
    amount: str = "550.00", *, partner: str = LEAD, refused: bool = False,
    accepted: bool = False, line_id: str = "l-1", **overrides: object,
) -> DeclaredLine:  # fmt: skip
    expense = a_declared_expense(
        amount_excl=Decimal(amount), amount_incl=Decimal(amount), **overrides
    )
    return DeclaredLine(partner, "s-1", expense.line(line_id), refused, accepted)


PLAN = (
    an_expense().line("p-1"),  # travel of the lead, 1,000 €, Lot 1
    an_expense(
        category=CostCategory.OTHER_DIRECT, amount=Decimal(1000), work_package="Lot 2"
    ).line("p-2"),
)


def test_refused_lines_are_declared_but_not_realised_and_only_accepted_ones_count() -> (
    None
):
    lines = [
        declared("300"),
        declared("200", refused=True, line_id="l-2"),
        declared("100", accepted=True, line_id="l-3"),
    ]

    cell = breakdown(PLAN, lines, BY_PARTNER)[LEAD]

    assert (cell.planned, cell.declared, cell.realised, cell.accepted) == (
        Decimal("2000.00"),
        Decimal("600"),
        Decimal("400"),
        Decimal("100"),
    )
    assert cell.rate == Decimal("20.00")


def test_breakdowns_group_by_category_and_work_package_planned_first() -> None:
    lines = [declared("50", work_package="Lot 3", partner=LAB)]

    by_category = breakdown(PLAN, lines, BY_CATEGORY)
    by_package = breakdown(PLAN, lines, BY_WORK_PACKAGE)

    assert list(by_category) == ["travel", "other_direct"]
    assert by_category["travel"].realised == Decimal("50")
    assert list(by_package) == ["Lot 1", "Lot 2", "Lot 3"]
    assert by_package["Lot 3"].planned == Decimal(0)


def test_the_same_invoice_twice_is_told_whatever_the_case_of_its_words() -> None:
    twice = [
        declared("10"),
        declared(
            "10", line_id="l-2", supplier="sncf voyageurs", invoice_number="f-2026-0312"
        ),
    ]

    codes = [w.code for w in expense_checks(PLAN, twice, FundingRules())]

    assert codes == ["expenses.same_invoice_twice"]


def test_the_same_file_behind_two_invoices_is_told() -> None:
    lines = [
        declared("10", document=an_evidence()),
        declared("10", line_id="l-2", invoice_number="F-9", document=an_evidence()),
    ]

    found = expense_checks(PLAN, lines, FundingRules())

    assert [(w.code, w.params["count"]) for w in found] == [
        ("expenses.same_file_twice", 2)
    ]


def test_a_line_outside_the_eligible_period_is_told_unless_refused() -> None:
    rules = FundingRules(eligible_from=date(2026, 4, 1))
    early = declared("10")  # 12 March 2026

    assert [w.code for w in expense_checks(PLAN, [early], rules)] == [
        "expenses.outside_eligible_period"
    ]
    assert expense_checks(PLAN, [replace(early, refused=True)], rules) == []


def test_moving_up_to_the_allowed_share_is_fine_and_beyond_it_needs_an_amendment() -> (
    None
):
    # The lead's budget is 2,000 €: 20 % lets 400 € move from one category to another.
    at_the_limit = [declared("1400.00")]
    beyond = [declared("1400.01")]

    assert [w.code for w in expense_checks(PLAN, at_the_limit, FundingRules())] == [
        "expenses.category_over_budget"
    ]
    assert [w.code for w in expense_checks(PLAN, beyond, FundingRules())] == [
        "expenses.category_over_budget",
        "expenses.needs_amendment",
    ]
    wider = FundingRules(reallocation_share=Decimal(30))
    assert "expenses.needs_amendment" not in [
        w.code for w in expense_checks(PLAN, beyond, wider)
    ]


def test_a_duplicate_the_financer_refused_is_no_longer_told() -> None:
    twice = [declared("10"), declared("10", line_id="l-2", refused=True)]

    assert expense_checks(PLAN, twice, FundingRules()) == []


def test_without_a_planned_expense_there_is_no_budget_to_exceed() -> None:
    assert expense_checks((), [declared("5000")], FundingRules()) == []
