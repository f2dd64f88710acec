"""The decision log as a PDF record to annex to a report.

The CSV has one row per decision: the day, the body, the title, the kind (a vote on
the platform or a decision recorded from a meeting), the outcome, the tally, the rule
in words and the text. The tally is recomputed from the votes with
``governance.voting.tally``: the "for", "against" and "abstain" columns hold what
the rule counts (votes weighted by the members' weights; counts when every member
weighs 1), "taking part" the partners who voted, "members" how many sit in the body.
A decision recorded from a meeting has no votes: its tally columns stay empty, and
"taking part" and "partners present" tell who was there; its rule is not known
either (the meeting applied it), so that cell stays empty. Days are ISO
(``2026-03-02``), in Paris time; every text cell is neutralised against formula
injection with ``web.exports.ledger.neutralise``.

The PDF is an A4 record meant to be signed off: a header (consortium, when it was
generated, how many decisions), one section per decision (title, body, day, outcome,
rule, tally, each vote with its reason, the text), page numbers "page X / Y" in the
footer, and a closing "certified extract" block with lines for a name, a date and a
signature.

Fonts: fpdf2 2.8 bundles no Unicode font (no DejaVu), and a font installed by the
system may be missing, so the PDF embeds none and uses the standard Helvetica,
which every PDF reader has. Standard fonts are written with the WinAnsi
(Windows-1252) encoding, and fpdf2 lets text be encoded the same way
(``core_fonts_encoding``): so besides every Latin-1 letter (French accents) the PDF
keeps € œ Œ “ ” ‘ ’ – — … as they are. Any other character is replaced with a close
equivalent (see ``pdf_text``: ``→`` becomes ``->``, ``ő`` becomes ``o``, a narrow
no-break space a no-break space), else with ``?``; control characters become spaces.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from web.exports.decisions import DecisionRecord, decision_day, kind_words, option_words
from web.i18n import N_, current_language, format_day, format_moment, gettext_
from web.presentation.decisions import rule_sentence, tally_sentence
from web.presentation.labels import label

# PDF layout, in millimetres and points.
PDF_ENCODING = "windows-1252"
PDF_FONT = "helvetica"
MARGIN = 20.0
LINE = 5.0
KEY_WIDTH = 38.0
SECTION_MIN_SPACE = 45.0
CERTIFICATION_SPACE = 70.0
SIGNATURE_LINE = 80.0
# Stands for the page count until the document is closed; made of a control
# character that ``pdf_text`` never lets through, so no decision text can hold it.
PAGES_ALIAS = "\x1fnb\x1f"


# Characters outside Windows-1252, and what the PDF shows instead.
PDF_REPLACEMENTS = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2015": "—",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u2007": "\xa0",  # figure space
    "\u202f": "\xa0",  # narrow no-break space (French numbers and dates)
    "\u2060": "",  # word joiner
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",  # byte order mark
    "\u2190": "<-",
    "\u2192": "->",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u2713": "v",
    "\u2714": "v",
    "\u2717": "x",
    "\u0141": "L",  # Ł and the like have no decomposition
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
}


def _pdf_char(char: str) -> str:
    if char == "\n":
        return char
    if unicodedata.category(char) == "Cc":
        return " "
    if char in PDF_REPLACEMENTS:
        return PDF_REPLACEMENTS[char]
    try:
        char.encode(PDF_ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return char
    # A letter with a mark Windows-1252 lacks keeps its base letter ("ő" → "o");
    # compatibility forms their plain letters ("ﬁ" → "fi").
    kept = ""
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        try:
            part.encode(PDF_ENCODING)
        except UnicodeEncodeError:
            continue
        kept += part
    return kept or "?"


def pdf_text(value: str) -> str:
    """``value`` as the PDF's standard font can show it (Windows-1252).

    Accented letters composed (NFC) first; line breaks kept as ``\\n``, other control
    characters become spaces; characters outside Windows-1252 become a close
    equivalent, else ``?``.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(_pdf_char(char) for char in text)


class NumberedPdf(FPDF):
    """A4 pages numbered "page X / Y", with ``running_title`` atop every page after
    the first (none when empty): the decision log, the application file and the
    financial report share it."""

    def __init__(self, running_title: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = running_title
        self.core_fonts_encoding = PDF_ENCODING
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)

    def header(self) -> None:
        if self.page_no() == 1 or not self.running_title:
            return
        self.set_font(PDF_FONT, size=8)
        self.set_text_color(90)
        self.cell(0, LINE, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-MARGIN + 5)
        self.set_font(PDF_FONT, size=8)
        self.set_text_color(90)
        words = pdf_text(gettext_(N_("page %(page)s / %(pages)s")))
        self.cell(
            0,
            LINE,
            words % {"page": self.page_no(), "pages": PAGES_ALIAS},
            align="C",
        )
        self.set_text_color(0)


def _heading(pdf: FPDF, text: str, size: float) -> None:
    pdf.set_font(PDF_FONT, style="B", size=size)
    pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


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


def _title_block(
    pdf: FPDF, consortium_name: str, generated_at: datetime, count: int
) -> None:
    _heading(pdf, consortium_name, 18)
    pdf.ln(1)
    _heading(pdf, gettext_(N_("Decision log")), 14)
    pdf.ln(3)
    _field(pdf, gettext_(N_("Generated on")), format_moment(generated_at, "long"))
    _field(pdf, gettext_(N_("Number of decisions")), str(count))
    pdf.ln(2)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)


def _votes_block(pdf: FPDF, record: DecisionRecord) -> None:
    pdf.set_font(PDF_FONT, style="B", size=9)
    pdf.cell(
        0, LINE, pdf_text(gettext_(N_("Votes"))), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if not record.votes:
        _paragraph(pdf, gettext_(N_("No vote was cast.")), size=9)
        return
    for vote in record.votes:
        line = f"{record.name_of(vote.partner_id)}: {option_words(vote.option)}"
        if vote.reason:
            line += f" — {vote.reason}"
        pdf.set_x(MARGIN + 4)
        pdf.set_font(PDF_FONT, size=9)
        pdf.multi_cell(
            0, LINE, pdf_text(f"• {line}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _decision_section(pdf: FPDF, number: int, record: DecisionRecord) -> None:
    decision = record.decision
    if pdf.will_page_break(SECTION_MIN_SPACE):
        pdf.add_page()
    _heading(pdf, f"{number}. {decision.title}", 12)
    pdf.ln(1)
    _field(pdf, gettext_(N_("Body")), record.body_name)
    _field(pdf, gettext_(N_("Date")), format_day(decision_day(decision)))
    _field(pdf, gettext_(N_("Kind")), kind_words(decision))
    _field(pdf, gettext_(N_("Outcome")), label(decision.outcome))
    counted = record.tally()
    if counted is None:
        present = [record.name_of(partner) for partner in decision.present]
        _field(pdf, gettext_(N_("Partners present")), ", ".join(present))
    else:
        _field(pdf, gettext_(N_("Rule")), rule_sentence(decision.rule))
        _field(
            pdf,
            gettext_(N_("Tally")),
            tally_sentence(counted, decision.rule, closed=True),
        )
    if decision.vetoed_by is not None:
        vetoed = f"{record.name_of(decision.vetoed_by)}: {decision.veto_reason}"
        _field(pdf, gettext_(N_("Vetoed by")), vetoed)
    if decision.document is not None:
        document = decision.document
        _field(
            pdf,
            gettext_(N_("Evidence")),
            f"{document.filename} (SHA-256 {document.sha256})",
        )
    if counted is not None:
        pdf.ln(1)
        _votes_block(pdf, record)
    pdf.ln(1)
    pdf.set_font(PDF_FONT, style="B", size=9)
    pdf.cell(
        0, LINE, pdf_text(gettext_(N_("Text"))), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    _paragraph(pdf, decision.text or "—", size=10)
    pdf.ln(6)


def _signature_line(pdf: FPDF, key: str) -> None:
    pdf.set_font(PDF_FONT, size=10)
    pdf.cell(KEY_WIDTH, 10, pdf_text(key))
    y = pdf.get_y() + 8
    pdf.line(MARGIN + KEY_WIDTH, y, MARGIN + KEY_WIDTH + SIGNATURE_LINE, y)
    pdf.ln(12)


def _certification(pdf: FPDF, consortium_name: str, generated_at: datetime) -> None:
    if pdf.will_page_break(CERTIFICATION_SPACE):
        pdf.add_page()
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)
    _heading(pdf, gettext_(N_("Certified extract of the decision log")), 12)
    pdf.ln(2)
    sentence = gettext_(
        N_(
            "Certified true to the decision log of %(consortium)s as it stood on "
            "%(moment)s."
        )
    ) % {"consortium": consortium_name, "moment": format_moment(generated_at, "long")}
    _paragraph(pdf, sentence)
    pdf.ln(4)
    _signature_line(pdf, gettext_(N_("Name and role")))
    _signature_line(pdf, gettext_(N_("Date")))
    _signature_line(pdf, gettext_(N_("Signature")))


def decisions_pdf(
    records: list[DecisionRecord],
    *,
    consortium_name: str,
    generated_at: datetime,
    compress: bool = True,
) -> bytes:
    """The decision log as an A4 PDF record, in the order given, ready to sign.

    ``generated_at`` (timezone-aware) is printed and is the document's creation date,
    so the same log gives the same file. ``compress=False`` leaves the page contents
    readable (for tests).
    """
    title = gettext_(N_("Decision log"))
    pdf = NumberedPdf(pdf_text(f"{consortium_name} — {title}"))
    pdf.set_compression(compress)
    pdf.set_title(f"{consortium_name} — {title}")
    pdf.set_creator("Consortium Ledger")
    pdf.set_lang(current_language.get())
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    _title_block(pdf, consortium_name, generated_at, len(records))
    for number, record in enumerate(records, start=1):
        _decision_section(pdf, number, record)
    _certification(pdf, consortium_name, generated_at)
    return bytes(pdf.output())
