"""The financial report as pure rules: a period's share of the budget, which
variances are significant, the figures by category and partner, and the
aggregate's refusals (explanations, certification)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.financing.realised import DeclaredLine
from governance.financing.report import FinancialReport
from governance.financing.report_values import (
    FINAL,
    ONE,
    ReportFigures,
    is_significant,
    period_share,
    report_figures,
)
from governance.financing.values import CostCategory
from tests.support.expenses import a_declared_expense
from tests.support.financing import LAB, LEAD, an_expense

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def accepted(amount: str, *, partner: str = LEAD, ok: bool = True) -> DeclaredLine:
    expense = a_declared_expense(
        amount_excl=Decimal(amount), amount_incl=Decimal(amount)
    )
    return DeclaredLine(partner, "s-1", expense.line(f"l-{amount}"), not ok, ok)


def test_a_half_year_weighs_its_days_in_the_eligible_year() -> None:
    share = period_share((date(2026, 1, 1), date(2026, 6, 30)), YEAR)

    assert share == Decimal(181) / Decimal(365)


def test_a_period_partly_outside_the_eligible_period_counts_its_days_inside() -> None:
    share = period_share((date(2025, 12, 1), date(2026, 1, 31)), YEAR)

    assert share == Decimal(31) / Decimal(365)


@pytest.mark.parametrize(
    ("period", "eligible"),
    [((None, None), YEAR), ((date(2026, 1, 1), date(2026, 6, 30)), (None, None))],
)
def test_without_every_date_a_period_is_compared_with_the_whole_budget(
    period: tuple[date | None, date | None], eligible: tuple[date | None, date | None]
) -> None:
    assert period_share(period, eligible) == ONE


def test_a_period_after_the_eligible_period_weighs_nothing() -> None:
    assert period_share((date(2027, 1, 1), date(2027, 6, 30)), YEAR) == 0


@pytest.mark.parametrize(
    ("budget", "realised", "significant"),
    [
        ("1000", "1200", False),  # exactly 20 %: within
        ("1000", "1200.01", True),
        ("1000", "799.99", True),
        ("0", "0", False),
        ("0", "0.01", True),  # spent without a budget
    ],
)
def test_a_variance_is_significant_beyond_the_threshold(
    budget: str, realised: str, significant: bool
) -> None:
    assert (
        is_significant(Decimal(budget), Decimal(realised), Decimal(20)) is significant
    )


def test_figures_count_accepted_lines_only_and_prorate_each_planned_line() -> None:
    plan = [
        an_expense(amount=Decimal("1000.00")).line("p-1"),
        an_expense(partner_id=LAB, amount=Decimal("333.33")).line("p-2"),
    ]
    declared = [
        accepted("400.00"),
        accepted("99.99", partner=LAB),
        accepted("500.00", ok=False),
    ]

    figures = report_figures(
        plan,
        declared,
        share=Decimal(1) / Decimal(3),
        threshold=Decimal(20),
        partners=[LAB, LEAD],
    )

    travel = next(v for v in figures.by_category if v.key == "travel")
    assert travel.budget == Decimal("333.33") + Decimal("111.11")
    assert travel.realised == Decimal("499.99")
    assert not travel.significant  # 12.50 %: within 20 %
    assert [v.key for v in figures.by_partner] == [LAB, LEAD]
    assert sum(v.budget for v in figures.by_partner) == figures.budget
    assert figures.realised == Decimal("499.99")
    assert figures.to_explain == ()
    assert travel.rate == Decimal("12.50")


def _figures(realised: str = "100", significant: bool = False) -> ReportFigures:
    return report_figures(
        [an_expense(amount=Decimal("100")).line("p-1")],
        [accepted(realised)],
        share=ONE,
        threshold=Decimal(20) if not significant else Decimal(0),
    )


def test_a_report_is_certified_with_a_name_and_a_capacity(acting: str) -> None:
    report = FinancialReport.open("c-1", FINAL, "")

    report.certify(
        "  Claire   Fontaine ", "Présidente", _figures(), statements_waiting=False
    )

    assert report.certified
    assert report.signatory == "Claire Fontaine"


@pytest.mark.parametrize(
    ("signatory", "capacity", "code"),
    [
        ("", "Présidente", "financial_report.signatory_required"),
        ("Claire", " ", "financial_report.capacity_required"),
        ("x" * 201, "Présidente", "plan.text_too_long"),
    ],
)
def test_a_certification_needs_a_name_and_a_capacity(
    acting: str, signatory: str, capacity: str, code: str
) -> None:
    report = FinancialReport.open("c-1", FINAL, "")

    with pytest.raises(RuleViolated) as refused:
        report.certify(signatory, capacity, _figures(), statements_waiting=False)

    assert refused.value.code == code
    assert not report.certified


def test_a_report_is_certified_once(acting: str) -> None:
    report = FinancialReport.open("c-1", FINAL, "")
    report.certify("Claire", "Présidente", _figures(), statements_waiting=False)

    with pytest.raises(RuleViolated) as refused:
        report.certify("Paul", "Vice-président", _figures(), statements_waiting=False)

    assert refused.value.code == "financial_report.certified"


def test_an_explanation_clears_a_significant_variance_for_certification(
    acting: str,
) -> None:
    report = FinancialReport.open("c-1", FINAL, "")
    figures = _figures("50", significant=True)
    with pytest.raises(RuleViolated):
        report.certify("Claire", "Présidente", figures, statements_waiting=False)

    report.explain(CostCategory.TRAVEL, "Moins de déplacements.")
    report.certify("Claire", "Présidente", figures, statements_waiting=False)

    assert report.explanations == {"travel": "Moins de déplacements."}


@pytest.mark.parametrize(
    ("category", "text", "code"),
    [
        (CostCategory.INDIRECT, "Forfait.", "financial_report.category_not_compared"),
        (CostCategory.STAFF, "   ", "financial_report.explanation_required"),
        (CostCategory.STAFF, "x" * 2001, "plan.text_too_long"),
    ],
)
def test_a_bad_explanation_is_refused_naming_its_input(
    acting: str, category: CostCategory, text: str, code: str
) -> None:
    report = FinancialReport.open("c-1", FINAL, "")

    with pytest.raises(RuleViolated) as refused:
        report.explain(category, text)

    assert refused.value.code == code
    assert report.explanations == {}


def test_the_same_explanation_twice_is_not_a_new_fact(acting: str) -> None:
    report = FinancialReport.open("c-1", FINAL, "")
    report.explain(CostCategory.STAFF, "Décalé.")

    with pytest.raises(RuleViolated) as refused:
        report.explain(CostCategory.STAFF, " Décalé. ")

    assert refused.value.code == "financial_report.unchanged"
    assert len(report.pending_events) == 2
