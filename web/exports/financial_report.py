"""A financial report as an Excel workbook, in the reader's language.

The first sheet follows the report's sections (the project and the grant, expenses
by category and by partner, resources, variances explained, certification); the
second lists every accepted expense line the realised column adds up, so a reader
can reconcile the report with the statements to the cent. Amounts are numbers
(``Decimal``, never floats nor text); every text cell is neutralised against
formula injection (``web.exports.ledger.neutralise``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from web.exports.ledger import AMOUNT_FORMAT, DATE_FORMAT, neutralise
from web.i18n import N_, format_rate, gettext_
from web.presentation.financial_report import ReportDocument, VarianceRow
from web.presentation.financial_report_words import SECTIONS

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | Decimal | int | date | None


def _append(sheet: Worksheet, values: Sequence[Cell], *, bold: bool = False) -> None:
    sheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal | int) and not isinstance(cell.value, bool):
            cell.number_format = AMOUNT_FORMAT
        elif isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _variance_table(
    sheet: Worksheet, first: str, rows: list[VarianceRow], total: VarianceRow
) -> None:
    _append(
        sheet,
        [
            first,
            gettext_(N_("Budget")),
            gettext_(N_("Realised (accepted)")),
            gettext_(N_("Variance")),
            gettext_(N_("Variance rate")),
        ],
        bold=True,
    )
    for row in [*rows, total]:
        _append(
            sheet,
            [row.name, row.budget, row.realised, row.variance, format_rate(row.rate)],
            bold=row is total,
        )
    _append(sheet, [])


def _report_sheet(sheet: Worksheet, document: ReportDocument) -> None:
    view = document.view
    _append(sheet, [document.title], bold=True)
    _append(sheet, [])
    _append(sheet, [gettext_(SECTIONS["identification"])], bold=True)
    for key, value in document.identification:
        _append(sheet, [key, value])
    _append(sheet, [document.basis])
    _append(sheet, [])
    _append(sheet, [gettext_(SECTIONS["expenses"])], bold=True)
    _variance_table(
        sheet, gettext_(N_("Category")), document.by_category, document.total
    )
    _append(sheet, [gettext_(SECTIONS["partners"])], bold=True)
    _variance_table(sheet, gettext_(N_("Partner")), document.by_partner, document.total)
    _append(sheet, [gettext_(SECTIONS["resources"])], bold=True)
    _append(
        sheet,
        [gettext_(N_("Source")), gettext_(N_("Planned")), gettext_(N_("Received"))],
        bold=True,
    )
    resources = document.resources
    for r in resources:
        received = r.received if r.received is not None else "—"
        _append(sheet, [r.name, r.planned, received], bold=r is resources[-1])
    _append(sheet, [])
    _append(sheet, [gettext_(SECTIONS["variances"])], bold=True)
    _append(sheet, [document.threshold_text])
    for row in document.to_explain:
        _append(
            sheet,
            [row.name, row.explanation or gettext_(N_("Not explained yet."))],
        )
    if not document.to_explain:
        _append(sheet, [gettext_(N_("No variance beyond the threshold."))])
    _append(sheet, [document.indirect_text])
    _append(sheet, [])
    _append(sheet, [gettext_(SECTIONS["certification"])], bold=True)
    _append(sheet, [document.certification_text])
    if view.waiting:
        _append(
            sheet,
            [gettext_(N_("Some statements of this report await the funder's review."))],
        )
    sheet.column_dimensions["A"].width = 45
    for column in "BCDE":
        sheet.column_dimensions[column].width = 18
    for cells in sheet.iter_rows():
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")


def _lines_sheet(sheet: Worksheet, document: ReportDocument) -> None:
    _append(
        sheet,
        [
            gettext_(N_("Report")),
            gettext_(N_("Partner")),
            gettext_(N_("Date")),
            gettext_(N_("Category")),
            gettext_(N_("What for")),
            gettext_(N_("Supplier")),
            gettext_(N_("Invoice number")),
            gettext_(N_("Eligible amount")),
        ],
        bold=True,
    )
    for line in document.lines:
        _append(
            sheet,
            [
                line.period,
                line.partner,
                line.spent_on,
                line.category,
                line.label,
                line.supplier,
                line.invoice,
                line.amount,
            ],
        )
    _append(
        sheet,
        [gettext_(N_("Total")), "", "", "", "", "", "", document.view.accepted_total],
        bold=True,
    )
    for column in "ABE":
        sheet.column_dimensions[column].width = 30


def financial_report_xlsx(document: ReportDocument) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    report = book.active
    assert report is not None  # noqa: S101 - a new workbook has its first sheet
    report.title = gettext_(N_("Financial report"))[:31]
    _report_sheet(report, document)
    _lines_sheet(book.create_sheet(gettext_(N_("Accepted expenses"))[:31]), document)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
