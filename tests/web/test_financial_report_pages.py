"""The financial report through its pages: every member of the consortium reads
it, the coordinator explains the variances and certifies; anyone else is refused
and nothing is stored; bad input refused with a clear message; EN and FR; the
history tells it; the PDF and the workbook reconcile to the cent with the
statements' accepted lines; the audit pack carries the certified report."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.financing.statement_values import RefusalReason, statement_id
from governance.financing.values import CostCategory, Expense, FundingRules
from tests.support.expenses import a_declared_expense, reporting_periods, staff_time
from tests.support.pdf import pdf_streams
from tests.web.conftest import World, event_count, login, post, stores_of
from web.exports.decisions_pdf import pdf_text
from web.i18n import current_language, format_money

ACCEPTED = Decimal("9550.00")  # 9,000 € of staff and 550 € of travel; a taxi refused
TEXT_BLOCK = re.compile(rb"BT(.*?)ET", re.DOTALL)
STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)")
ESCAPE = re.compile(rb"\\(.)")
POSITION = re.compile(rb"[\d.]+ ([\d.]+) Td")


def _actor(client: TestClient, world: World, role: str) -> Actor:
    account = stores_of(client).accounts.by_email(world.emails[role])
    assert account is not None
    return Actor(account.account_id)


def reviewed_period(client: TestClient, world: World) -> str:
    """A plan (staff 20,000 € and travel 2,000 € for the member's partner, eligible
    all of 2026); in the first half-year 30 days × 300 €, train tickets (550 €) and a
    taxi (80 €, refused); the statement accepted. Returns the period's report id."""
    stores = stores_of(client)
    g, cid = stores.governance, world.consortium_id
    coordinator = _actor(client, world, "coordinator")
    for category, amount in ((CostCategory.STAFF, 20000), (CostCategory.TRAVEL, 2000)):
        g.plan_expense(
            coordinator,
            cid,
            Expense(world.partner_id, category, "Prévu", Decimal(amount)),
        )
    g.set_funding_rules(
        coordinator,
        cid,
        FundingRules(eligible_from=date(2026, 1, 1), eligible_until=date(2026, 12, 31)),
    )
    first = reporting_periods(g, coordinator, cid)[0]
    g.declare_expense(
        coordinator, cid, first, world.partner_id, staff_time("30", "300")
    )
    g.declare_expense(coordinator, cid, first, world.partner_id, a_declared_expense())
    taxi = g.declare_expense(
        coordinator,
        cid,
        first,
        world.partner_id,
        a_declared_expense(
            label="Taxi", amount_excl=Decimal(80), amount_incl=Decimal(80)
        ),
    ).id
    g.submit_statements(coordinator, cid, first)
    financer = _actor(client, world, "financer")
    statement = statement_id(str(cid), str(first), world.partner_id)
    g.refuse_statement_line(financer, statement, taxi, RefusalReason.UNSUPPORTED, "")
    g.accept_statement(financer, statement, "")
    stores.read_side.catch_up()
    return str(first)


def url(world: World, scope: str, tail: str = "") -> str:
    return f"/consortia/{world.consortium_id}/financial-report/{scope}{tail}"


def explain(client: TestClient, world: World, scope: str, category: str) -> object:
    return post(
        client,
        url(world, scope, "/explanations"),
        {"category": category, "explanation": "Recrutement décalé."},
    )


def certify(client: TestClient, world: World, scope: str, **extra: str) -> object:
    data = {"signatory": "Claire Fontaine", "capacity": "Présidente", "certify": "on"}
    return post(client, url(world, scope, "/certify"), {**data, **extra})


@pytest.fixture
def scope(client: TestClient, world: World) -> str:
    return reviewed_period(client, world)


@pytest.mark.parametrize("role", ["coordinator", "member", "pilot", "financer"])
def test_every_member_of_the_consortium_reads_the_report_and_its_list(
    client: TestClient, world: World, scope: str, role: str
) -> None:
    login(client, world.emails[role])

    listing = client.get(f"/consortia/{world.consortium_id}/financial-report")
    page = client.get(url(world, scope))

    assert listing.status_code == page.status_code == 200
    assert url(world, scope) in listing.text
    assert "2. Expenses: budget and realised by category" in page.text
    assert format_money(ACCEPTED) in page.text
    assert ("Certify the report" in page.text) is (role == "coordinator")


def test_an_outsider_and_an_unknown_report_are_not_found(
    client: TestClient, world: World, scope: str
) -> None:
    login(client, world.emails["outsider"])
    assert client.get(url(world, scope)).status_code == 404
    login(client, world.emails["coordinator"])
    assert client.get(url(world, str(UUID(int=7)))).status_code == 404
    assert client.get(url(world, "not-a-period")).status_code == 404


def test_the_coordinator_explains_then_certifies_and_the_history_tells_it(
    client: TestClient, world: World, scope: str
) -> None:
    login(client, world.emails["coordinator"])

    assert explain(client, world, scope, "staff").status_code == 303
    assert explain(client, world, scope, "travel").status_code == 303
    done = certify(client, world, scope)

    assert done.status_code == 303
    page = client.get(url(world, scope)).text
    assert "Recrutement décalé." in page
    assert "I, the undersigned Claire Fontaine, Présidente, certify" in page
    assert "Certify the report" not in page
    history = client.get(
        f"/consortia/{world.consortium_id}/history", headers={"Accept-Language": "fr"}
    ).text
    certified = "a certifié le compte rendu financier de «\xa0Rapport financier\xa0»"
    assert certified in history
    assert url(world, scope) in history


@pytest.mark.parametrize("role", ["member", "pilot", "financer"])
def test_only_the_coordinator_may_explain_or_certify_and_nothing_is_stored(
    client: TestClient, world: World, scope: str, role: str
) -> None:
    login(client, world.emails[role])
    before = event_count(client)

    assert explain(client, world, scope, "staff").status_code == 403
    assert certify(client, world, scope).status_code == 403
    assert event_count(client) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Variances beyond the threshold are not explained yet (1)"),
        ({"certify": ""}, "Tick the box to certify"),
        ({"signatory": " "}, "This field is required."),
    ],
)
def test_a_refused_certification_says_why_and_stores_nothing(
    client: TestClient, world: World, scope: str, extra: dict[str, str], message: str
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    refused = certify(client, world, scope, **extra)

    assert refused.status_code == 422
    assert message in refused.text
    assert event_count(client) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "indirect", "explanation": "x"}, "Choose one of the options."),
        ({"category": "staff", "explanation": ""}, "This field is required."),
        ({"category": "staff", "explanation": "x" * 2001}, "too long"),
    ],
)
def test_a_bad_explanation_is_refused_and_nothing_stored(
    client: TestClient, world: World, scope: str, data: dict[str, str], message: str
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    refused = post(client, url(world, scope, "/explanations"), data)

    assert refused.status_code == 422
    assert message in refused.text
    assert event_count(client) == before


def test_the_page_speaks_french(client: TestClient, world: World, scope: str) -> None:
    login(client, world.emails["financer"])

    page = client.get(url(world, scope), headers={"Accept-Language": "fr"}).text

    assert "Compte rendu financier" in page
    assert "Pas encore certifié." in page


# -- the exports reconcile with the statements' accepted lines --------------------


def pdf_rows(body: bytes) -> list[list[str]]:
    """The text an fpdf2 PDF draws, as rows of cells: its streams inflated, each
    text object read with its position, the cells at the same height together."""
    rows: list[list[str]] = []
    for content in pdf_streams(body):
        heights: dict[bytes, list[str]] = {}
        for block in TEXT_BLOCK.findall(content):
            strings = [ESCAPE.sub(rb"\1", s) for s in STRING.findall(block)]
            place = POSITION.search(block)
            if strings and place:
                cells = heights.setdefault(place.group(1), [])
                cells.append(b"".join(strings).decode("cp1252"))
        rows.extend(heights.values())
    return rows


def accepted_lines(client: TestClient, world: World, scope: str) -> list[Decimal]:
    """The eligible amount of each accepted line, as the expenses' read model has it."""
    from projections.expenses import statements_of_report

    with stores_of(client).read_side.engine.connect() as connection:
        found = statements_of_report(connection, str(world.consortium_id), scope)
    return [r.line.eligible for s in found for r in s.lines if r.accepted]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_and_the_workbook_reconcile_to_the_cent_with_the_accepted_lines(
    client: TestClient, world: World, scope: str, language: str
) -> None:
    login(client, world.emails["financer"])
    headers = {"Accept-Language": language}
    lines = accepted_lines(client, world, scope)
    assert sum(lines) == ACCEPTED

    workbook = client.get(url(world, scope, "/report.xlsx"), headers=headers)
    pdf = client.get(url(world, scope, "/report.pdf"), headers=headers)

    assert workbook.status_code == pdf.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    report, accepted = book.worksheets
    amounts = [row[7] for row in accepted.iter_rows(min_row=2, values_only=True)]
    assert [Decimal(str(a)) for a in amounts[:-1]] == lines
    assert Decimal(str(amounts[-1])) == ACCEPTED
    realised = [
        Decimal(str(row[2]))
        for row in report.iter_rows(values_only=True)
        if row[0] == "Total" and row[2] is not None
    ]
    assert realised[:2] == [ACCEPTED, ACCEPTED]  # by category, by partner
    token = current_language.set(language)
    try:
        shown = pdf_text(format_money(ACCEPTED))
    finally:
        current_language.reset(token)
    totals = [row for row in pdf_rows(pdf.content) if row[0] == "Total"]
    assert [row[2] for row in totals[:2]] == [shown, shown]  # category, partner
    assert pdf.content.startswith(b"%PDF")


def test_the_audit_pack_carries_the_certified_report_as_pdf_and_excel(
    client: TestClient, world: World, scope: str
) -> None:
    login(client, world.emails["coordinator"])
    explain(client, world, scope, "travel")
    certify(client, world, scope)
    login(client, world.emails["financer"])

    pack = client.get(
        f"/consortia/{world.consortium_id}/audit-pack.zip",
        headers={"Accept-Language": "fr"},
    )

    assert pack.status_code == 200
    with zipfile.ZipFile(io.BytesIO(pack.content)) as files:
        names = [n for n in files.namelist() if n.startswith("financial-reports/")]
        workbook = load_workbook(io.BytesIO(files.read(names[1])))
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "xlsx"]
    title = workbook.worksheets[0]["A1"].value
    assert title == "Compte rendu financier\xa0: Rapport financier"


def test_without_expenses_there_is_only_the_final_report_and_nothing_to_certify(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    listing = client.get(f"/consortia/{world.consortium_id}/financial-report")
    final = client.get(url(world, "final"))
    refused = certify(client, world, "final")
    htmx = post(
        client,
        url(world, "final", "/certify"),
        {"signatory": "Claire", "capacity": "Présidente", "certify": "on"},
        htmx=True,
    )

    assert listing.status_code == final.status_code == 200
    assert (
        listing.text.count(f"/consortia/{world.consortium_id}/financial-report/") == 1
    )
    assert "Not certified yet." in final.text
    assert refused.status_code == htmx.status_code == 422
    assert "there is nothing to certify" in refused.text
    assert "<html" not in htmx.text
    assert event_count(client) == before
