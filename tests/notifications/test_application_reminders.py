"""The application's closing date joins the reminder ladder: while the consortium is
setting up, its coordinators are reminded of the call's next closing date through
the same durable pipeline as reports (recorded, sent to a real SMTP server,
recorded as sent), the history says so in words; once the application is filed, or
the wave closed, nothing more is reminded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from governance.actor import Actor
from governance.call.values import application_deadline_id
from governance.errors import RuleViolated
from governance.values import Phase, ReminderChannel
from notifications.scheduler import Jobs
from projections.history import history_of
from projections.reminders import ReminderRow, _reminder, reminders
from tests.notifications.conftest import Reminded, at_paris, build_reminded, walk
from tests.support.fakes import FixedClock
from tests.support.smtp import SmtpServer
from web.ops.storage import Stores

CLOSES = date(2026, 10, 31)  # the call's second wave (the first closed in April)


@pytest.fixture
def setting_up(stores: Stores, clock: FixedClock) -> Reminded:
    """The consortium, still setting up: its application is not filed yet."""
    return build_reminded(stores, clock, applied=False)


def issued_for(stores: Stores, reminded: Reminded) -> list[ReminderRow]:
    stores.read_side.catch_up()
    deadline = application_deadline_id(str(reminded.consortium_id), CLOSES)
    with stores.read_side.engine.connect() as connection:
        rows = connection.execute(
            select(reminders)
            .where(reminders.c.obligation_id == deadline)
            .order_by(reminders.c.stage, reminders.c.recipient_id)
        )
        return [_reminder(r) for r in rows]


def test_a_week_before_the_call_closes_the_coordinator_gets_one_email_with_its_link(
    stores: Stores,
    setting_up: Reminded,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    clock.advance(at_paris(CLOSES - timedelta(days=7), 7, 5) - clock.now())
    jobs.tick()
    jobs.tick()

    [reminder] = issued_for(stores, setting_up)
    [mail] = [
        m
        for m in smtp.received
        if m["To"] == setting_up.emails["coordinator"]
        and m["Message-ID"] == reminder.message_id
    ]
    assert reminder.recipient_id == setting_up.coordinator
    assert reminder.stage == -7
    assert reminder.channel is ReminderChannel.EMAIL
    assert mail["Message-ID"] == reminder.message_id
    assert "Territoires intelligents et durables" in mail["Subject"]
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    link = f"https://ledger.example/consortia/{setting_up.consortium_id}/call"
    assert link in text
    assert "the application of Val de Brume numérique is still to be filed" in (
        text.replace("\n", " ")
    ) or "la candidature de Val de Brume numérique" in text.replace("\n", " ")
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{link}"' in html.get_content()


def test_every_stage_before_the_closing_date_once_and_none_after(
    stores: Stores, setting_up: Reminded, jobs: Jobs, clock: FixedClock
) -> None:
    walk(clock, jobs, at_paris(CLOSES + timedelta(days=10), 12), timedelta(hours=6))

    stages = [(r.stage, r.recipient_id) for r in issued_for(stores, setting_up)]
    assert stages == [(s, setting_up.coordinator) for s in (-30, -14, -7, -1, 0)]
    with stores.read_side.engine.connect() as connection:
        page = history_of(connection, str(setting_up.consortium_id))
    told = [e for e in page.entries if e.kind == "application_reminder_requested"]
    assert len(told) == 5
    assert {e.about_kind for e in told} == {"call"}


def test_once_the_application_is_filed_the_closing_date_is_not_reminded(
    stores: Stores, setting_up: Reminded, jobs: Jobs, clock: FixedClock
) -> None:
    stores.governance.change_phase(
        Actor(setting_up.coordinator),
        setting_up.consortium_id,
        Phase.APPLICATION_SUBMITTED,
        date(2026, 8, 1),
    )
    walk(clock, jobs, at_paris(CLOSES + timedelta(days=2), 12), timedelta(hours=12))

    assert issued_for(stores, setting_up) == []


def test_the_scheduler_is_refused_a_reminder_of_a_day_the_call_does_not_close(
    stores: Stores, setting_up: Reminded
) -> None:
    before = stores.governance.recorder.max_notification_id()

    with pytest.raises(RuleViolated):
        stores.governance.request_application_reminder(
            setting_up.consortium_id,
            date(2026, 11, 2),
            -7,
            setting_up.coordinator,
            0,
        )
    assert stores.governance.recorder.max_notification_id() == before


def test_my_deadlines_and_the_calendar_feed_list_the_closing_date(
    stores: Stores, setting_up: Reminded, clock: FixedClock
) -> None:
    from projections.application_deadlines import application_deadlines_of_account

    with stores.read_side.engine.connect() as connection:
        mine = application_deadlines_of_account(
            connection, setting_up.coordinator, clock.now().date()
        )
        pilot = application_deadlines_of_account(
            connection, setting_up.pilot, clock.now().date()
        )

    # The April wave closed before today (1 August): only October's is ahead.
    assert [(a.closing_on, a.call_name) for a in mine] == [
        (CLOSES, "Territoires intelligents et durables")
    ]
    assert [a.closing_on for a in pilot] == [CLOSES]
