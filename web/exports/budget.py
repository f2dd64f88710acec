"""The financing plan as an Excel workbook: the plan's tables, then every line.

The first sheet holds the partner × category table (contributions in kind valued),
the resources table, the funder's rate and the checks in words; the second every
line of the draft. Headers and words are in the reader's language; amounts are
numbers, never text; every text cell is neutralised against formula injection
(``web.exports.ledger.neutralise``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from governance.financing.values import ResourceSource
from governance.values import ContributionKind, Funding
from projections.budget_summary import Budget
from web.exports.ledger import AMOUNT_FORMAT, neutralise
from web.i18n import N_, format_rate, gettext_
from web.presentation.budget import TableRow, plan_tables
from web.presentation.budget_words import check_message
from web.presentation.labels import label

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | Decimal | int | None


@dataclass(frozen=True)
class BudgetExport:
    """What the workbook holds: the consortium's name and its plan."""

    consortium_name: str
    budget: Budget


def _append(sheet: Worksheet, values: Sequence[Cell], *, bold: bool = False) -> None:
    sheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal | float | int) and not isinstance(
            cell.value, bool
        ):
            cell.number_format = AMOUNT_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _table(
    sheet: Worksheet, headers: list[str], rows: tuple[TableRow, ...], totals: TableRow
) -> None:
    _append(sheet, headers, bold=True)
    for row in rows:
        _append(sheet, [row.name, *row.cells, row.total])
    _append(sheet, [gettext_(N_("Total")), *totals.cells, totals.total], bold=True)


def _plan_sheet(sheet: Worksheet, export: BudgetExport) -> None:
    budget = export.budget
    tables = plan_tables(budget.draft, budget.names)
    partner, total = gettext_(N_("Partner")), gettext_(N_("Total"))
    _append(sheet, [gettext_(N_("Financing plan")), export.consortium_name], bold=True)
    _append(sheet, [])
    _append(sheet, [gettext_(N_("Expenses"))], bold=True)
    _table(
        sheet,
        [
            partner,
            *(label(c) for c in tables.categories),
            gettext_(N_("Contributions in kind")),
            total,
        ],
        tables.expenses,
        tables.expense_totals,
    )
    _append(sheet, [])
    _append(sheet, [gettext_(N_("Resources"))], bold=True)
    _table(
        sheet,
        [partner, *(label(s) for s in tables.sources), total],
        tables.resources,
        tables.resource_totals,
    )
    _append(sheet, [])
    _append(
        sheet,
        [
            gettext_(N_("Grant requested over costs")),
            format_rate(budget.draft.figures.funder_rate),
        ],
    )
    _append(sheet, [])
    _append(sheet, [gettext_(N_("Checks"))], bold=True)
    for check in budget.draft.checks:
        _append(sheet, [check_message(check.code, check.params)])
    if not budget.draft.checks:
        _append(sheet, [gettext_(N_("Nothing to report."))])
    sheet.column_dimensions["A"].width = 36


def _lines_sheet(sheet: Worksheet, export: BudgetExport) -> None:
    budget, names = export.budget, export.budget.names
    content = budget.draft.content
    _append(
        sheet,
        [
            gettext_(N_("Side")),
            gettext_(N_("Partner")),
            gettext_(N_("Category or source")),
            gettext_(N_("Public body")),
            gettext_(N_("What for")),
            gettext_(N_("Person-days")),
            gettext_(N_("Daily rate")),
            gettext_(N_("Amount")),
            gettext_(N_("Year")),
            gettext_(N_("Work package or axis")),
        ],
        bold=True,
    )
    for e in content.expenses:
        _append(
            sheet,
            [
                gettext_(N_("Expense")),
                names.get(e.partner_id, e.partner_id),
                label(e.category),
                "",
                e.label,
                e.person_days,
                e.daily_rate,
                e.amount,
                e.year,
                e.work_package,
            ],
        )
    for r in content.resources:
        _append(
            sheet,
            [
                gettext_(N_("Resource")),
                names.get(r.partner_id, r.partner_id),
                label(r.source),
                label(r.public_funder),
                r.label,
                None,
                None,
                r.amount,
                r.year,
                "",
            ],
        )
    for c in content.contributions:
        if c.euros is None:
            continue
        if c.funding is not Funding.CO_FINANCING:
            continue
        source = (
            ResourceSource.OWN_FUNDS
            if c.kind is ContributionKind.FINANCIAL
            else ResourceSource.IN_KIND
        )
        _append(
            sheet,
            [
                gettext_(N_("Commitment")),
                names.get(c.partner_id, c.partner_id),
                label(source),
                "",
                c.covers,
                None,
                None,
                c.euros,
                None,
                "",
            ],
        )
    for column in "BCE":
        sheet.column_dimensions[column].width = 30


def budget_xlsx(export: BudgetExport) -> bytes:
    """The plan as an Excel workbook."""
    workbook = Workbook()
    plan = workbook.active
    assert plan is not None  # noqa: S101 - a new workbook has one sheet
    plan.title = gettext_(N_("Financing plan"))[:31]
    _plan_sheet(plan, export)
    _lines_sheet(workbook.create_sheet(gettext_(N_("Lines"))[:31]), export)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
