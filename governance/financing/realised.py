"""Budget against realised: what was planned, declared and accepted, and the checks.

Pure functions over plain facts (the plan's expense lines, the declared lines with
their fate). "Realised" counts every declared line the financer has not refused;
"accepted" only those of accepted statements. The checks speak like the ledger's
warnings: a line outside the eligible period, the same invoice or file twice, a
category over its budget, and categories moved beyond the share the convention
allows, which needs an amendment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from governance.financing.statement_values import StatementLine
from governance.financing.values import (
    HUNDRED,
    CostCategory,
    ExpenseLine,
    FundingRules,
    to_cents,
)
from governance.warnings import Warning

ZERO = Decimal(0)


@dataclass(frozen=True)
class DeclaredLine:
    """A declared line with whose it is and what became of it."""

    partner_id: str
    statement_id: str
    line: StatementLine
    refused: bool
    accepted: bool
    """The statement was accepted and this line not refused."""


@dataclass(frozen=True)
class Realised:
    """One cell of budget against realised."""

    planned: Decimal = ZERO
    declared: Decimal = ZERO
    realised: Decimal = ZERO
    accepted: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        """Realised over planned, a percent (None when nothing was planned)."""
        if self.planned <= 0:
            return None
        return to_cents(self.realised * HUNDRED / self.planned)

    def __add__(self, other: Realised) -> Realised:
        return Realised(
            self.planned + other.planned,
            self.declared + other.declared,
            self.realised + other.realised,
            self.accepted + other.accepted,
        )


Key = Callable[[str, CostCategory, str], str]
"""What a breakdown groups by, given the partner, the category and the work package."""

BY_PARTNER: Key = lambda partner, category, package: partner  # noqa: E731
BY_CATEGORY: Key = lambda partner, category, package: category.value  # noqa: E731
BY_WORK_PACKAGE: Key = lambda partner, category, package: package  # noqa: E731


def _planned(line: ExpenseLine) -> Realised:
    return Realised(planned=line.amount)


def _declared(item: DeclaredLine) -> Realised:
    amount = item.line.eligible
    return Realised(
        declared=amount,
        realised=ZERO if item.refused else amount,
        accepted=amount if item.accepted else ZERO,
    )


def breakdown(
    planned: Iterable[ExpenseLine], declared: Iterable[DeclaredLine], key: Key
) -> dict[str, Realised]:
    """Budget against realised grouped by ``key``: planned groups first, in order."""
    cells: dict[str, Realised] = defaultdict(Realised)
    for line in planned:
        k = key(line.partner_id, line.category, line.work_package)
        cells[k] = cells[k] + _planned(line)
    for item in declared:
        k = key(item.partner_id, item.line.category, item.line.work_package)
        cells[k] = cells[k] + _declared(item)
    return dict(cells)


def total(cells: Iterable[Realised]) -> Realised:
    """The sum of cells."""
    return sum(cells, Realised())


def _period_checks(
    declared: Sequence[DeclaredLine], rules: FundingRules
) -> list[Warning]:
    start, end = rules.eligible_from, rules.eligible_until
    return [
        Warning(
            "expenses.outside_eligible_period",
            item.partner_id,
            {
                "label": item.line.label,
                "on": item.line.spent_on,
                "from": start,
                "until": end,
            },
        )
        for item in declared
        if not item.refused
        and (
            (start is not None and item.line.spent_on < start)
            or (end is not None and item.line.spent_on > end)
        )
    ]


def _twice(declared: Sequence[DeclaredLine]) -> list[Warning]:
    invoices: dict[tuple[str, str], list[DeclaredLine]] = defaultdict(list)
    files: dict[str, list[DeclaredLine]] = defaultdict(list)
    for item in declared:
        line = item.line
        if item.refused:
            continue  # the financer has dealt with it
        if line.supplier and line.invoice_number:
            invoices[(line.supplier.casefold(), line.invoice_number.casefold())].append(
                item
            )
        if line.document is not None:
            files[line.document.sha256].append(item)
    found = [
        Warning(
            "expenses.same_invoice_twice",
            items[0].partner_id,
            {
                "supplier": items[0].line.supplier,
                "number": items[0].line.invoice_number,
                "count": len(items),
            },
        )
        for items in invoices.values()
        if len(items) > 1
    ]
    found += [
        Warning(
            "expenses.same_file_twice",
            items[0].partner_id,
            {
                "file": items[0].line.document.filename
                if items[0].line.document
                else "",
                "count": len(items),
            },
        )
        for items in files.values()
        if len(items) > 1
    ]
    return found


def _budget_checks(
    planned: Sequence[ExpenseLine],
    declared: Sequence[DeclaredLine],
    rules: FundingRules,
) -> list[Warning]:
    cells = breakdown(planned, declared, lambda p, c, w: f"{p}\x00{c.value}")
    found: list[Warning] = []
    moved: dict[str, Decimal] = defaultdict(Decimal)
    budget: dict[str, Decimal] = defaultdict(Decimal)
    for k, cell in cells.items():
        partner, category = k.split("\x00")
        budget[partner] += cell.planned
        if cell.realised > cell.planned:
            moved[partner] += cell.realised - cell.planned
            found.append(
                Warning(
                    "expenses.category_over_budget",
                    partner,
                    {
                        "category": category,
                        "realised": cell.realised,
                        "planned": cell.planned,
                    },
                )
            )
    for partner, amount in moved.items():
        allowed = to_cents(budget[partner] * rules.reallocation_share / HUNDRED)
        if amount > allowed:
            found.append(
                Warning(
                    "expenses.needs_amendment",
                    partner,
                    {
                        "moved": amount,
                        "allowed": allowed,
                        "share": rules.reallocation_share,
                    },
                )
            )
    return found


def expense_checks(
    planned: Sequence[ExpenseLine],
    declared: Sequence[DeclaredLine],
    rules: FundingRules,
) -> list[Warning]:
    """What a financer would frown at in the declared expenses, in words' codes.

    Without any planned expense there is no budget to compare with: only the
    period and the duplicates are checked.
    """
    found = _period_checks(declared, rules) + _twice(declared)
    if planned:
        found += _budget_checks(planned, declared, rules)
    return found
