"""The ledger exports: CSV and Excel, in the current language, safe to open.

Rows are built directly as the read models return them (fictional partners and
amounts), and once through a real Governance service and read side on SQLite.
"""

from __future__ import annotations

import codecs
import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from uuid import UUID

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from sqlalchemy import create_engine

from governance.actor import Actor
from governance.application import Governance
from governance.values import (
    AuthorityLevel,
    ContributionKind,
    Evidence,
    Funding,
    Paper,
    PartnerKind,
    PartnerRole,
    Pledge,
    Unit,
)
from projections.catalogue import all_projections
from projections.event_log import LibraryEventLog
from projections.ledger import (
    ChangeRow,
    CommitmentRow,
    ContributionRow,
    changes_of,
    commitments_of,
    contributions_of,
)
from projections.partners import PartnerRow, partners_of
from projections.runtime import ReadSide
from tests.support.builders import admitted_partner, an_authority, founded_consortium
from web.exports.ledger import (
    LedgerExport,
    ledger_csv,
    ledger_rows,
    ledger_xlsx,
    neutralise,
    sheet_names,
)
from web.i18n import current_language
from web.presentation.labels import label

CONSORTIUM_ID = "0b7c1c9e-5f43-4a55-9d2c-3f1e8a6b2d10"
LEAD_NAME = "Communauté de communes du Val fictif"
LAB_NAME = "Labo données: Val/Nord [UMR]?"
COLLECTIVE_NAME = "Collectif citoyen du Val"
SHA_INVOICE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SHA_TIMESHEET = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
HYPERLINK = '=HYPERLINK("http://evil","x")'
INVOICE_TEXT = 'Facture "mars", lot 1\nseconde ligne'

# Column positions of a ledger line.
PARTNER, COMMITMENT, ENTRY, KIND, UNIT, AMOUNT, DAILY_RATE = range(7)
STARTS_ON, ENDS_ON, COVERS, FUNDING, LICENCE, VALUATION, STATUS = range(7, 14)
DELIVERED, DAY, TEXT, SHA256, FILENAME = range(14, 19)
WIDTH = 19


def a_partner(
    partner_id: str,
    name: str,
    *,
    role: PartnerRole = PartnerRole.PARTNER,
    withdrawn_on: date | None = None,
) -> PartnerRow:
    return PartnerRow(
        partner_id=partner_id,
        consortium_id=CONSORTIUM_ID,
        name=name,
        kind=PartnerKind.LOCAL_AUTHORITY,
        authority_level=AuthorityLevel.EPCI,
        siret="",
        rna="",
        role=role,
        axis="Médiation",
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=date(2026, 1, 12),
        withdrawn_on=withdrawn_on,
        withdrawal_reason="Fin d'activité" if withdrawn_on else "",
    )


def a_commitment(
    commitment_id: str,
    partner_id: str,
    *,
    kind: ContributionKind = ContributionKind.FINANCIAL,
    amount: str = "12000.50",
    daily_rate: str | None = None,
    covers: str = "Coordination du projet",
    valuation_method: str = "",
    withdrawn_on: date | None = None,
    withdrawal_reason: str = "",
    delivered: str = "0",
    delivery_count: int = 0,
) -> CommitmentRow:
    return CommitmentRow(
        commitment_id=commitment_id,
        consortium_id=CONSORTIUM_ID,
        partner_id=partner_id,
        kind=kind,
        unit=Unit.PERSON_DAY if kind is ContributionKind.HUMAN else Unit.EUR,
        amount=Decimal(amount),
        daily_rate=Decimal(daily_rate) if daily_rate else None,
        starts_on=date(2026, 2, 1),
        ends_on=date(2027, 1, 31),
        covers=covers,
        funding=Funding.CO_FINANCING,
        licence="",
        valuation_method=valuation_method,
        withdrawn_on=withdrawn_on,
        withdrawal_reason=withdrawal_reason,
        delivered=Decimal(delivered),
        delivery_count=delivery_count,
        pledged_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC),  # 1 Feb in Paris
    )


def a_delivery(
    contribution_id: str,
    commitment: CommitmentRow,
    delivered_on: date,
    amount: str,
    description: str,
    evidence: Evidence | None = None,
) -> ContributionRow:
    return ContributionRow(
        contribution_id=contribution_id,
        commitment_id=commitment.commitment_id,
        consortium_id=CONSORTIUM_ID,
        partner_id=commitment.partner_id,
        delivered_on=delivered_on,
        amount=Decimal(amount),
        description=description,
        evidence=evidence,
        recorded_at=datetime.combine(delivered_on, datetime.min.time(), UTC),
    )


def an_amendment(position: int, reason: str) -> ChangeRow:
    """As the ledger projection stores it: amounts and days as text."""
    return ChangeRow(
        position=position,
        recorded_at=datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
        actor_id="acc-coordinator",
        kind="amended",
        params={
            "amount": "12000.50",
            "starts_on": "2026-02-01",
            "ends_on": "2027-01-31",
            "reason": reason,
            "previous_amount": "10000.00",
            "previous_starts_on": "2026-02-01",
            "previous_ends_on": "2026-12-31",
        },
    )


@pytest.fixture
def export() -> LedgerExport:
    """Three partners with commitments (one withdrew), and a twin without any.

    The lead's money was amended and delivered twice; the lab's staff time was
    withdrawn after one delivery; the collective's in-kind help went with it.
    Some texts are formula attacks.
    """
    lead = a_partner("p-lead", LEAD_NAME, role=PartnerRole.LEAD)
    lab = a_partner("p-lab", LAB_NAME)
    collective = a_partner("p-coll", COLLECTIVE_NAME, withdrawn_on=date(2026, 6, 30))
    twin = a_partner("p-twin", LEAD_NAME + " bis")
    money = a_commitment("c-money", "p-lead", delivered="3500.25", delivery_count=2)
    staff = a_commitment(
        "c-staff",
        "p-lab",
        kind=ContributionKind.HUMAN,
        amount="20",
        daily_rate="450.00",
        covers="-1+1",
        withdrawn_on=date(2026, 5, 31),
        withdrawal_reason="@SUM(1)",
        delivered="2.5",
        delivery_count=1,
    )
    room = a_commitment(
        "c-room",
        "p-coll",
        kind=ContributionKind.IN_KIND,
        amount="800",
        valuation_method="Coût horaire de la salle",
    )
    return LedgerExport(
        consortium_name="Inclusion numérique du Val",
        partners=[lead, lab, collective, twin],
        commitments=[money, staff, room],
        contributions=[
            a_delivery(
                "d-invoice",
                money,
                date(2026, 3, 15),
                "2000.00",
                INVOICE_TEXT,
                Evidence(SHA_INVOICE, 48213, "application/pdf", "facture-03.pdf"),
            ),
            a_delivery(
                "d-timesheet",
                staff,
                date(2026, 4, 1),
                "2.5",
                "+cmd",
                Evidence(SHA_TIMESHEET, 1200, "application/pdf", "temps-avril.pdf"),
            ),
            a_delivery("d-attack", money, date(2026, 4, 15), "1500.25", HYPERLINK),
        ],
        changes={"c-money": [an_amendment(2, "Avenant n°1, signé le 9 mars")]},
    )


def parsed_csv(export: LedgerExport) -> list[list[str]]:
    text = "".join(ledger_csv(export))
    assert text.startswith("\ufeff")
    return list(csv.reader(text.removeprefix("\ufeff").splitlines(keepends=True)))


def workbook_of(export: LedgerExport) -> Workbook:
    return load_workbook(BytesIO(ledger_xlsx(export)))


def values(row: tuple[Cell, ...]) -> list[object]:
    """The cells' values; Excel has no date type, openpyxl reads days as midnight."""
    return [
        cell.value.date() if isinstance(cell.value, datetime) else cell.value
        for cell in row
    ]


# neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(HYPERLINK, "'" + HYPERLINK, id="equals"),
        pytest.param("+cmd", "'+cmd", id="plus"),
        pytest.param("-1+1", "'-1+1", id="minus"),
        pytest.param("@SUM(1)", "'@SUM(1)", id="at"),
        pytest.param("\t=1+2", "'\t=1+2", id="tab"),
        pytest.param("\r=1+2", "'\r=1+2", id="carriage-return"),
        pytest.param("Facture 2026", "Facture 2026", id="plain-text"),
        pytest.param("", "", id="empty"),
        pytest.param("a=b+c", "a=b+c", id="sign-later"),
        pytest.param(" =1", " =1", id="space-first"),
        pytest.param("'quoted", "'quoted", id="quote-first"),
    ],
)
def test_neutralise_prefixes_only_what_a_spreadsheet_would_run(
    value: str, expected: str
) -> None:
    assert neutralise(value) == expected


# CSV


def test_the_csv_starts_with_a_bom_alone_then_ends_every_line_with_crlf(
    export: LedgerExport,
) -> None:
    chunks = list(ledger_csv(export))

    assert chunks[0] == "\ufeff"
    assert "".join(chunks).encode().startswith(codecs.BOM_UTF8)
    assert all(chunk.endswith("\r\n") for chunk in chunks[1:])
    assert len(chunks) == 1 + len(list(ledger_rows(export)))


def test_the_csv_parses_back_to_the_ledger_rows(export: LedgerExport) -> None:
    rows = parsed_csv(export)

    assert rows == list(ledger_rows(export))
    assert all(len(row) == WIDTH for row in rows)


def test_each_commitment_comes_with_its_amendments_withdrawal_and_deliveries(
    export: LedgerExport,
) -> None:
    rows = parsed_csv(export)[1:]

    assert [(row[COMMITMENT], row[ENTRY]) for row in rows] == [
        ("c-money", "commitment"),
        ("c-money", "amendment"),
        ("c-money", "delivery"),
        ("c-money", "delivery"),
        ("c-staff", "commitment"),
        ("c-staff", "withdrawal"),
        ("c-staff", "delivery"),
        ("c-room", "commitment"),
    ]


def test_a_commitment_line_carries_the_whole_commitment(export: LedgerExport) -> None:
    commitment = parsed_csv(export)[1]

    assert commitment == [
        LEAD_NAME,
        "c-money",
        "commitment",
        label(ContributionKind.FINANCIAL),
        label(Unit.EUR),
        "12000.50",
        "",
        "2026-02-01",
        "2027-01-31",
        "Coordination du projet",
        label(Funding.CO_FINANCING),
        "",
        "",
        "active",
        "3500.25",
        "2026-02-01",
        "",
        "",
        "",
    ]


def test_a_delivery_line_carries_its_evidence_and_an_amendment_its_reason(
    export: LedgerExport,
) -> None:
    rows = parsed_csv(export)
    amendment, invoice = rows[2], rows[3]

    assert amendment[ENTRY] == "amendment"
    assert amendment[TEXT] == "Avenant n°1, signé le 9 mars"
    assert amendment[AMOUNT] == "12000.50"
    assert (amendment[STARTS_ON], amendment[ENDS_ON]) == ("2026-02-01", "2027-01-31")
    assert amendment[DAY] == "2026-03-10"
    assert invoice[ENTRY] == "delivery"
    assert invoice[SHA256] == SHA_INVOICE
    assert invoice[FILENAME] == "facture-03.pdf"
    assert invoice[TEXT] == INVOICE_TEXT
    assert (invoice[DAY], invoice[AMOUNT]) == ("2026-03-15", "2000.00")


def test_withdrawn_commitments_say_since_when(export: LedgerExport) -> None:
    rows = parsed_csv(export)
    staff, withdrawal, room = rows[5], rows[6], rows[8]

    assert staff[STATUS] == "withdrawn on 2026-05-31"
    assert (staff[DAILY_RATE], staff[DELIVERED]) == ("450.00", "2.5")
    assert (withdrawal[ENTRY], withdrawal[DAY]) == ("withdrawal", "2026-05-31")
    assert room[STATUS] == "withdrawn on 2026-06-30"  # its partner withdrew
    assert room[VALUATION] == "Coût horaire de la salle"


def test_formulas_come_out_of_the_csv_as_quoted_text(export: LedgerExport) -> None:
    raw = "".join(ledger_csv(export))
    rows = parsed_csv(export)

    assert rows[4][TEXT] == "'" + HYPERLINK
    assert '"\'=HYPERLINK(""http://evil"",""x"")"' in raw  # RFC 4180 quoting
    assert rows[5][COVERS] == "'-1+1"
    assert rows[6][TEXT] == "'@SUM(1)"
    assert rows[7][TEXT] == "'+cmd"


def test_amounts_are_plain_numbers_never_prefixed(export: LedgerExport) -> None:
    odd = a_commitment("c-odd", "p-lead", amount="-5", delivered="1E+3")
    rows = list(ledger_rows(LedgerExport("X", export.partners, [odd], [], {})))

    assert (rows[1][AMOUNT], rows[1][DELIVERED]) == ("-5", "1000")


def test_headers_follow_the_current_language(export: LedgerExport) -> None:
    english = next(ledger_rows(export))
    token = current_language.set("fr")
    try:
        french = next(ledger_rows(export))
    finally:
        current_language.reset(token)

    assert (english[PARTNER], english[KIND], english[STATUS]) == (
        "Partner",
        "Kind",
        "Status",
    )
    assert (french[PARTNER], french[KIND], french[STATUS]) == (
        "Partenaire",
        "Type",
        "Statut",
    )


# Excel


def test_the_workbook_has_a_summary_then_one_sheet_per_partner(
    export: LedgerExport,
) -> None:
    workbook = workbook_of(export)

    assert workbook.sheetnames == [
        "Summary",
        "Communauté de communes du Val f",
        "Labo données- Val-Nord -UMR--",
        "Collectif citoyen du Val",
        "Communauté de communes du V (2)",
    ]
    assert workbook.properties.title == "Inclusion numérique du Val"


def test_the_summary_has_each_partners_totals_as_numbers(
    export: LedgerExport,
) -> None:
    summary = workbook_of(export)["Summary"]
    rows = list(summary.iter_rows(min_row=2))
    header, lead, lab = summary[1], rows[0], rows[1]

    assert [cell.value for cell in header] == [
        "Partner",
        "Pledged (€)",
        "Delivered (€)",
        "Pledged (person-days)",
        "Delivered (person-days)",
        "Delivery rate",
    ]
    assert all(cell.font.b for cell in header)
    assert lead[0].value == LEAD_NAME
    assert [Decimal(str(cell.value)) for cell in lead[1:6]] == [
        Decimal("12000.50"),
        Decimal("3500.25"),
        Decimal(0),
        Decimal(0),
        Decimal("0.2917"),
    ]
    assert lead[1].number_format == "#,##0.00"
    assert lead[5].number_format == "0.0%"
    # Withdrawn: nothing pledged any more, what was delivered stays (2.5 × 450 €).
    assert [Decimal(str(cell.value)) for cell in lab[1:5]] == [
        Decimal(0),
        Decimal("1125.00"),
        Decimal(0),
        Decimal("2.5"),
    ]
    assert lab[5].value is None
    assert [cell.value for cell in rows[-1][:3]] == ["Total", 12000.5, 4625.25]


def test_a_partner_sheet_holds_its_ledger_lines_typed(export: LedgerExport) -> None:
    sheet = workbook_of(export)["Communauté de communes du Val f"]
    header, commitment, _amendment, invoice, _attack = sheet.iter_rows()

    assert [cell.value for cell in header] == next(ledger_rows(export))
    assert all(cell.font.b for cell in header)
    assert values(commitment) == [
        LEAD_NAME,
        "c-money",
        "commitment",
        label(ContributionKind.FINANCIAL),
        label(Unit.EUR),
        12000.5,
        None,
        date(2026, 2, 1),
        date(2027, 1, 31),
        "Coordination du projet",
        label(Funding.CO_FINANCING),
        None,
        None,
        "active",
        3500.25,
        date(2026, 2, 1),
        None,
        None,
        None,
    ]
    amount, delivered = commitment[AMOUNT], commitment[DELIVERED]
    assert (amount.data_type, amount.number_format) == ("n", "#,##0.00")
    assert Decimal(str(amount.value)) == Decimal("12000.50")
    assert Decimal(str(delivered.value)) == Decimal("3500.25")
    assert all(commitment[i].is_date for i in (STARTS_ON, ENDS_ON, DAY))
    assert commitment[STARTS_ON].value.date() == date(2026, 2, 1)
    assert invoice[SHA256].value == SHA_INVOICE
    assert invoice[TEXT].value == INVOICE_TEXT
    assert invoice[DAY].value.date() == date(2026, 3, 15)
    assert Decimal(str(invoice[AMOUNT].value)) == Decimal("2000.00")


def test_each_partner_sheet_has_only_that_partners_lines(
    export: LedgerExport,
) -> None:
    workbook = workbook_of(export)

    def commitments_in(name: str) -> set[object]:
        return {
            row[COMMITMENT] for row in workbook[name].iter_rows(2, values_only=True)
        }

    assert commitments_in("Labo données- Val-Nord -UMR--") == {"c-staff"}
    assert commitments_in("Collectif citoyen du Val") == {"c-room"}
    assert workbook["Communauté de communes du V (2)"].max_row == 1  # header only


def test_formulas_come_out_of_the_workbook_as_text(export: LedgerExport) -> None:
    workbook = workbook_of(export)
    lead = list(workbook["Communauté de communes du Val f"].iter_rows(min_row=2))
    lab = list(workbook["Labo données- Val-Nord -UMR--"].iter_rows(min_row=2))
    attacks = [lead[3][TEXT], lab[0][COVERS], lab[1][TEXT], lab[2][TEXT]]

    assert [cell.value for cell in attacks] == [
        "'" + HYPERLINK,
        "'-1+1",
        "'@SUM(1)",
        "'+cmd",
    ]
    assert all(cell.data_type == "s" for cell in attacks)


def test_control_characters_excel_refuses_are_dropped(export: LedgerExport) -> None:
    money = export.commitments[0]
    odd = a_delivery("d-odd", money, date(2026, 3, 20), "1", "ligne\x00\x07 fin")
    workbook = workbook_of(LedgerExport("X", export.partners[:1], [money], [odd], {}))
    delivery = workbook["Communauté de communes du Val f"]["Q3"]

    assert delivery.value == "ligne fin"


@pytest.mark.parametrize(
    ("names", "taken", "expected"),
    [
        pytest.param(
            ["A/B: [x]*?\\y"], [], ["A-B- -x----y"], id="forbidden-characters"
        ),
        pytest.param(["x" * 40], [], ["x" * 31], id="at-most-31-characters"),
        pytest.param(
            ["Tiers-lieu", "TIERS-LIEU", "tiers/lieu", "tiers-lieu"],
            [],
            ["Tiers-lieu", "TIERS-LIEU (2)", "tiers-lieu (3)", "tiers-lieu (4)"],
            id="unique-ignoring-case",
        ),
        pytest.param(
            ["y" * 35, "y" * 33], [], ["y" * 31, "y" * 27 + " (2)"], id="long-twins"
        ),
        pytest.param(["summary"], ["Summary"], ["summary (2)"], id="taken"),
        pytest.param(["History"], [], ["History (2)"], id="reserved-by-excel"),
        pytest.param(["'Quoted'", "[]"], [], ["Quoted", "--"], id="quotes-brackets"),
        pytest.param(["  ", "'"], [], ["-", "- (2)"], id="nothing-left"),
    ],
)
def test_sheet_names_are_legal_and_unique(
    names: list[str], taken: list[str], expected: list[str]
) -> None:
    assert sheet_names(names, taken) == expected


# Through the service and the read side


@pytest.mark.parametrize("store", ["sqlite"])
def test_a_recorded_ledger_exports_as_it_was_recorded(
    app: Governance, coordinator: Actor, tmp_path: Path
) -> None:
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    pledge = Pledge(
        kind=ContributionKind.FINANCIAL,
        amount=Decimal("10000.00"),
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 12, 31),
        covers="Coordination du projet",
        funding=Funding.CO_FINANCING,
    )
    commitment = UUID(app.pledge(coordinator, cid, lead, pledge).id)
    app.amend_commitment(
        coordinator,
        commitment,
        amount=Decimal("12000.50"),
        starts_on=date(2026, 2, 1),
        ends_on=date(2027, 1, 31),
        reason="Avenant n°1",
    )
    evidence = Evidence(SHA_INVOICE, 48213, "application/pdf", "facture-03.pdf")
    app.deliver(
        coordinator,
        commitment,
        delivered_on=date(2026, 3, 1),
        amount=Decimal("2000.00"),
        description=HYPERLINK,
        evidence=evidence,
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'read.db'}")
    try:
        read_side = ReadSide(
            engine, LibraryEventLog(app.recorder, app.mapper), all_projections()
        )
        read_side.create_tables()
        read_side.catch_up()
        with engine.connect() as connection:
            commitments = commitments_of(connection, str(cid))
            export = LedgerExport(
                "Inclusion numérique du Val",
                partners_of(connection, str(cid)),
                commitments,
                contributions_of(connection, str(cid)),
                {
                    c.commitment_id: changes_of(connection, c.commitment_id)
                    for c in commitments
                },
            )
    finally:
        engine.dispose()

    rows = parsed_csv(export)[1:]
    sheet = workbook_of(export).worksheets[1]

    assert [row[ENTRY] for row in rows] == ["commitment", "amendment", "delivery"]
    assert rows[0][AMOUNT] == "12000.50"
    assert rows[1][TEXT] == "Avenant n°1"
    assert (rows[1][AMOUNT], rows[1][ENDS_ON]) == ("12000.50", "2027-01-31")
    assert (rows[2][SHA256], rows[2][TEXT]) == (SHA_INVOICE, "'" + HYPERLINK)
    assert sheet.title == an_authority().name[:31]
    assert sheet.cell(4, SHA256 + 1).value == SHA_INVOICE
    assert Decimal(str(sheet.cell(4, AMOUNT + 1).value)) == Decimal("2000.00")
