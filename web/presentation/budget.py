"""The financing plan shaped for its pages and export: the partner × category
table, the resources table, and two versions side by side.

Pure reshaping of ``PlanFigures``; the sums themselves are the domain's
(``governance.financing.figures``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from governance.financing.figures import ZERO, PlanFigures, share
from governance.financing.values import (
    DIRECT_CATEGORIES,
    CostCategory,
    PlanContent,
    ResourceSource,
)
from projections.budget_summary import Budget, PlanState, assess


@dataclass(frozen=True)
class TableRow:
    """One partner's line (or the totals line) of a table."""

    name: str
    cells: tuple[Decimal, ...]
    total: Decimal
    rate: Decimal | None = None


@dataclass(frozen=True)
class PlanTables:
    """The expense and resource tables of one plan."""

    categories: tuple[CostCategory, ...]
    expenses: tuple[TableRow, ...]
    expense_totals: TableRow
    sources: tuple[ResourceSource, ...]
    resources: tuple[TableRow, ...]
    resource_totals: TableRow


def categories_of(
    content: PlanContent, figures: PlanFigures
) -> tuple[CostCategory, ...]:
    """The direct categories, and indirect costs when the plan has some."""
    if content.rules.indirect_rate is not None or figures.cost(CostCategory.INDIRECT):
        return (*DIRECT_CATEGORIES, CostCategory.INDIRECT)
    return DIRECT_CATEGORIES


def plan_tables(state: PlanState, names: dict[str, str]) -> PlanTables:
    """The partner × category table (with contributions in kind) and the partner ×
    source table, each with its totals line."""
    figures = state.figures
    categories = categories_of(state.content, figures)
    sources = tuple(ResourceSource)
    expenses = tuple(
        TableRow(
            names.get(p.partner_id, p.partner_id),
            (*(p.cost(c) for c in categories), p.in_kind),
            p.total_expenses,
            p.funder_rate,
        )
        for p in figures.partners
    )
    resources = tuple(
        TableRow(
            names.get(p.partner_id, p.partner_id),
            tuple(p.resource(s) for s in sources),
            p.total_resources,
        )
        for p in figures.partners
    )
    return PlanTables(
        categories,
        expenses,
        TableRow(
            "",
            (*(figures.cost(c) for c in categories), figures.in_kind),
            figures.total_expenses,
            figures.funder_rate,
        ),
        sources,
        resources,
        TableRow(
            "",
            tuple(figures.resource(s) for s in sources),
            figures.total_resources,
        ),
    )


@dataclass(frozen=True)
class ComparedLine:
    """One figure of two plans, and how it moved."""

    key: str
    """What the line is: a category or source value, a partner's id, or a total."""
    left: Decimal
    right: Decimal

    @property
    def difference(self) -> Decimal:
        return self.right - self.left

    @property
    def change(self) -> Decimal | None:
        """The difference as a percent of the left figure."""
        return share(self.difference, self.left)


@dataclass(frozen=True)
class Comparison:
    """Two plans side by side: by category, by source, by partner, in total."""

    left: PlanState
    right: PlanState
    categories: tuple[ComparedLine, ...]
    sources: tuple[ComparedLine, ...]
    partners: tuple[ComparedLine, ...]
    totals: tuple[ComparedLine, ...]


def _side(budget: Budget, side: str) -> PlanState:
    if side == "draft":
        return budget.draft
    version = budget.version(int(side))
    if version is None:  # the route only asks for filed versions
        return budget.draft
    # A version is checked as it was filed: a partner that withdrew since was in.
    as_filed = tuple(replace(p, withdrawn_on=None) for p in budget.partners)
    return assess(version.content, as_filed)


def comparison(budget: Budget, left: str, right: str) -> Comparison:
    """``left`` and ``right`` ("draft" or a version's number) side by side."""
    return compare(_side(budget, left), _side(budget, right))


def compare(a: PlanState, b: PlanState) -> Comparison:
    """Two assessed plans side by side (an amendment's, for one)."""
    fa, fb = a.figures, b.figures
    partner_ids = list(dict.fromkeys([p.partner_id for p in fa.partners + fb.partners]))

    def partner_total(figures: PlanFigures, partner_id: str) -> Decimal:
        found = figures.partner(partner_id)
        return found.total_expenses if found is not None else ZERO

    return Comparison(
        a,
        b,
        tuple(
            ComparedLine(c.value, fa.cost(c), fb.cost(c))
            for c in CostCategory
            if fa.cost(c) or fb.cost(c)
        ),
        tuple(
            ComparedLine(s.value, fa.resource(s), fb.resource(s))
            for s in ResourceSource
            if fa.resource(s) or fb.resource(s)
        ),
        tuple(
            ComparedLine(p, partner_total(fa, p), partner_total(fb, p))
            for p in partner_ids
            if partner_total(fa, p) or partner_total(fb, p)
        ),
        (
            ComparedLine("expenses", fa.total_expenses, fb.total_expenses),
            ComparedLine("resources", fa.total_resources, fb.total_resources),
            ComparedLine("requested", fa.requested, fb.requested),
        ),
    )
