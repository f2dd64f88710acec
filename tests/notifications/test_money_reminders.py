"""Money joins the reminder ladder: a partner's expense statement due with a report is
reminded to the members representing the partner, and a tranche ready to be paid to
the financers, through the same durable pipeline as reports (recorded, sent to a
real SMTP server once, recorded as sent); a statement submitted, or a tranche paid,
is no longer reminded."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from governance.actor import Actor
from governance.errors import RuleViolated
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    TrancheKind,
    grant_id,
)
from governance.financing.statement_values import statement_id
from governance.values import Phase, ReminderChannel
from notifications.scheduler import Jobs
from projections.partners import partners_of
from projections.reminders import ReminderRow, _reminder, reminders
from tests.notifications.conftest import DUE_ON, PARIS, Reminded, at_paris, walk
from tests.support.expenses import a_declared_expense
from tests.support.fakes import FixedClock
from tests.support.financing import an_expense
from tests.support.smtp import SmtpServer
from web.ops.storage import Stores

ADVANCE = Decimal("30000.00")


def partner_ids(stores: Stores, reminded: Reminded) -> dict[str, str]:
    with stores.read_side.engine.connect() as connection:
        return {
            p.name: p.partner_id
            for p in partners_of(connection, str(reminded.consortium_id))
        }


def issued_for(stores: Stores, subject: str) -> list[ReminderRow]:
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        rows = connection.execute(
            select(reminders)
            .where(reminders.c.obligation_id == subject)
            .order_by(reminders.c.stage, reminders.c.recipient_id)
        )
        return [_reminder(r) for r in rows]


@pytest.fixture
def statement(stores: Stores, reminded: Reminded) -> str:
    """The Tiers-lieu has costs in the financing plan: its statement is due with
    the report (the "other" member represents it); the lead partner has none."""
    tiers_lieu = partner_ids(stores, reminded)["Tiers-lieu"]
    stores.governance.plan_expense(
        Actor(reminded.coordinator),
        reminded.consortium_id,
        an_expense(partner_id=tiers_lieu),
    )
    stores.read_side.catch_up()
    return str(
        statement_id(str(reminded.consortium_id), str(reminded.report_id), tiers_lieu)
    )


def test_a_week_before_the_report_the_partner_s_member_gets_one_email_of_its_statement(
    stores: Stores,
    reminded: Reminded,
    statement: str,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    clock.advance(at_paris(DUE_ON - timedelta(days=7), 7, 5) - clock.now())
    jobs.tick()
    jobs.tick()
    jobs.tick()

    [reminder] = issued_for(stores, statement)
    [mail] = [m for m in smtp.received if m["To"] == reminded.emails["other"]]
    assert reminder.recipient_id == reminded.other_member
    assert reminder.stage == -7
    assert reminder.due_on == DUE_ON
    assert reminder.channel is ReminderChannel.EMAIL
    assert mail["Message-ID"] == reminder.message_id
    assert "Tiers-lieu" in mail["Subject"]
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    assert "L’état des dépenses de Tiers-lieu pour le rapport «\xa0Rapport" in text
    link = f"https://ledger.example/consortia/{reminded.consortium_id}/expenses"
    assert link in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{link}"' in html.get_content()
    # Nobody else is reminded of a statement: the lead partner plans no cost.
    assert not [m for m in smtp.received if m["To"] == reminded.emails["steering"]]


def test_a_statement_is_reminded_on_the_report_s_ladder_until_it_is_submitted(
    stores: Stores,
    reminded: Reminded,
    statement: str,
    jobs: Jobs,
    clock: FixedClock,
) -> None:
    walk(clock, jobs, at_paris(DUE_ON - timedelta(days=7), 8), timedelta(hours=6))
    governance = stores.governance
    tiers_lieu = partner_ids(stores, reminded)["Tiers-lieu"]
    governance.declare_expense(
        Actor(reminded.other_member),
        reminded.consortium_id,
        reminded.report_id,
        tiers_lieu,
        a_declared_expense(),
    )
    walk(clock, jobs, at_paris(DUE_ON - timedelta(days=1), 8), timedelta(hours=6))
    governance.submit_statements(
        Actor(reminded.coordinator), reminded.consortium_id, reminded.report_id
    )

    walk(clock, jobs, at_paris(DUE_ON + timedelta(days=30), 8), timedelta(hours=6))

    assert [r.stage for r in issued_for(stores, statement)] == [-30, -14, -7, -1]
    assert {r.recipient_id for r in issued_for(stores, statement)} == {
        reminded.other_member
    }


def test_the_scheduler_is_refused_a_reminder_of_a_submitted_statement(
    stores: Stores, reminded: Reminded, statement: str
) -> None:
    governance = stores.governance
    tiers_lieu = partner_ids(stores, reminded)["Tiers-lieu"]
    governance.declare_expense(
        Actor(reminded.other_member),
        reminded.consortium_id,
        reminded.report_id,
        tiers_lieu,
        a_declared_expense(),
    )
    governance.submit_statements(
        Actor(reminded.coordinator), reminded.consortium_id, reminded.report_id
    )
    before = governance.recorder.max_notification_id()

    with pytest.raises(RuleViolated):
        governance.request_statement_reminder(
            reminded.consortium_id,
            reminded.report_id,
            tiers_lieu,
            -7,
            reminded.other_member,
            0,
        )
    assert governance.recorder.max_notification_id() == before


def grant_an_advance(stores: Stores, reminded: Reminded, *, signed: bool) -> str:
    """The financer's grant with an advance at signature; the convention signed
    (the advance ready to be paid) or not."""
    governance = stores.governance
    coordinator = Actor(reminded.coordinator)
    governance.set_grant(
        Actor(reminded.financer),
        reminded.consortium_id,
        GrantTerms(Decimal("100000.00"), Decimal("70"), date(2026, 1, 1), None),
        [PlannedTranche(TrancheKind.ADVANCE, "Avance", ADVANCE)],
    )
    if signed:
        for phase, day in (
            (Phase.SELECTED, date(2026, 6, 2)),
            (Phase.AGREEMENT_SIGNED, date(2026, 7, 1)),
        ):
            governance.change_phase(coordinator, reminded.consortium_id, phase, day)
    stores.read_side.catch_up()
    grant = governance.repository.get(grant_id(str(reminded.consortium_id)))
    return str(grant.tranches[0].tranche_id)


def test_a_tranche_ready_to_be_paid_is_reminded_to_the_financer_then_on_the_ladder(
    stores: Stores,
    reminded: Reminded,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    tranche = grant_an_advance(stores, reminded, signed=True)
    day = clock.now().astimezone(PARIS).date()
    jobs.tick()  # 6 a.m. in Paris: nothing before the sending hour
    assert issued_for(stores, tranche) == []

    walk(clock, jobs, at_paris(day, 12), timedelta(hours=2))

    [reminder] = issued_for(stores, tranche)
    [mail] = [m for m in smtp.received if m["To"] == reminded.emails["financer"]]
    assert (reminder.recipient_id, reminder.stage, reminder.due_on) == (
        reminded.financer,
        0,
        day,
    )
    assert reminder.channel is ReminderChannel.EMAIL
    assert mail["Message-ID"] == reminder.message_id
    assert "Avance" in mail["Subject"]
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    assert "La tranche «\xa0Avance\xa0» de Val de Brume numérique peut être" in text
    assert f"https://ledger.example/consortia/{reminded.consortium_id}/funding" in text

    walk(clock, jobs, at_paris(day + timedelta(days=8), 12), timedelta(hours=6))
    stages = [r.stage for r in issued_for(stores, tranche)]
    assert stages == [0, 1, 7]
    assert {r.recipient_id for r in issued_for(stores, tranche)} == {reminded.financer}
    stores.governance.record_payment(
        Actor(reminded.financer),
        reminded.consortium_id,
        tranche,
        ADVANCE,
        day + timedelta(days=8),
    )

    walk(clock, jobs, at_paris(day + timedelta(days=40), 12), timedelta(hours=6))
    assert [r.stage for r in issued_for(stores, tranche)] == [0, 1, 7]
    sent = [m for m in smtp.received if m["To"] == reminded.emails["financer"]]
    assert len(sent) == 3


def test_a_tranche_whose_condition_does_not_hold_is_not_reminded(
    stores: Stores,
    reminded: Reminded,
    jobs: Jobs,
    clock: FixedClock,
) -> None:
    tranche = grant_an_advance(stores, reminded, signed=False)
    walk(clock, jobs, clock.now() + timedelta(days=3), timedelta(hours=6))

    assert issued_for(stores, tranche) == []
    before = stores.governance.recorder.max_notification_id()
    with pytest.raises(RuleViolated):
        stores.governance.request_tranche_reminder(
            reminded.consortium_id,
            tranche,
            date(2026, 8, 1),
            0,
            reminded.financer,
            0,
        )
    assert stores.governance.recorder.max_notification_id() == before


def test_only_a_financer_may_be_reminded_of_a_tranche(
    stores: Stores, reminded: Reminded
) -> None:
    tranche = grant_an_advance(stores, reminded, signed=True)

    with pytest.raises(RuleViolated):
        stores.governance.request_tranche_reminder(
            reminded.consortium_id,
            tranche,
            date(2026, 8, 1),
            0,
            reminded.coordinator,
            0,
        )
    stores.governance.request_tranche_reminder(
        reminded.consortium_id, tranche, date(2026, 8, 1), 0, reminded.financer, 0
    )
    [reminder] = issued_for(stores, tranche)
    assert reminder.recipient_id == reminded.financer


def test_a_financer_on_the_daily_digest_reads_the_tranche_in_it_in_english(
    stores: Stores,
    reminded: Reminded,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    stores.accounts.update_preferences(
        reminded.financer, delivery="digest", language="en"
    )
    tranche = grant_an_advance(stores, reminded, signed=True)
    day = clock.now().astimezone(PARIS).date()

    walk(clock, jobs, at_paris(day, 9), timedelta(minutes=30))

    [reminder] = issued_for(stores, tranche)
    [digest] = [m for m in smtp.received if m["To"] == reminded.emails["financer"]]
    assert reminder.channel is ReminderChannel.DIGEST
    text = str(digest.get_body(preferencelist=("plain",)).get_content())
    assert (
        'The tranche "Avance" of Val de Brume numérique can be paid: its condition'
        " holds since"
    ) in text
    assert f"https://ledger.example/consortia/{reminded.consortium_id}/funding" in text
    html = digest.get_body(preferencelist=("html",))
    assert html is not None
    assert "Open the funding" in html.get_content()
