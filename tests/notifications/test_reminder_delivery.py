"""Reminders from the policy to a real SMTP server: the e-mails, their Message-IDs,
the digest and in-app choices, the escalation, and what stops reminders.

Each test walks the fixed clock through the weeks around a deadline and runs the
scheduler's tick as the scheduler would; the mails are parsed as received.
"""

from __future__ import annotations

import mailbox
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from governance.actor import Actor
from governance.values import ReminderChannel
from notifications.mail import MailboxTransport, build_email
from notifications.outbox import Message
from notifications.scheduler import Jobs
from projections.reminders import ReminderRow, reminders
from tests.notifications.conftest import (
    DUE_ON,
    Reminded,
    at_paris,
    build_reminded,
    pipeline_of,
    walk,
)
from tests.support.fakes import FixedClock
from tests.support.smtp import SmtpServer
from web.ops.jobs import MAILBOX_FILE, make_jobs
from web.ops.storage import Stores
from web.settings import Settings


def issued(stores: Stores) -> list[ReminderRow]:
    from projections.reminders import _reminder

    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        rows = connection.execute(select(reminders).order_by(reminders.c.stage))
        return [_reminder(r) for r in rows]


def body_of(message: object) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def test_a_week_before_the_deadline_the_responsible_person_gets_one_email(
    stores: Stores,
    reminded: Reminded,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    # Given a report due on 30 September, the pilot team responsible
    # When the scheduler runs on the morning seven days before, twice
    clock.advance(at_paris(DUE_ON - timedelta(days=7), 7, 5) - clock.now())
    jobs.tick()
    jobs.tick()
    # Then one e-mail reached the pilot, in French, with the link and a stable id
    [mail] = smtp.received
    [reminder] = issued(stores)
    assert mail["To"] == reminded.emails["pilot"]
    assert mail["Message-ID"] == f"<reminder.{reminder.reminder_id}@ledger.example>"
    assert (
        "Rappel : Rapport d'activité 1 attendu le 30 septembre 2026" in mail["Subject"]
    )
    text = body_of(mail)
    assert "dans 7 jours" in text
    link = f"https://ledger.example/consortia/{reminded.consortium_id}/reports/"
    assert link + str(reminded.report_id) in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{link}{reminded.report_id}"' in html.get_content()
    assert mail["Auto-Submitted"] == "auto-generated"
    # And the reminder is recorded as requested by the scheduler and sent by e-mail
    assert reminder.stage == -7
    assert reminder.recipient_id == reminded.pilot
    assert reminder.channel is ReminderChannel.EMAIL
    assert reminder.message_id == mail["Message-ID"]


def test_nothing_is_sent_before_seven_in_the_morning_of_a_stage(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    # Given the scheduler ran the day before (the J-14 reminder went then)
    clock.advance(at_paris(DUE_ON - timedelta(days=8), 12) - clock.now())
    jobs.tick()
    sent_before = len(smtp.received)
    # When it runs at 6:59 and at 7:00 on the day of the J-7 stage
    clock.advance(at_paris(DUE_ON - timedelta(days=7), 6, 59) - clock.now())
    jobs.tick()
    at_six_fifty_nine = len(smtp.received)
    clock.advance(timedelta(minutes=1))
    jobs.tick()
    # Then the J-7 reminder left at 7:00, not before
    assert sent_before == at_six_fifty_nine == 1
    assert len(smtp.received) == 2


def test_every_stage_once_and_escalation_after_the_deadline(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    # When the scheduler ticks every hour from two months before to three after
    walk(clock, jobs, at_paris(DUE_ON + timedelta(days=90), 12), timedelta(hours=1))
    rows = issued(stores)
    by_stage: dict[int, set[str]] = {}
    for row in rows:
        by_stage.setdefault(row.stage, set()).add(row.recipient_id)
    # Then each stage reminded its audience once, widening as the report is late
    pilot = {reminded.pilot}
    coordinators = pilot | {reminded.coordinator}
    steering = coordinators | {reminded.steering_member}
    assert by_stage == {
        -30: pilot,
        -14: pilot,
        -7: pilot,
        -1: pilot,
        0: pilot,
        1: coordinators,
        **dict.fromkeys((7, 14, 28, 42, 56, 70, 84), steering),
    }
    assert len(rows) == len({(r.stage, r.recipient_id) for r in rows})
    # And every reminder became exactly one e-mail, no Message-ID twice
    ids = smtp.sink.message_ids()
    assert len(ids) == len(rows) == len(set(ids))
    # The member of a partner outside the COPIL and the financer were never reminded
    assert not {reminded.other_member, reminded.financer} & {
        r.recipient_id for r in rows
    }


def test_a_submitted_report_is_no_longer_reminded(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    walk(clock, jobs, at_paris(DUE_ON - timedelta(days=7), 8), timedelta(hours=6))
    before = len(smtp.received)
    pilot = Actor(reminded.pilot)
    stores.governance.draft_report(pilot, reminded.report_id, "Douze ateliers.")
    stores.governance.submit_report(pilot, reminded.report_id)

    walk(clock, jobs, at_paris(DUE_ON + timedelta(days=30), 8), timedelta(hours=6))

    assert before == 3  # J-30, J-14, J-7
    assert len(smtp.received) == before


def test_a_reminder_issued_for_a_report_submitted_meanwhile_is_kept_in_app(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    # Given a reminder issued but not yet dispatched
    clock.advance(at_paris(DUE_ON - timedelta(days=1), 9) - clock.now())
    assert pipeline_of(jobs).issue(clock.now()) == 1
    # When the report is submitted before the dispatch
    pilot = Actor(reminded.pilot)
    stores.governance.draft_report(pilot, reminded.report_id, "Fait.")
    stores.governance.submit_report(pilot, reminded.report_id)
    jobs.tick()
    # Then no e-mail went out; the reminder stays visible in the application
    [row] = issued(stores)
    assert smtp.received == []
    assert row.channel is ReminderChannel.IN_APP


def test_in_app_only_sends_no_email(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    stores.accounts.update_preferences(reminded.pilot, delivery="in_app")

    walk(clock, jobs, at_paris(DUE_ON, 8), timedelta(hours=6))

    rows = issued(stores)
    assert [r.stage for r in rows] == [-30, -14, -7, -1, 0]
    assert {r.channel for r in rows} == {ReminderChannel.IN_APP}
    assert smtp.received == []


def test_a_daily_digest_gathers_the_days_reminders_at_eight(
    stores: Stores, clock: FixedClock, jobs: Jobs, smtp: SmtpServer
) -> None:
    # Given three reports due the same day, and a pilot who wants a daily digest
    world = build_reminded(stores, clock, reports=3)
    stores.accounts.update_preferences(world.pilot, delivery="digest", language="en")
    # When the scheduler runs at 7:30 and at 8:00 seven days before
    clock.advance(at_paris(DUE_ON - timedelta(days=7), 7, 30) - clock.now())
    jobs.tick()
    at_half_past_seven = len(smtp.received)
    clock.advance(timedelta(minutes=30))
    jobs.tick()
    jobs.tick()
    # Then one English digest lists the three, and each reminder records it
    assert at_half_past_seven == 0
    [digest] = smtp.received
    assert digest["Subject"] == "Your reporting reminders of 23 September 2026"
    text = body_of(digest)
    for n in (1, 2, 3):
        assert f"Rapport d'activité {n} (Val de Brume numérique" in text
    rows = issued(stores)
    assert len(rows) == 3
    assert {r.channel for r in rows} == {ReminderChannel.DIGEST}
    assert {r.message_id for r in rows} == {digest["Message-ID"]}


def test_a_revoked_member_is_no_longer_reminded(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    walk(clock, jobs, at_paris(DUE_ON, 8), timedelta(hours=12))
    stores.governance.revoke_membership(
        Actor(reminded.coordinator), reminded.consortium_id, reminded.steering_member
    )

    walk(clock, jobs, at_paris(DUE_ON + timedelta(days=30), 8), timedelta(hours=12))

    stages = {
        r.stage for r in issued(stores) if r.recipient_id == reminded.steering_member
    }
    assert stages == set()


def test_a_line_break_in_a_name_cannot_add_a_header() -> None:
    message = Message(
        message_id="<reminder.x@ledger.example>",
        recipient="pilot@reminded.example",
        subject="Rappel : Acme\r\nBcc: victim@x.test",
        text_body="Bonjour",
        html_body=None,
        language="fr",
    )

    email = build_email(
        message, sender="Ledger <no-reply@ledger.example>", now=at_paris(DUE_ON, 8)
    )

    assert email["Bcc"] is None
    assert email["Subject"] == "Rappel : Acme Bcc: victim@x.test"
    assert b"\nBcc:" not in email.as_bytes()


def test_the_counts_of_a_run_say_what_it_did(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    clock.advance(at_paris(DUE_ON, 8) - clock.now())

    counts = pipeline_of(jobs).run(clock.now())

    assert (counts.issued, counts.queued, counts.sent, counts.recorded) == (1, 1, 1, 1)
    assert Counter(m["To"] for m in smtp.received) == {reminded.emails["pilot"]: 1}


def test_without_smtp_the_mails_go_to_a_mailbox_file(
    stores: Stores, reminded: Reminded, mail_settings: Settings, clock: FixedClock
) -> None:
    # Given no SMTP server configured
    settings = replace(mail_settings, smtp=None)
    jobs = make_jobs(stores, settings, notices=False)
    jobs.now = clock.now
    clock.advance(at_paris(DUE_ON, 8) - clock.now())
    # When the scheduler runs
    try:
        jobs.tick()
    finally:
        jobs.stop()
    # Then the reminder is in the mailbox file, readable by any mail tool
    box = mailbox.mbox(mail_settings.data_dir / MAILBOX_FILE)
    try:
        [mail] = list(box)
    finally:
        box.close()
    assert mail["To"] == reminded.emails["pilot"]
    assert "aujourd'hui" in mail["Subject"] or "Rappel" in mail["Subject"]
    assert isinstance(pipeline_of(jobs).transport, MailboxTransport)
