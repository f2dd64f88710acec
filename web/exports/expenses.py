"""Expense statements as an Excel workbook: budget against realised, then the lines.

The first sheet holds budget against realised by partner, by category and by work
package, and the checks in words; the second every declared line (of one statement
when the export is of one), with the financer's refusals. Words are in the reader's
language; amounts are numbers, never text; every text cell is neutralised against
formula injection (``web.exports.ledger.neutralise``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from projections.expenses import StatementRow
from projections.expenses_summary import Expenses
from web.exports.ledger import AMOUNT_FORMAT, neutralise
from web.i18n import N_, format_day, gettext_
from web.presentation.expense_words import expense_check
from web.presentation.expenses import (
    Row,
    category_rows,
    partner_rows,
    work_package_rows,
)
from web.presentation.labels import label

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | Decimal | int | None


@dataclass(frozen=True)
class ExpensesExport:
    """What the workbook holds: the consortium's name, its expenses, and the one
    statement or reporting period exported (None: all of them)."""

    consortium_name: str
    expenses: Expenses
    statement_id: str | None = None
    obligation_id: str | None = None

    def exported(self, statement: StatementRow) -> bool:
        """Whether the lines of ``statement`` are in this export."""
        return (
            self.statement_id is None or statement.statement_id == self.statement_id
        ) and (
            self.obligation_id is None or statement.obligation_id == self.obligation_id
        )


def _append(sheet: Worksheet, values: Sequence[Cell], *, bold: bool = False) -> None:
    sheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal | float | int) and not isinstance(
            cell.value, bool
        ):
            cell.number_format = AMOUNT_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _table(sheet: Worksheet, title: str, rows: list[Row]) -> None:
    _append(sheet, [title], bold=True)
    _append(
        sheet,
        [
            "",
            gettext_(N_("Budgeted")),
            gettext_(N_("Declared")),
            gettext_(N_("Declared, not refused")),
            gettext_(N_("Accepted amount")),
        ],
        bold=True,
    )
    for row in rows:
        c = row.cell
        _append(sheet, [row.name, c.planned, c.declared, c.realised, c.accepted])
    _append(sheet, [])


def _summary_sheet(sheet: Worksheet, export: ExpensesExport) -> None:
    expenses = export.expenses
    names = expenses.names
    _append(
        sheet, [gettext_(N_("Expense statements")), export.consortium_name], bold=True
    )
    _append(sheet, [])
    _table(sheet, gettext_(N_("By partner")), partner_rows(expenses.by_partner, names))
    _table(sheet, gettext_(N_("By category")), category_rows(expenses.by_category))
    _table(
        sheet,
        gettext_(N_("By work package")),
        work_package_rows(expenses.by_work_package),
    )
    _append(sheet, [gettext_(N_("Checks"))], bold=True)
    for check in expenses.checks:
        _append(sheet, [expense_check(check, names)])
    if not expenses.checks:
        _append(sheet, [gettext_(N_("Nothing to report."))])
    sheet.column_dimensions["A"].width = 40


def _lines_sheet(sheet: Worksheet, export: ExpensesExport) -> None:
    expenses = export.expenses
    names = expenses.names
    titles = {p.obligation.obligation_id: p.obligation.title for p in expenses.periods}
    _append(
        sheet,
        [
            gettext_(N_("Report")),
            gettext_(N_("Partner")),
            gettext_(N_("Statement")),
            gettext_(N_("Date")),
            gettext_(N_("Category")),
            gettext_(N_("What for")),
            gettext_(N_("Work package or axis")),
            gettext_(N_("Supplier")),
            gettext_(N_("Invoice number")),
            gettext_(N_("Person-days")),
            gettext_(N_("Daily rate")),
            gettext_(N_("Excluding VAT")),
            gettext_(N_("Including VAT")),
            gettext_(N_("VAT recovered")),
            gettext_(N_("Eligible amount")),
            gettext_(N_("Refusal reason")),
            gettext_(N_("Comment")),
            gettext_(N_("Supporting document (SHA-256)")),
        ],
        bold=True,
    )
    for s in expenses.statements:
        if not export.exported(s):
            continue
        for r in s.lines:
            line = r.line
            _append(
                sheet,
                [
                    titles.get(s.obligation_id, ""),
                    names.get(s.partner_id, s.partner_id),
                    label(s.status),
                    format_day(line.spent_on, "short"),
                    label(line.category),
                    line.label,
                    line.work_package,
                    line.supplier,
                    line.invoice_number,
                    line.person_days,
                    line.daily_rate,
                    line.amount_excl,
                    line.amount_incl,
                    gettext_(N_("Yes")) if line.vat_recoverable else gettext_(N_("No")),
                    line.eligible,
                    label(r.refused),
                    r.refusal_comment,
                    line.document.sha256 if line.document else "",
                ],
            )
    for column in "ABF":
        sheet.column_dimensions[column].width = 30


def expenses_xlsx(export: ExpensesExport) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    summary = book.active
    assert summary is not None  # noqa: S101 - a new workbook has its first sheet
    summary.title = gettext_(N_("Budget and realised"))[:31]
    _summary_sheet(summary, export)
    _lines_sheet(book.create_sheet(gettext_(N_("Declared lines"))[:31]), export)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
