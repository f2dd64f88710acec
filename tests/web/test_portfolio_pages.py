"""A financer's portfolio: the funded consortia at a glance, and only those."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import ContributionKind, Funding, Pledge, ReportKind
from tests.web.conftest import World, login, stores_of


def coordinator_of(client: TestClient, world: World) -> Actor:
    account = stores_of(client).accounts.by_email(world.emails["coordinator"])
    assert account is not None
    return Actor(account.account_id)


def test_the_portfolio_shows_reporting_money_and_warnings(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    governance, coordinator = stores.governance, coordinator_of(client, world)
    today = datetime.now(UTC).date()
    for title, due in (
        ("Late", today - timedelta(days=3)),
        ("Soon", today + timedelta(days=9)),
    ):
        governance.schedule_report(
            coordinator,
            world.consortium_id,
            funder="Région",
            title=title,
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=None,
            due_on=due,
        )
    governance.pledge(
        coordinator,
        world.consortium_id,
        world.lead_id,
        Pledge(
            kind=ContributionKind.FINANCIAL,
            amount=Decimal("1000"),
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            covers="Pilotage",
            funding=Funding.CO_FINANCING,
        ),
    )
    stores.read_side.catch_up()
    login(client, world.emails["financer"])

    page = client.get("/portfolio").text
    menu = client.get("/consortia").text

    assert "Inclusion Numérique" in page
    assert "1 overdue" in page
    assert "next due on" in page
    assert "€1,000.00" in page
    assert "warning" in page
    assert 'href="/portfolio"' in menu


def test_a_person_who_funds_nothing_sees_an_empty_portfolio_and_no_link(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])

    page = client.get("/portfolio")
    menu = client.get("/consortia").text

    assert page.status_code == 200
    assert "You fund no consortium here yet." in page.text
    assert "Inclusion Numérique" not in page.text
    assert 'href="/portfolio"' not in menu


def test_the_portfolio_needs_a_login(client: TestClient) -> None:
    response = client.get("/portfolio", follow_redirects=False)
    assert response.status_code in (302, 303)
