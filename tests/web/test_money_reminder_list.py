"""A reminder about money shows in the person's notifications list with the current
state of what it is about and a link to its page: a partner's statement due with a
report (then submitted), a tranche ready to be paid (then paid)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    TrancheKind,
    grant_id,
)
from governance.values import Phase, ReportKind
from tests.support.expenses import a_declared_expense
from tests.web.conftest import World, login, stores_of


def account_id(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def test_a_statement_reminder_says_it_is_due_then_that_it_was_submitted(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    g = stores.governance
    coordinator = Actor(account_id(client, world.emails["coordinator"]))
    member = account_id(client, world.emails["member"])
    report = UUID(
        g.schedule_report(
            coordinator,
            world.consortium_id,
            funder="Banque fictive",
            title="Rapport intermédiaire",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=None,
            due_on=datetime.now(UTC).date() + timedelta(days=7),
        ).id
    )
    g.request_statement_reminder(
        world.consortium_id, report, world.partner_id, -7, member, 0
    )
    stores.read_side.catch_up()
    login(client, world.emails["member"])

    due = client.get("/notifications").text
    g.declare_expense(
        Actor(member),
        world.consortium_id,
        report,
        world.partner_id,
        a_declared_expense(),
    )
    g.submit_statements(coordinator, world.consortium_id, report)
    stores.read_side.catch_up()
    submitted = client.get("/notifications").text

    said = "The expense statement of Partner Co for Rapport intermédiaire"
    assert f"{said} is due on" in due
    assert f'href="/consortia/{world.consortium_id}/expenses"' in due
    assert f"{said}, due on" in submitted
    assert "has been submitted" in submitted
    assert f"{said} is due on" not in submitted


def test_a_tranche_reminder_says_it_can_be_paid_then_that_it_was_paid(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    g = stores.governance
    coordinator = Actor(account_id(client, world.emails["coordinator"]))
    financer = account_id(client, world.emails["financer"])
    cid = world.consortium_id
    for phase, day in (
        (Phase.APPLICATION_SUBMITTED, date(2026, 1, 10)),
        (Phase.SELECTED, date(2026, 1, 20)),
        (Phase.AGREEMENT_SIGNED, date(2026, 1, 30)),
    ):
        g.change_phase(coordinator, cid, phase, day)
    g.set_grant(
        Actor(financer),
        cid,
        GrantTerms(Decimal(1000), Decimal(50)),
        [PlannedTranche(TrancheKind.ADVANCE, "Avance", Decimal(600))],
    )
    grant: Grant = g.repository.get(grant_id(str(cid)))
    tranche = grant.tranches[0].tranche_id
    today = datetime.now(UTC).date()
    g.request_tranche_reminder(cid, tranche, today, 0, financer, 0)
    stores.read_side.catch_up()
    login(client, world.emails["financer"])

    ready = client.get("/notifications").text
    g.record_payment(Actor(financer), cid, tranche, Decimal(600), today)
    stores.read_side.catch_up()
    paid = client.get("/notifications").text

    assert "The tranche Avance can be paid since" in ready
    assert f'href="/consortia/{cid}/funding"' in ready
    assert "The tranche Avance, ready since" in paid
    assert "has been paid" in paid
    assert "can be paid since" not in paid
