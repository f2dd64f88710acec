"""The funding page: the financer sets up the grant and its tranches, records the
advance once the convention is signed and an interim payment once its report and
statements are accepted; each tranche says what it waits on; bad input and a
payment whose condition does not hold are refused in words with nothing stored;
the trail says which report released a payment, in English and French; the Excel
export opens."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.financing.statement_values import DeclaredExpense
from governance.financing.values import CostCategory
from governance.values import Phase
from tests.support.expenses import reporting_periods
from tests.web.conftest import World, event_count, login, post, stores_of

TODAY = datetime.now(UTC).date().isoformat()


def funding(world: World) -> str:
    return f"/consortia/{world.consortium_id}/funding"


def coordinator_of(client: TestClient, world: World) -> Actor:
    account = stores_of(client).accounts.by_email(world.emails["coordinator"])
    assert account is not None
    return Actor(account.account_id)


def financer_of(client: TestClient, world: World) -> Actor:
    account = stores_of(client).accounts.by_email(world.emails["financer"])
    assert account is not None
    return Actor(account.account_id)


def periods(client: TestClient, world: World) -> list[UUID]:
    governance = stores_of(client).governance
    found = reporting_periods(
        governance, coordinator_of(client, world), world.consortium_id
    )
    stores_of(client).read_side.catch_up()
    return found


def grant_form(first: UUID, second: UUID, **overrides: str) -> dict[str, str]:
    return {
        "amount": "100000",
        "rate": "70",
        "eligible_from": "2026-01-01",
        "eligible_until": "2026-12-31",
        "advance": "30000",
        "interim_1_report": str(first),
        "interim_1_amount": "30000",
        "balance_report": str(second),
        **overrides,
    }


def sign(client: TestClient, world: World) -> None:
    governance = stores_of(client).governance
    for phase, day in (
        (Phase.APPLICATION_SUBMITTED, date(2026, 1, 10)),
        (Phase.SELECTED, date(2026, 1, 20)),
        (Phase.AGREEMENT_SIGNED, date(2026, 1, 30)),
    ):
        governance.change_phase(
            coordinator_of(client, world), world.consortium_id, phase, day
        )
    stores_of(client).read_side.catch_up()


def accept_first_period(client: TestClient, world: World, first: UUID) -> None:
    """40,000 € of travel declared by the lead, submitted and accepted; the report
    accepted."""
    governance = stores_of(client).governance
    coordinator, financer = coordinator_of(client, world), financer_of(client, world)
    governance.declare_expense(
        coordinator,
        world.consortium_id,
        first,
        world.lead_id,
        DeclaredExpense(
            CostCategory.TRAVEL,
            "Déplacements",
            date(2026, 3, 12),
            Decimal(40000),
            Decimal(40000),
        ),
    )
    governance.submit_statements(coordinator, world.consortium_id, first)
    governance.accept_statements(financer, world.consortium_id, first, "")
    governance.draft_report(coordinator, first, "Rapport.")
    governance.submit_report(coordinator, first)
    governance.accept_report(financer, first, "Merci.")
    stores_of(client).read_side.catch_up()


def tranche_ids(page: str, world: World) -> list[str]:
    marker = funding(world) + "/tranches/"
    found, start = [], 0
    while (i := page.find(marker, start)) >= 0:
        end = page.index("/payments", i)
        found.append(page[i + len(marker) : end])
        start = end
    return found


@pytest.fixture
def granted(client: TestClient, world: World) -> tuple[UUID, UUID]:
    first, second = periods(client, world)
    login(client, world.emails["financer"])
    response = post(client, funding(world) + "/grant", grant_form(first, second))
    assert response.status_code == 303, response.text
    return first, second


def test_the_financer_sets_up_the_grant_and_each_tranche_says_what_it_waits_on(
    client: TestClient, world: World, granted: tuple[UUID, UUID]
) -> None:
    page = client.get(funding(world)).text

    assert "100,000.00" in page
    assert "Waiting for the convention to be signed." in page
    assert "Waiting for the report “Rapport financier” to be accepted." in page
    assert "Record the payment" not in page


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_only_the_financer_sets_up_the_grant(
    client: TestClient, world: World, role: str
) -> None:
    first, second = periods(client, world)
    login(client, world.emails[role])
    assert "Set up the grant" not in client.get(funding(world)).text
    before = event_count(client)

    response = post(client, funding(world) + "/grant", grant_form(first, second))

    assert response.status_code == 403
    assert event_count(client) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rate": "120"}, "A rate is a percentage: at most 100."),
        ({"amount": "0"}, "Enter an amount greater than zero."),
        ({"amount": "-5"}, "Enter a number"),
        ({"advance": "10.0051"}, "Use at most two decimals."),
        ({"interim_1_amount": "90000"}, "come to more than the grant"),
        ({"interim_1_report": "not-a-report"}, "Choose one of the options."),
    ],
)
def test_bad_grant_input_is_refused_in_words_and_nothing_stored(
    client: TestClient, world: World, overrides: dict[str, str], message: str
) -> None:
    first, second = periods(client, world)
    login(client, world.emails["financer"])
    before = event_count(client)

    response = post(
        client, funding(world) + "/grant", grant_form(first, second, **overrides)
    )

    assert response.status_code == 422
    assert message in response.text
    assert event_count(client) == before


def test_the_advance_is_refused_before_signature_and_recorded_after(
    client: TestClient, world: World, granted: tuple[UUID, UUID]
) -> None:
    advance = tranche_ids(client.get(funding(world)).text, world)
    assert advance == []  # no payment form: nothing is ready
    before = event_count(client)
    page = client.get(funding(world)).text
    start = page.index('id="tranche-') + len('id="tranche-')
    first_tranche = page[start : page.index('"', start)]

    refused = post(
        client,
        f"{funding(world)}/tranches/{first_tranche}/payments",
        {"amount": "30000", "paid_on": TODAY},
    )
    assert refused.status_code == 422
    assert "The advance waits for the convention to be signed." in refused.text
    assert event_count(client) == before

    sign(client, world)
    (ready,) = tranche_ids(client.get(funding(world)).text, world)
    assert ready == first_tranche
    paid = post(
        client,
        f"{funding(world)}/tranches/{ready}/payments",
        {"amount": "30000", "paid_on": TODAY},
    )
    assert paid.status_code == 303, paid.text
    page = client.get(funding(world)).text
    assert "Released by the signed convention." in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("30000.01", "At most €30,000.00 is due on this payment."),
        ("0", "Enter an amount greater than zero."),
        ("12.3456", "Use at most two decimals."),
        ("lots", "Enter a number"),
    ],
)
def test_a_bad_payment_is_refused_in_words_and_nothing_stored(
    client: TestClient,
    world: World,
    granted: tuple[UUID, UUID],
    amount: str,
    message: str,
) -> None:
    sign(client, world)
    (ready,) = tranche_ids(client.get(funding(world)).text, world)
    before = event_count(client)

    response = post(
        client,
        f"{funding(world)}/tranches/{ready}/payments",
        {"amount": amount, "paid_on": TODAY},
    )

    assert response.status_code == 422
    assert message in response.text, response.text[response.text.find("<h3") :][:3000]
    assert event_count(client) == before


def test_the_interim_payment_is_released_by_the_accepted_report_and_the_trail_says_so(
    client: TestClient, world: World, granted: tuple[UUID, UUID]
) -> None:
    first, _ = granted
    sign(client, world)
    accept_first_period(client, world, first)
    _, interim = tranche_ids(client.get(funding(world)).text, world)

    response = post(
        client,
        f"{funding(world)}/tranches/{interim}/payments",
        {"amount": "28000", "paid_on": TODAY},
    )

    assert response.status_code == 303, response.text
    page = client.get(funding(world)).text
    assert (
        "Released by the accepted report “Rapport financier”"
        " (1 accepted expense statement)." in page
    )
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "released by the accepted report “Rapport financier”" in history
    client.cookies.set("lang", "fr")
    french = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "débloqué par le rapport validé «\u00a0Rapport financier\u00a0»" in french
    assert "Débloqué par le rapport validé" in client.get(funding(world)).text


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_a_member_or_coordinator_recording_a_payment_is_refused(
    client: TestClient, world: World, granted: tuple[UUID, UUID], role: str
) -> None:
    sign(client, world)
    (ready,) = tranche_ids(client.get(funding(world)).text, world)
    login(client, world.emails[role])
    assert "Record the payment" not in client.get(funding(world)).text
    before = event_count(client)

    response = post(
        client,
        f"{funding(world)}/tranches/{ready}/payments",
        {"amount": "100", "paid_on": TODAY},
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_the_export_lists_the_tranches_and_payments(
    client: TestClient, world: World, granted: tuple[UUID, UUID]
) -> None:
    sign(client, world)
    (ready,) = tranche_ids(client.get(funding(world)).text, world)
    post(
        client,
        f"{funding(world)}/tranches/{ready}/payments",
        {"amount": "30000", "paid_on": TODAY},
    )

    response = client.get(f"/consortia/{world.consortium_id}/funding.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    tranches, payments = workbook.worksheets
    assert tranches["B2"].value == 100000
    assert [c.value for c in payments[2]][1:3] == ["Payment", 30000]


def test_an_outsider_gets_not_found(client: TestClient, world: World) -> None:
    login(client, world.emails["outsider"])
    assert client.get(funding(world)).status_code == 404


def test_the_portfolio_shows_the_grant_paid_remaining_and_the_next_tranche(
    client: TestClient, world: World, granted: tuple[UUID, UUID]
) -> None:
    sign(client, world)
    (ready,) = tranche_ids(client.get(funding(world)).text, world)
    post(
        client,
        f"{funding(world)}/tranches/{ready}/payments",
        {"amount": "30000", "paid_on": TODAY},
    )

    page = client.get("/portfolio").text

    assert "€100,000.00 granted" in page
    assert "€30,000.00 paid, €70,000.00 remaining" in page
    assert "No financing plan to compare with" in page
    assert (
        "Interim payment 1: waiting for the report “Rapport financier” to be accepted."
        in page
    )
