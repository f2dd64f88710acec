"""The application file as a PDF: the consortium presented to a funder.

Built from what is recorded (``projections.application_file``), in the reader's
language: the call, the consortium's presentation, one sheet per active partner
(kind, role, axis and what it brings), the governance bodies and their rules in
words, the financing plan in force (totals and one line per partner), the
indicators, the letters and agreements filed with their signatures, and the call's
rules with the consortium's checks against them. Fonts and characters as the
decision log's PDF (``decisions_pdf``): standard Helvetica, Windows-1252 text.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from projections.application_file import ApplicationFile, PartnerSheet
from web.exports.decisions_pdf import (
    LINE,
    MARGIN,
    PDF_FONT,
    NumberedPdf,
    pdf_text,
)
from web.i18n import N_, format_day, format_moment, format_money, format_rate, gettext_
from web.presentation.budget_words import check_message
from web.presentation.call_words import call_check
from web.presentation.decisions import rule_sentence
from web.presentation.labels import in_unit, label

KEY_WIDTH = 52.0
SECTION_MIN_SPACE = 40.0


def _heading(pdf: FPDF, text: str, size: float) -> None:
    if size >= 13 and pdf.will_page_break(SECTION_MIN_SPACE):
        pdf.add_page()
    pdf.set_font(PDF_FONT, style="B", size=size)
    pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, *, size: float = 10) -> None:
    pdf.set_font(PDF_FONT, size=size)
    pdf.multi_cell(0, LINE, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _field(pdf: FPDF, key: str, value: str) -> None:
    """A key in bold on the left, its value wrapped on the right."""
    if pdf.will_page_break(LINE):
        pdf.add_page()
    pdf.set_font(PDF_FONT, style="B", size=9)
    pdf.cell(KEY_WIDTH, LINE, pdf_text(key))
    pdf.set_font(PDF_FONT, size=9)
    pdf.multi_cell(0, LINE, pdf_text(value or "—"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullet(pdf: FPDF, text: str) -> None:
    pdf.set_x(MARGIN + 4)
    pdf.set_font(PDF_FONT, size=9)
    pdf.multi_cell(0, LINE, pdf_text(f"• {text}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _front(pdf: FPDF, file: ApplicationFile, generated_at: datetime) -> None:
    details = file.details
    title = details.name + (f" ({details.acronym})" if details.acronym else "")
    _heading(pdf, title, 18)
    _heading(pdf, gettext_(N_("Application file")), 14)
    call = details.call
    _field(pdf, gettext_(N_("Call for projects")), call.name)
    _field(pdf, gettext_(N_("Funder")), call.funder)
    if call.reference:
        _field(pdf, gettext_(N_("Reference")), call.reference)
    if call.closing_dates:
        closing = ", ".join(format_day(d) for d in call.closing_dates)
        _field(pdf, gettext_(N_("Closing dates")), closing)
    _field(pdf, gettext_(N_("Territory")), details.territory)
    _field(pdf, gettext_(N_("Generated on")), format_moment(generated_at, "long"))
    pdf.ln(2)
    if details.summary:
        _paragraph(pdf, details.summary)
    pdf.ln(3)


def _brings(sheet: PartnerSheet) -> list[str]:
    return [
        f"{label(c.kind)}: {in_unit(c.amount, c.unit)}"
        + (f", {c.covers}" if c.covers else "")
        + f" ({label(c.funding)})"
        for c in sheet.brings
    ]


def _partners(pdf: FPDF, file: ApplicationFile) -> None:
    _heading(pdf, gettext_(N_("Partners")), 14)
    for sheet in file.sheets:
        p = sheet.partner
        if pdf.will_page_break(25):
            pdf.add_page()
        _heading(pdf, p.name, 11)
        _field(pdf, gettext_(N_("Kind")), label(p.kind))
        _field(pdf, gettext_(N_("Role")), label(p.role))
        _field(pdf, gettext_(N_("Axis")), p.axis)
        brings = _brings(sheet)
        _field(pdf, gettext_(N_("What it brings")), "" if brings else "—")
        for line in brings:
            _bullet(pdf, line)
        pdf.ln(2)


def _governance(pdf: FPDF, file: ApplicationFile) -> None:
    _heading(pdf, gettext_(N_("Governance")), 14)
    if not file.bodies:
        _paragraph(pdf, gettext_(N_("No governance body is established yet.")))
    for body in file.bodies:
        _heading(pdf, body.name, 11)
        _field(pdf, gettext_(N_("Rule")), rule_sentence(body.rule))
        members = ", ".join(
            f"{file.names.get(pid, pid)} ({weight})"
            for pid, weight in body.members.items()
        )
        _field(pdf, gettext_(N_("Members (weight)")), members)
        pdf.ln(1)
    pdf.ln(2)


def _plan(pdf: FPDF, file: ApplicationFile) -> None:
    _heading(pdf, gettext_(N_("Financing plan")), 14)
    draft = file.budget.draft
    if draft.empty:
        _paragraph(pdf, gettext_(N_("No financing plan yet.")))
        return
    figures = draft.figures
    _field(pdf, gettext_(N_("Expenses")), format_money(figures.total_expenses))
    _field(pdf, gettext_(N_("Resources")), format_money(figures.total_resources))
    requested = format_money(figures.requested)
    if figures.funder_rate is not None:
        rate = gettext_(N_("%(rate)s of the costs")) % {
            "rate": format_rate(figures.funder_rate)
        }
        requested += f" ({rate})"
    _field(pdf, gettext_(N_("Grant requested")), requested)
    pdf.ln(1)
    for f in figures.partners:
        words = gettext_(
            N_("costs %(costs)s, resources %(resources)s, grant requested %(grant)s")
        ) % {
            "costs": format_money(f.total_costs),
            "resources": format_money(f.total_resources),
            "grant": format_money(f.requested),
        }
        _bullet(pdf, f"{file.names.get(f.partner_id, f.partner_id)}: {words}")
    for warning in draft.checks:
        _bullet(pdf, check_message(warning.code, warning.params))
    pdf.ln(2)


def _indicators(pdf: FPDF, file: ApplicationFile) -> None:
    _heading(pdf, gettext_(N_("Indicators")), 14)
    if not file.indicators:
        _paragraph(pdf, gettext_(N_("No indicator is defined yet.")))
    for i in file.indicators:
        words = gettext_(N_("from %(baseline)s to %(target)s %(unit)s by %(day)s")) % {
            "baseline": i.baseline,
            "target": i.target,
            "unit": i.unit,
            "day": format_day(i.target_on),
        }
        _bullet(pdf, f"{i.name}: {words}")
    pdf.ln(2)


def _documents(pdf: FPDF, file: ApplicationFile) -> None:
    _heading(pdf, gettext_(N_("Letters and agreements")), 14)
    if not file.documents:
        _paragraph(pdf, gettext_(N_("No document is filed yet.")))
    for d in file.documents:
        line = f"{label(d.kind)}: {d.title}"
        if d.partner_id:
            line += f" ({file.names.get(d.partner_id, d.partner_id)})"
        _bullet(pdf, line)
        for s in d.signatures:
            signed = gettext_(N_("signed for %(partner)s by %(person)s on %(day)s")) % {
                "partner": file.names.get(s.partner_id, s.partner_id),
                "person": s.signed_by,
                "day": format_day(s.signed_on),
            }
            pdf.set_x(MARGIN + 8)
            _paragraph(pdf, signed, size=8)
    pdf.ln(2)


def _call_rules(pdf: FPDF, file: ApplicationFile) -> None:
    view = file.call
    if view.recorded is None:
        return
    _heading(pdf, gettext_(N_("The consortium against the call's rules")), 14)
    if not view.checks:
        _paragraph(
            pdf,
            gettext_(N_("The consortium meets every rule of the call recorded here.")),
        )
    for warning in view.checks:
        _bullet(pdf, call_check(warning.code, warning.params))


def application_pdf(file: ApplicationFile, generated_at: datetime) -> bytes:
    """The application file as PDF bytes."""
    pdf = NumberedPdf(pdf_text(file.details.name))
    pdf.set_title(pdf_text(file.details.name))
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    _front(pdf, file, generated_at)
    _partners(pdf, file)
    _governance(pdf, file)
    _plan(pdf, file)
    _indicators(pdf, file)
    _documents(pdf, file)
    _call_rules(pdf, file)
    return bytes(pdf.output())
