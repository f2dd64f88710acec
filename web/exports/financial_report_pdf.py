"""A financial report as an A4 PDF, in the reader's language, ready to send.

The sections of the French compte rendu financier (CERFA 15059): the project and
the grant, expenses by category and by partner (budget, realised as accepted by the
funder, variance), resources planned and received, the variances explained, and
the certification (who, in which capacity, when). Amounts are written as the page
writes them (``format_money``). Fonts and characters as the decision log's PDF
(``web.exports.decisions_pdf``): the standard Helvetica in Windows-1252, every
text through ``pdf_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from web.exports.decisions_pdf import PDF_FONT, NumberedPdf, pdf_text
from web.i18n import N_, current_language, format_money, format_rate, gettext_
from web.presentation.financial_report import ReportDocument, VarianceRow
from web.presentation.financial_report_words import SECTIONS

MARGIN = 18.0
LINE = 5.5
NAME_WIDTH = 62.0
NUMBER_WIDTH = 27.0
PAGES_ALIAS = "\x1fnb\x1f"


def _heading(pdf: FPDF, text: str, size: float = 12) -> None:
    if pdf.will_page_break(25):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(PDF_FONT, style="B", size=size)
    pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, *, size: float = 9.5, bold: bool = False) -> None:
    pdf.set_font(PDF_FONT, style="B" if bold else "", size=size)
    pdf.multi_cell(0, LINE, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf: FPDF, cells: Sequence[str], *, bold: bool = False) -> None:
    """One table row: a name, then numbers aligned right."""
    if pdf.will_page_break(LINE):
        pdf.add_page()
    pdf.set_font(PDF_FONT, style="B" if bold else "", size=9)
    name, *numbers = cells
    pdf.cell(NAME_WIDTH, LINE, pdf_text(name)[:48], border="B")
    for number in numbers:
        pdf.cell(NUMBER_WIDTH, LINE, pdf_text(number), border="B", align="R")
    pdf.ln(LINE)


def _variances(
    pdf: FPDF, first: str, rows: list[VarianceRow], total: VarianceRow
) -> None:
    _row(
        pdf,
        [
            first,
            gettext_(N_("Budget")),
            gettext_(N_("Realised")),
            gettext_(N_("Variance")),
            gettext_(N_("Variance rate")),
        ],
        bold=True,
    )
    for row in [*rows, total]:
        mark = " *" if row.significant else ""
        _row(
            pdf,
            [
                row.name + mark,
                format_money(row.budget),
                format_money(row.realised),
                format_money(row.variance),
                format_rate(row.rate),
            ],
            bold=row is total,
        )


def _sections(pdf: FPDF, document: ReportDocument) -> None:
    _heading(pdf, gettext_(SECTIONS["identification"]))
    for key, value in document.identification:
        _paragraph(pdf, f"{key}: {value or '—'}")
    _paragraph(pdf, document.basis)
    _heading(pdf, gettext_(SECTIONS["expenses"]))
    _variances(pdf, gettext_(N_("Category")), document.by_category, document.total)
    _paragraph(pdf, "* " + document.threshold_text, size=8)
    _heading(pdf, gettext_(SECTIONS["partners"]))
    _variances(pdf, gettext_(N_("Partner")), document.by_partner, document.total)
    _heading(pdf, gettext_(SECTIONS["resources"]))
    _row(
        pdf,
        [gettext_(N_("Source")), gettext_(N_("Planned")), gettext_(N_("Received"))],
        bold=True,
    )
    resources = document.resources
    for r in resources:
        received = format_money(r.received) if r.received is not None else "—"
        _row(
            pdf,
            [r.name, format_money(r.planned), received],
            bold=r is resources[-1],
        )
    _heading(pdf, gettext_(SECTIONS["variances"]))
    for row in document.to_explain:
        _paragraph(pdf, row.name, bold=True)
        _paragraph(pdf, row.explanation or gettext_(N_("Not explained yet.")))
    if not document.to_explain:
        _paragraph(pdf, gettext_(N_("No variance beyond the threshold.")))
    _paragraph(pdf, document.indirect_text)
    _heading(pdf, gettext_(SECTIONS["certification"]))
    _paragraph(pdf, document.certification_text)
    if document.view.waiting:
        _paragraph(
            pdf,
            gettext_(N_("Some statements of this report await the funder's review.")),
        )


def financial_report_pdf(
    document: ReportDocument, *, generated_at: datetime, compress: bool = True
) -> bytes:
    """The report as an A4 PDF. ``generated_at`` (timezone-aware) is the document's
    creation date; ``compress=False`` leaves the page contents readable."""
    pdf = NumberedPdf()
    pdf.set_compression(compress)
    pdf.set_title(f"{document.consortium_name} — {document.title}")
    pdf.set_creator("Consortium Ledger")
    pdf.set_lang(current_language.get())
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    _heading(pdf, document.consortium_name, 16)
    _heading(pdf, document.title, 14)
    _sections(pdf, document)
    return bytes(pdf.output())
