"""Expense statements through the pages: a member declares for their partner with a
supporting document, the coordinator submits the period, the financer refuses a
line and accepts; bad input refused with a clear message and nothing stored; the
checks in words, the budget-against-realised table and chart, the export, the
history in English and French, and the sweep keeping a statement's document."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.financing.values import CostCategory, Expense, FundingRules
from projections.consortia import consortia_of
from tests.support.expenses import reporting_periods
from tests.support.files import age
from tests.web.conftest import World, csrf, event_count, login, post, stores_of
from tests.web.test_evidence_kept import secret_pdf
from web.ops.evidence_sweep import DEFAULT_GRACE, sweep_evidence
from web.settings import Settings


def expenses(world: World) -> str:
    return f"/consortia/{world.consortium_id}/expenses"


def periods(client: TestClient, world: World) -> list[UUID]:
    """Two half-yearly financial reports, and a plan: travel 1,000 € for the
    member's partner, staff 2,000 €; eligible from 2026-01-01 to 2026-12-31."""
    stores = stores_of(client)
    governance = stores.governance
    account = stores.accounts.by_email(world.emails["coordinator"])
    assert account is not None
    coordinator = Actor(account.account_id)
    for category, amount in ((CostCategory.TRAVEL, 1000), (CostCategory.STAFF, 2000)):
        governance.plan_expense(
            coordinator,
            world.consortium_id,
            Expense(
                world.partner_id,
                category,
                "Prévu",
                Decimal(amount),
                work_package="Lot 1",
            ),
        )
    governance.set_funding_rules(
        coordinator,
        world.consortium_id,
        FundingRules(eligible_from=date(2026, 1, 1), eligible_until=date(2026, 12, 31)),
    )
    found = reporting_periods(governance, coordinator, world.consortium_id)
    stores.read_side.catch_up()
    return found


def a_line(world: World, period: UUID, **overrides: str) -> dict[str, str]:
    return {
        "obligation_id": str(period),
        "partner_id": world.partner_id,
        "category": "travel",
        "label": "Billets de train",
        "spent_on": "2026-03-12",
        "supplier": "SNCF Voyageurs",
        "invoice_number": "F-0312",
        "amount_excl": "500",
        "amount_incl": "550",
        "work_package": "Lot 1",
        **overrides,
    }


def declare(
    client: TestClient,
    world: World,
    data: dict[str, str],
    document: bytes | None = None,
) -> object:
    files = (
        {"document": ("facture.pdf", document, "application/pdf")} if document else None
    )
    return client.post(
        expenses(world) + "/lines",
        data={**data, "csrf_token": csrf(client)},
        files=files,
        follow_redirects=False,
    )


def statement_url(client: TestClient, world: World) -> str:
    page = client.get(expenses(world)).text
    start = page.index(expenses(world) + "/statements/")
    return page[start : page.index('"', start)]


def test_a_member_declares_with_a_document_and_the_statement_shows_it(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    pdf = secret_pdf("invoice")

    response = declare(client, world, a_line(world, first), pdf)

    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = client.get(statement_url(client, world))
    assert "Billets de train" in page.text
    assert "550.00" in page.text
    link = page.text.index(expenses(world) + "/documents/")
    href = page.text[link : page.text.index('"', link)]
    assert client.get(href).content == pdf


def test_a_member_declaring_for_another_partner_is_refused_and_nothing_stored(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    before = event_count(client)

    response = declare(client, world, a_line(world, first, partner_id=world.lead_id))

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert event_count(client) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount_excl", "-5", "Enter a number"),
        ("amount_excl", "400.0001", "Use at most two decimals (whole cents)."),
        ("amount_incl", "1200", "VAT cannot be more than the amount excluding VAT"),
        ("spent_on", "2026-07-01", "within the statement"),
    ],
)
def test_a_bad_line_is_refused_next_to_its_input_and_nothing_stored(
    client: TestClient, world: World, field: str, value: str, message: str
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    before = event_count(client)

    response = declare(client, world, a_line(world, first, **{field: value}))

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert f'id="x-{field}-error"' in response.text  # type: ignore[attr-defined]
    assert event_count(client) == before


def test_a_reallocation_share_over_a_hundred_percent_is_refused(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/call/rules",
        {
            "reallocation_share": "120",
            "eligible_travel": "on",
            "indirect_base": "staff",
        },
    )

    assert response.status_code == 422
    assert "A rate is a percentage: at most 100." in response.text
    assert event_count(client) == before


def test_submitted_then_a_line_refused_the_statement_shows_accepted_against_declared(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first))
    declare(
        client,
        world,
        a_line(
            world,
            first,
            label="Taxi",
            invoice_number="T-1",
            amount_excl="80",
            amount_incl="88",
        ),
    )
    login(client, world.emails["coordinator"])
    assert (
        post(
            client, expenses(world) + "/submit", {"obligation_id": str(first)}
        ).status_code
        == 303
    )
    login(client, world.emails["financer"])
    url = statement_url(client, world)
    page = client.get(url).text
    refuse = page.index("/refuse", page.index("Taxi"))
    action = page[page.rindex('action="', 0, refuse) + 8 : refuse + len("/refuse")]

    refused = post(client, action, {"refusal": "unsupported", "comment": "Pas de reçu"})
    accepted = post(client, url + "/accept", {"comment": ""})

    assert (refused.status_code, accepted.status_code) == (303, 303)
    shown = client.get(url).text
    assert "No supporting document" in shown
    assert "Pas de reçu" in shown
    assert "€638.00" in shown  # declared
    assert "€550.00" in shown  # accepted
    assert "Budget and realised of Partner Co, every period" in shown
    assert "€1,000.00" in shown  # its travel budget
    history = client.get(
        f"/consortia/{world.consortium_id}/history", headers={"Accept-Language": "fr"}
    ).text
    assert "a rejeté une dépense de Partner Co (justificatif manquant)" in history


def test_a_financer_may_not_declare_and_a_member_may_not_submit(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    before = event_count(client)
    login(client, world.emails["financer"])
    assert declare(client, world, a_line(world, first)).status_code == 403  # type: ignore[attr-defined]
    login(client, world.emails["member"])
    submitted = post(client, expenses(world) + "/submit", {"obligation_id": str(first)})

    assert submitted.status_code == 403
    assert event_count(client) == before


def test_the_page_tells_the_checks_in_words_and_draws_budget_against_realised(
    client: TestClient, world: World
) -> None:
    first, second = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first, amount_excl="900", amount_incl="1000"))
    declare(
        client,
        world,
        a_line(
            world, second, spent_on="2026-08-01", amount_excl="900", amount_incl="1000"
        ),
    )

    page = client.get(expenses(world)).text

    assert "Invoice F-0312 of SNCF Voyageurs is declared 2 times." in page
    assert "Travel come to €2,000.00, over the €1,000.00 budgeted." in page
    assert "this needs an amendment" in page
    assert "<svg" in page
    assert 'class="bar-realised"' in page
    assert "Budget and realised by work package or axis" in page
    statement = client.get(statement_url(client, world)).text
    assert "Invoice F-0312 of SNCF Voyageurs is declared 2 times." in statement


def test_a_line_outside_the_eligible_period_is_a_warning(
    client: TestClient, world: World
) -> None:
    periods(client, world)
    stores = stores_of(client)
    account = stores.accounts.by_email(world.emails["coordinator"])
    assert account is not None
    coordinator = Actor(account.account_id)
    later = reporting_periods(
        stores.governance, coordinator, world.consortium_id, count=4
    )
    stores.read_side.catch_up()
    login(client, world.emails["member"])
    response = declare(client, world, a_line(world, later[2], spent_on="2027-03-01"))

    page = client.get(expenses(world)).text

    assert response.status_code == 303  # type: ignore[attr-defined]
    assert (
        "Partner Co declared “Billets de train” on 1 March 2027, outside the "
        "eligible period (1 January 2026 – 31 December 2026)." in page
    )


def test_the_export_holds_the_lines_and_budget_against_realised(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first))

    response = client.get(expenses(world).removesuffix("/expenses") + "/expenses.xlsx")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    lines = book.worksheets[1]
    assert [c.value for c in lines[2]][5] == "Billets de train"
    assert Decimal(str([c.value for c in lines[2]][14])) == Decimal("550")


def test_the_sweep_keeps_a_statement_s_supporting_document(
    client: TestClient, world: World, settings: Settings
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    pdf = secret_pdf("kept")
    declare(client, world, a_line(world, first), pdf)
    age(stores_of(client).evidence, hashlib.sha256(pdf).hexdigest(), days=400)

    report = sweep_evidence(
        settings,
        stores_of(client).evidence,
        now=datetime.now(UTC) + DEFAULT_GRACE + timedelta(hours=1),
    )

    assert report.removed == []
    assert stores_of(client).evidence.exists(hashlib.sha256(pdf).hexdigest())


def test_a_member_withdraws_a_draft_line_of_their_partner_and_the_history_says_so(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first))
    url = statement_url(client, world)
    page = client.get(url).text
    start = page.index(url + "/lines/")
    action = page[start : page.index('"', start)]

    withdrawn = post(client, action)

    assert withdrawn.status_code == 303
    assert "No expense declared in this statement." in client.get(url).text
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "withdrew a declared expense of Partner Co" in history


def test_a_statement_exports_only_its_own_lines(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["coordinator"])
    declare(client, world, a_line(world, first, partner_id=world.lead_id, label="A"))
    declare(client, world, a_line(world, first, label="B", invoice_number="F-2"))
    page = client.get(expenses(world)).text
    start = page.index(expenses(world) + "/statements/")
    url = page[start : page.index('"', start)]

    response = client.get(url + "/export.xlsx")

    assert response.status_code == 200
    lines = load_workbook(io.BytesIO(response.content)).worksheets[1]
    assert [row[5].value for row in lines.iter_rows(min_row=2)] == ["A"]


def test_the_coordinator_sets_the_share_that_may_move_between_categories(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = post(
        client,
        f"/consortia/{world.consortium_id}/call/rules",
        {"reallocation_share": "35", "eligible_travel": "on", "indirect_base": "staff"},
    )

    assert response.status_code == 303
    page = client.get(f"/consortia/{world.consortium_id}/call").text
    assert 'name="reallocation_share" type="text" value="35"' in page


def test_a_period_exports_the_lines_of_its_statements_only(
    client: TestClient, world: World
) -> None:
    first, second = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first, label="Premier"))
    declare(client, world, a_line(world, second, label="Second", spent_on="2026-08-03"))

    response = client.get(f"{expenses(world)}/periods/{second}/export.xlsx")

    assert response.status_code == 200
    lines = load_workbook(io.BytesIO(response.content)).worksheets[1]
    assert [row[5].value for row in lines.iter_rows(min_row=2)] == ["Second"]
    assert (
        client.get(f"{expenses(world)}/periods/{world.lead_id}/export.xlsx").status_code
        == 404
    )


def test_the_report_of_the_period_lists_its_expense_statements(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first))

    page = client.get(f"/consortia/{world.consortium_id}/reports/{first}").text

    assert "Expense statements of the period" in page
    assert "Partner Co</a> — Being declared, declared €550.00" in page


def test_a_statement_is_not_found_through_another_consortium(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    pdf = secret_pdf("elsewhere")
    declare(client, world, a_line(world, first), pdf)
    url = statement_url(client, world)
    page = client.get(url).text
    start = page.index(url + "/lines/")
    withdraw = page[start : page.index('"', start)]
    stores = stores_of(client)
    outsider = stores.accounts.by_email(world.emails["outsider"])
    assert outsider is not None
    with stores.read_side.engine.connect() as connection:
        (elsewhere,) = consortia_of(connection, outsider.account_id)
    ours, theirs = (
        f"/consortia/{world.consortium_id}",
        f"/consortia/{elsewhere.consortium_id}",
    )
    login(client, world.emails["outsider"])
    before = event_count(client)

    assert client.get(url.replace(ours, theirs)).status_code == 404
    assert post(client, withdraw.replace(ours, theirs)).status_code == 404
    document = f"{theirs}/expenses/documents/{hashlib.sha256(pdf).hexdigest()}"
    assert client.get(document).status_code == 404
    assert event_count(client) == before


def test_the_financer_accepts_a_whole_period_from_the_expenses_page(
    client: TestClient, world: World
) -> None:
    first, _ = periods(client, world)
    login(client, world.emails["member"])
    declare(client, world, a_line(world, first))
    login(client, world.emails["coordinator"])
    post(client, expenses(world) + "/submit", {"obligation_id": str(first)})
    login(client, world.emails["financer"])
    assert (
        "Accept every submitted statement of this period"
        in client.get(expenses(world)).text
    )

    accepted = post(client, f"{expenses(world)}/periods/{first}/accept", {})

    assert accepted.status_code == 303
    assert "Accepted by the funder" in client.get(expenses(world)).text
    again = post(client, f"{expenses(world)}/periods/{first}/accept", {})
    assert again.status_code == 422
    assert "No statement of this period awaits the funder" in again.text
