"""The decision log exports: CSV and PDF, in the current language, safe to open.

Rows are built directly as the decisions read model returns them (fictional bodies,
partners and decisions). The PDF is written uncompressed so its text can be read
back from the page contents.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum

import pytest

from governance.values import Evidence
from governance.voting import Majority, Outcome, VotingRule
from projections.decisions import ProposalRow, VoteRow
from web.exports.decisions import DECISION_COLUMNS, DecisionRecord, decisions_csv
from web.exports.decisions_pdf import decisions_pdf, pdf_text
from web.i18n import current_language, format_moment, gettext_
from web.presentation.labels import LABELS, label

CONSORTIUM_ID = "0b7c1c9e-5f43-4a55-9d2c-3f1e8a6b2d10"
CONSORTIUM_NAME = "Inclusion numérique du Val"
GENERATED_AT = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
CLOSED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HYPERLINK = '=HYPERLINK("x")'

LEAD, LAB, CLUB, COLLECTIVE = "p-lead", "p-lab", "p-club", "p-collectif"
NAMES = {
    LEAD: "Communauté de communes du Val fictif",
    LAB: "Laboratoire fictif",
    CLUB: "Association Clic",
    COLLECTIVE: "Collectif citoyen du Val",
}
MEMBERS = {LEAD: 2, LAB: 1, CLUB: 1, COLLECTIVE: 1}
SIMPLE = VotingRule(Decimal("0.5"), False, Majority.SIMPLE, 0)

# Column positions of a decision row.
DAY, BODY, TITLE, KIND, OUTCOME, FOR, AGAINST, ABSTAIN = range(8)
TAKING_PART, MEMBER_COUNT, PRESENT, RULE, TEXT = range(8, 13)
WIDTH = 13

PAGE_OBJECT = re.compile(rb"/Type\s*/Page\b(?!s)")
TEXT_BLOCK = re.compile(rb"BT(.*?)ET", re.DOTALL)
STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)")
ESCAPE = re.compile(rb"\\(.)")
FOOTER = re.compile(r"page (\d+) / (\d+)")


def a_vote(
    partner_id: str, option: str, reason: str = "", *, minutes: int = 0
) -> VoteRow:
    return VoteRow(
        partner_id=partner_id,
        option=option,
        reason=reason,
        cast_at=CLOSED_AT - timedelta(days=1, minutes=-minutes),
        cast_by=f"acc-{partner_id}",
        changes=0,
    )


def a_decided_vote(
    proposal_id: str = "prop-budget",
    title: str = "Répartition du budget prévisionnel",
    *,
    text: str = "Le comité adopte la répartition annexée.",
    outcome: Outcome = Outcome.ADOPTED,
    rule: VotingRule = SIMPLE,
    closed_at: datetime = CLOSED_AT,
) -> ProposalRow:
    return ProposalRow(
        proposal_id=proposal_id,
        consortium_id=CONSORTIUM_ID,
        body_id="body-copil",
        kind="vote",
        title=title,
        text=text,
        options=("for", "against", "abstain"),
        mode="written",
        closes_at=closed_at,
        meeting_on=None,
        members=dict(MEMBERS),
        rule=rule,
        document=None,
        outcome=outcome,
        closed_at=closed_at,
        decided_on=None,
        veto_until=None,
        vetoed_by=None,
        veto_reason="",
        present=(),
        tabled_at=closed_at - timedelta(days=7),
        tabled_by="acc-coordinator",
    )


def a_meeting_decision(
    proposal_id: str = "dec-charter",
    title: str = "Adoption de la charte d'éthique",
    *,
    present: tuple[str, ...] = (LEAD, LAB, CLUB),
    text: str = "Charte adoptée à l'unanimité des présents.",
) -> ProposalRow:
    return ProposalRow(
        proposal_id=proposal_id,
        consortium_id=CONSORTIUM_ID,
        body_id="body-ag",
        kind="meeting",
        title=title,
        text=text,
        options=(),
        mode="meeting",
        closes_at=None,
        meeting_on=date(2026, 2, 12),
        members={},
        rule=VotingRule(),
        document=Evidence(
            sha256="60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
            size=20480,
            media_type="application/pdf",
            filename="pv-ag-2026-02-12.pdf",
        ),
        outcome=Outcome.ADOPTED,
        closed_at=datetime(2026, 2, 13, 8, 0, tzinfo=UTC),
        decided_on=date(2026, 2, 12),
        veto_until=None,
        vetoed_by=None,
        veto_reason="",
        present=present,
        tabled_at=datetime(2026, 2, 13, 8, 0, tzinfo=UTC),
        tabled_by="acc-coordinator",
    )


def budget_vote() -> DecisionRecord:
    """Lead (weight 2) and lab for, club against, collective abstains."""
    return DecisionRecord(
        decision=a_decided_vote(),
        body_name="Comité de pilotage",
        votes=[
            a_vote(LEAD, "for", "Conforme à la convention", minutes=1),
            a_vote(LAB, "for", minutes=2),
            a_vote(
                CLUB, "against", "Part “médiation” trop faible – 5 000 €", minutes=3
            ),
            a_vote(COLLECTIVE, "abstain", minutes=4),
        ],
        partner_names=NAMES,
    )


def charter_decision() -> DecisionRecord:
    return DecisionRecord(
        decision=a_meeting_decision(),
        body_name="Assemblée générale",
        votes=[],
        partner_names=NAMES,
    )


def csv_rows(records: list[DecisionRecord]) -> list[list[str]]:
    text = "".join(decisions_csv(records))
    return list(csv.reader(text.removeprefix("\ufeff").splitlines(keepends=True)))


def shown_text(pdf: bytes) -> list[str]:
    """The text of each line drawn in an uncompressed fpdf2 PDF, in order."""
    lines = []
    for block in TEXT_BLOCK.findall(pdf):
        strings = [ESCAPE.sub(rb"\1", s) for s in STRING.findall(block)]
        if strings:
            lines.append(b"".join(strings).decode("cp1252"))
    return lines


def pdf_of(records: list[DecisionRecord]) -> bytes:
    return decisions_pdf(
        records,
        consortium_name=CONSORTIUM_NAME,
        generated_at=GENERATED_AT,
        compress=False,
    )


@pytest.fixture
def french() -> Iterator[None]:
    token = current_language.set("fr")
    yield
    current_language.reset(token)


def test_outcomes_and_majorities_have_labels() -> None:
    """The exports name outcomes and majorities through ``label``."""
    members: list[Enum] = [*Outcome, *Majority]
    missing = [member for member in members if member not in LABELS]

    assert missing == []


# -- CSV ------------------------------------------------------------------------------


def test_the_csv_opens_with_a_byte_order_mark_alone_then_one_row_per_decision() -> None:
    chunks = list(decisions_csv([budget_vote(), charter_decision()]))
    rows = csv_rows([budget_vote(), charter_decision()])

    assert chunks[0] == "\ufeff"
    assert "".join(chunks).encode()[:3] == codecs.BOM_UTF8
    assert [len(row) for row in rows] == [WIDTH] * 3
    assert [row[TITLE] for row in rows[1:]] == [
        "Répartition du budget prévisionnel",
        "Adoption de la charte d'éthique",
    ]


def test_a_vote_row_tallies_its_votes_weighted_by_the_rule() -> None:
    _header, row = csv_rows([budget_vote()])

    assert (row[FOR], row[AGAINST], row[ABSTAIN]) == ("3", "1", "1")
    assert (row[TAKING_PART], row[MEMBER_COUNT], row[PRESENT]) == ("4", "4", "")


def test_a_vote_row_counts_only_votes_of_members_on_the_options() -> None:
    record = replace(
        budget_vote(),
        votes=[a_vote(LAB, "against"), a_vote("p-outsider", "for")],
    )

    _header, row = csv_rows([record])

    assert (row[FOR], row[AGAINST], row[ABSTAIN], row[TAKING_PART]) == (
        "0",
        "1",
        "0",
        "1",
    )


def test_a_meeting_row_names_the_partners_present_and_leaves_the_tally_empty() -> None:
    _header, row = csv_rows([charter_decision()])

    assert (row[FOR], row[AGAINST], row[ABSTAIN]) == ("", "", "")
    assert (row[TAKING_PART], row[MEMBER_COUNT]) == ("3", "")
    assert row[PRESENT] == (
        "Communauté de communes du Val fictif; Laboratoire fictif; Association Clic"
    )
    assert row[RULE] == ""


def test_a_partner_without_a_known_name_shows_its_id() -> None:
    record = replace(charter_decision(), partner_names={LEAD: NAMES[LEAD]})

    _header, row = csv_rows([record])

    assert row[PRESENT] == "Communauté de communes du Val fictif; p-lab; p-club"


def test_outcome_kind_and_rule_are_in_words() -> None:
    rejected = replace(
        budget_vote(),
        decision=a_decided_vote(
            outcome=Outcome.REJECTED,
            rule=VotingRule(Decimal("0.75"), True, Majority.TWO_THIRDS, 0),
        ),
    )

    _header, vote, meeting = csv_rows([rejected, charter_decision()])

    assert (vote[OUTCOME], meeting[OUTCOME]) == (
        label(Outcome.REJECTED),
        label(Outcome.ADOPTED),
    )
    assert (vote[KIND], meeting[KIND]) == ("vote", "meeting")
    assert label(Majority.TWO_THIRDS) in vote[RULE]
    assert "75" in vote[RULE]


def test_the_day_is_iso_the_meeting_day_or_the_closing_day_in_paris() -> None:
    late = replace(
        budget_vote(),
        decision=a_decided_vote(closed_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC)),
    )

    _header, vote, meeting = csv_rows([late, charter_decision()])

    assert (vote[DAY], meeting[DAY]) == ("2026-03-03", "2026-02-12")


def test_every_text_cell_is_neutralised_against_formula_injection() -> None:
    record = DecisionRecord(
        decision=replace(
            a_meeting_decision(present=(LEAD,)), title=HYPERLINK, text="@SUM(A1:A9)"
        ),
        body_name="+Bureau",
        votes=[],
        partner_names={LEAD: "-Mairie fictive"},
    )

    _header, row = csv_rows([record])

    assert row[TITLE] == "'" + HYPERLINK
    assert (row[BODY], row[PRESENT], row[TEXT]) == (
        "'+Bureau",
        "'-Mairie fictive",
        "'@SUM(A1:A9)",
    )


def test_text_with_quotes_commas_and_line_breaks_reads_back_whole() -> None:
    text = 'Article 1, "budget"\nArticle 2; suite'
    record = replace(budget_vote(), decision=a_decided_vote(text=text))

    _header, row = csv_rows([record])

    assert row[TEXT] == text


def test_an_empty_log_is_the_header_alone() -> None:
    assert csv_rows([]) == [[gettext_(message) for message in DECISION_COLUMNS]]


def test_headers_follow_the_current_language() -> None:
    english = csv_rows([])[0]
    token = current_language.set("fr")
    try:
        french = csv_rows([])[0]
        translated = [gettext_(message) for message in DECISION_COLUMNS]
    finally:
        current_language.reset(token)

    assert (english[DAY], english[KIND], english[TITLE]) == ("Date", "Kind", "Title")
    assert french[KIND] == "Type"
    assert french == translated


# -- PDF ------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_compressed_by_default() -> None:
    pdf = decisions_pdf(
        [budget_vote()], consortium_name=CONSORTIUM_NAME, generated_at=GENERATED_AT
    )

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/FlateDecode" in pdf
    assert "budget prévisionnel".encode("cp1252") not in pdf


def test_the_header_names_the_consortium_and_counts_the_decisions() -> None:
    lines = shown_text(pdf_of([budget_vote(), charter_decision()]))

    assert lines[0] == CONSORTIUM_NAME
    assert lines[1] == "Decision log"
    assert lines[lines.index("Number of decisions") + 1] == "2"
    assert "Generated on" in lines


def test_each_decision_has_a_section_with_its_facts_in_french_letters() -> None:
    lines = shown_text(pdf_of([budget_vote(), charter_decision()]))

    assert "1. Répartition du budget prévisionnel" in lines
    assert "2. Adoption de la charte d'éthique" in lines
    assert {"Comité de pilotage", "Assemblée générale", "2 March 2026"} <= set(lines)
    assert "Le comité adopte la répartition annexée." in lines
    assert "pv-ag-2026-02-12.pdf (SHA-256" in " ".join(lines)


def test_each_vote_shows_the_partner_the_option_and_the_reason() -> None:
    lines = shown_text(pdf_of([budget_vote()]))

    assert "• Communauté de communes du Val fictif: For — Conforme à la convention" in (
        lines
    )
    assert "• Laboratoire fictif: For" in lines
    assert "• Association Clic: Against — Part “médiation” trop faible – 5 000 €" in (
        lines
    )
    assert "• Collectif citoyen du Val: Abstain" in lines


def test_a_meeting_decision_names_the_partners_present_instead_of_votes() -> None:
    lines = shown_text(pdf_of([charter_decision()]))

    assert (
        "Communauté de communes du Val fictif, Laboratoire fictif, Association Clic"
        in lines
    )
    assert "Votes" not in lines


def test_a_formula_title_is_printed_as_written() -> None:
    record = replace(
        charter_decision(), decision=replace(a_meeting_decision(), title=HYPERLINK)
    )

    assert f"1. {HYPERLINK}" in shown_text(pdf_of([record]))


def test_the_record_ends_with_a_certification_to_sign() -> None:
    lines = shown_text(pdf_of([budget_vote()]))
    end = lines.index("Certified extract of the decision log")
    signed = lines.index("Name and role")

    moment = format_moment(GENERATED_AT, "long")
    sentence = " ".join(lines[end + 1 : signed])

    # fpdf2 draws no-break spaces (in some dates) as plain spaces.
    assert sentence == (
        f"Certified true to the decision log of {CONSORTIUM_NAME} as it stood on"
        f" {pdf_text(moment).replace(chr(0xA0), ' ')}."
    )
    assert lines[signed : signed + 3] == ["Name and role", "Date", "Signature"]


def test_a_short_log_fits_on_one_numbered_page() -> None:
    pdf = pdf_of([budget_vote()])

    assert len(PAGE_OBJECT.findall(pdf)) == 1
    assert "page 1 / 1" in shown_text(pdf)


def test_long_texts_run_over_pages_each_numbered_out_of_the_page_count() -> None:
    long_text = "\n".join(f"Article {n} : disposition détaillée." for n in range(120))
    records = [
        replace(
            charter_decision(),
            decision=replace(
                a_meeting_decision(f"dec-{n}", f"Décision longue {n}"), text=long_text
            ),
        )
        for n in range(3)
    ]

    pdf = pdf_of(records)
    pages = len(PAGE_OBJECT.findall(pdf))
    footers = [FOOTER.fullmatch(line) for line in shown_text(pdf)]
    numbers = [(int(m[1]), int(m[2])) for m in footers if m is not None]

    # 360 lines of 5 mm on pages of 257 mm: at least 8 pages.
    assert pages >= 8
    assert numbers == [(page, pages) for page in range(1, pages + 1)]


def test_a_long_unbroken_word_wraps_instead_of_failing() -> None:
    record = replace(
        charter_decision(),
        decision=replace(a_meeting_decision(), text="https://" + "x" * 400),
    )

    assert pdf_of([record]).startswith(b"%PDF-")


def test_a_text_that_looks_like_the_page_count_alias_stays_as_written() -> None:
    record = replace(
        charter_decision(), decision=replace(a_meeting_decision(), text="{nb} pages")
    )

    assert "{nb} pages" in shown_text(pdf_of([record]))


def test_the_same_log_gives_the_same_file() -> None:
    records = [budget_vote(), charter_decision()]

    assert pdf_of(records) == pdf_of(records)


def test_the_pdf_speaks_the_current_language(french: None) -> None:
    lines = shown_text(pdf_of([budget_vote()]))

    assert "Type" in lines  # the translation of "Kind"
    assert "2 mars 2026" in lines


def test_an_empty_log_is_still_a_certified_record() -> None:
    lines = shown_text(pdf_of([]))

    assert lines[lines.index("Number of decisions") + 1] == "0"
    assert "Certified extract of the decision log" in lines


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Élu·e à l’unanimité", "Élu·e à l’unanimité"),
        ("cœur “€” – — …", "cœur “€” – — …"),
        ("e\u0301lu", "élu"),
        ("a → b ≤ c", "a -> b <= c"),
        ("Łódź Erdős", "Lódz Erdos"),
        ("50\u202f%", "50\xa0%"),
        ("ﬁn", "fin"),
        ("col\tonne\r\nligne\rsuite", "col onne\nligne\nsuite"),
        ("emoji 🎉", "emoji ?"),
        ("\x80\x1f", "  "),
    ],
)
def test_pdf_text_keeps_windows_1252_and_replaces_the_rest(
    given: str, shown: str
) -> None:
    assert pdf_text(given) == shown
