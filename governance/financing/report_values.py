"""The figures of a financial report (compte rendu financier, CERFA 15059 model).

A financial report compares the budget with what was realised, category by category
and partner by partner, and names the variances the coordinator must explain before
the report is certified. "Realised" is what the financer accepted: the lines of
accepted statements it did not refuse, of one reporting period (a period's report)
or of every period (the final report, ``FINAL``).

The budget of a period is the plan in force pro rata temporis: its share of the
eligible period (``period_share``); the final report compares with the whole plan.
A variance is significant when it is beyond the share the convention lets a partner
move between categories (``FundingRules.reallocation_share``, 20 % unless set): the
funder expects it explained. Pure functions over plain facts; money in euro cents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from governance.financing.realised import DeclaredLine
from governance.financing.values import (
    DIRECT_CATEGORIES,
    HUNDRED,
    CostCategory,
    ExpenseLine,
    to_cents,
)

FINAL = "final"
"""The scope of the final report (every period); a period's is its report's id."""

# Fixed forever: changing it would give every report a second, empty aggregate.
REPORT_NAMESPACE = UUID("0c4f6b1e-92a7-4d38-b5e1-7f3a2c9d8e61")
ZERO = Decimal(0)
ONE = Decimal(1)
MAX_EXPLANATION = 2000
MAX_NAME = 200


def financial_report_id(consortium_id: str, scope: str) -> UUID:
    """The id of a consortium's financial report of one period, or the final one."""
    return uuid5(
        REPORT_NAMESPACE, f"/consortia/{consortium_id}/financial-reports/{scope}"
    )


def period_share(
    period: tuple[date | None, date | None],
    eligible: tuple[date | None, date | None],
) -> Decimal:
    """The share of the eligible period a reporting period covers (0 to 1).

    Days are counted inclusively. When either period is not known in full the
    share is 1: the period is compared with the whole budget.
    """
    start, end = period
    first, last = eligible
    if start is None or end is None or first is None or last is None:
        return ONE
    eligible_days = (last - first).days + 1
    covered = (min(end, last) - max(start, first)).days + 1
    if eligible_days <= 0 or covered <= 0:
        return ONE if eligible_days <= 0 else ZERO
    return min(Decimal(covered) / Decimal(eligible_days), ONE)


@dataclass(frozen=True)
class Variance:
    """One row of the report: the budget, what was realised, and the difference."""

    key: str
    budget: Decimal
    realised: Decimal
    significant: bool = False

    @property
    def variance(self) -> Decimal:
        """Realised less budget (negative: under budget)."""
        return self.realised - self.budget

    @property
    def rate(self) -> Decimal | None:
        """The variance as a percent of the budget (None without a budget)."""
        if self.budget <= 0:
            return None
        return to_cents(self.variance * HUNDRED / self.budget)


def is_significant(budget: Decimal, realised: Decimal, threshold: Decimal) -> bool:
    """Whether a variance is beyond ``threshold`` percent of the budget (any
    realised amount without a budget is)."""
    if budget <= 0:
        return realised > 0
    return abs(realised - budget) * HUNDRED > threshold * budget


@dataclass(frozen=True)
class ReportFigures:
    """Budget against accepted expenses, by category and by partner."""

    share: Decimal
    threshold: Decimal
    by_category: tuple[Variance, ...]
    by_partner: tuple[Variance, ...]

    @property
    def budget(self) -> Decimal:
        return sum((v.budget for v in self.by_category), ZERO)

    @property
    def realised(self) -> Decimal:
        return sum((v.realised for v in self.by_category), ZERO)

    @property
    def total(self) -> Variance:
        return Variance("total", self.budget, self.realised)

    @property
    def to_explain(self) -> tuple[CostCategory, ...]:
        """The categories whose variance the funder expects explained."""
        return tuple(CostCategory(v.key) for v in self.by_category if v.significant)


def _sums(
    planned: Iterable[ExpenseLine],
    accepted: Iterable[DeclaredLine],
    share: Decimal,
    key_planned: Callable[[ExpenseLine], str],
    key_accepted: Callable[[DeclaredLine], str],
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    # Each planned line is prorated and rounded on its own: grouped by category
    # or by partner, the budgets add up to the same total.
    budget: dict[str, Decimal] = {}
    realised: dict[str, Decimal] = {}
    for line in planned:
        k = key_planned(line)
        budget[k] = budget.get(k, ZERO) + to_cents(line.amount * share)
    for item in accepted:
        if item.accepted:
            k = key_accepted(item)
            realised[k] = realised.get(k, ZERO) + item.line.eligible
    return budget, realised


def report_figures(
    planned: Sequence[ExpenseLine],
    declared: Sequence[DeclaredLine],
    *,
    share: Decimal,
    threshold: Decimal,
    partners: Sequence[str] = (),
) -> ReportFigures:
    """The report's figures: ``planned`` the plan in force's expense lines,
    ``declared`` the lines of the statements in the report's scope (only accepted
    ones count), ``share`` of the budget compared, ``threshold`` a percent.

    Categories come in the plan's order, every direct one listed; partners in the
    order given, then any other with a budget or an accepted line. Each planned
    line's share is rounded to the cent; the cells and totals add them up.
    """
    budget, realised = _sums(
        planned,
        declared,
        share,
        lambda line: line.category.value,
        lambda item: item.line.category.value,
    )
    by_category = tuple(
        Variance(
            c.value,
            budget.get(c.value, ZERO),
            realised.get(c.value, ZERO),
            is_significant(
                budget.get(c.value, ZERO), realised.get(c.value, ZERO), threshold
            ),
        )
        for c in DIRECT_CATEGORIES
    )
    p_budget, p_realised = _sums(
        planned,
        declared,
        share,
        lambda line: line.partner_id,
        lambda item: item.partner_id,
    )
    order = list(dict.fromkeys([*partners, *p_budget, *p_realised]))
    by_partner = tuple(
        Variance(p, p_budget.get(p, ZERO), p_realised.get(p, ZERO))
        for p in order
        if p in p_budget or p in p_realised
    )
    return ReportFigures(share, threshold, by_category, by_partner)
