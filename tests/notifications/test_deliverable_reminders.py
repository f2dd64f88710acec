"""Deliverables due join the reminder ladder: the members of the responsible partner
are reminded through the same durable pipeline as for reports (recorded, then sent
to a real SMTP server, then recorded as sent), coordinators and the steering body as
the deliverable gets late; a deliverable handed in is no longer reminded."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from governance.actor import Actor
from governance.errors import RuleViolated
from governance.values import ReminderChannel
from notifications.scheduler import Jobs
from projections.history import history_of
from projections.partners import partners_of
from projections.reminders import ReminderRow, _reminder, reminders
from tests.notifications.conftest import Reminded, at_paris, walk
from tests.support.builders import an_evidence
from tests.support.fakes import FixedClock
from tests.support.smtp import SmtpServer
from web.ops.storage import Stores

DELIVERABLE_DUE = date(2026, 11, 16)  # a Monday, weeks after the report's


def plan_a_deliverable(stores: Stores, reminded: Reminded) -> str:
    """A deliverable of the Tiers-lieu (the "other" member represents it)."""
    governance = stores.governance
    coordinator = Actor(reminded.coordinator)
    cid = reminded.consortium_id
    with stores.read_side.engine.connect() as connection:
        ids = {p.name: p.partner_id for p in partners_of(connection, str(cid))}
    package = governance.define_work_package(
        coordinator,
        cid,
        code="WP1",
        title="Médiation",
        lead_id=ids["Communauté du Val"],
        participants=[ids["Tiers-lieu"]],
    ).id
    deliverable = governance.plan_deliverable(
        coordinator,
        cid,
        package_id=package,
        title="Guide des permanences",
        due_on=DELIVERABLE_DUE,
        responsible_id=ids["Tiers-lieu"],
    ).id
    stores.read_side.catch_up()
    return deliverable


def issued_for(stores: Stores, deliverable_id: str) -> list[ReminderRow]:
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        rows = connection.execute(
            select(reminders)
            .where(reminders.c.obligation_id == deliverable_id)
            .order_by(reminders.c.stage, reminders.c.recipient_id)
        )
        return [_reminder(r) for r in rows]


@pytest.fixture
def deliverable_id(stores: Stores, reminded: Reminded) -> str:
    return plan_a_deliverable(stores, reminded)


def test_a_week_before_the_partner_s_member_gets_one_email_with_its_link(
    stores: Stores,
    reminded: Reminded,
    deliverable_id: str,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    clock.advance(at_paris(DELIVERABLE_DUE - timedelta(days=7), 7, 5) - clock.now())
    jobs.tick()
    jobs.tick()

    [reminder] = issued_for(stores, deliverable_id)
    [mail] = [m for m in smtp.received if m["To"] == reminded.emails["other"]]
    assert reminder.recipient_id == reminded.other_member
    assert reminder.stage == -7
    assert reminder.channel is ReminderChannel.EMAIL
    assert mail["Message-ID"] == reminder.message_id
    assert "Guide des permanences" in mail["Subject"]
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    assert "Le livrable «\xa0Guide des permanences\xa0»" in text
    link = (
        f"https://ledger.example/consortia/{reminded.consortium_id}"
        f"/workplan/deliverables/{deliverable_id}"
    )
    assert link in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{link}"' in html.get_content()


def test_every_stage_once_widening_to_coordinators_and_the_steering_body(
    stores: Stores,
    reminded: Reminded,
    deliverable_id: str,
    jobs: Jobs,
    clock: FixedClock,
    smtp: SmtpServer,
) -> None:
    walk(
        clock,
        jobs,
        at_paris(DELIVERABLE_DUE + timedelta(days=10), 12),
        timedelta(hours=6),
    )

    by_stage: dict[int, set[str]] = {}
    for row in issued_for(stores, deliverable_id):
        by_stage.setdefault(row.stage, set()).add(row.recipient_id)
    member = {reminded.other_member}
    coordinators = member | {reminded.coordinator}
    assert by_stage == {
        -30: member,
        -14: member,
        -7: member,
        -1: member,
        0: member,
        1: coordinators,
        7: coordinators | {reminded.steering_member},
    }
    sent = {row.message_id for row in issued_for(stores, deliverable_id)}
    assert sent <= set(smtp.sink.message_ids())


def test_a_deliverable_handed_in_is_no_longer_reminded(
    stores: Stores,
    reminded: Reminded,
    deliverable_id: str,
    jobs: Jobs,
    clock: FixedClock,
) -> None:
    walk(
        clock,
        jobs,
        at_paris(DELIVERABLE_DUE - timedelta(days=7), 8),
        timedelta(hours=6),
    )
    stores.governance.submit_deliverable(
        Actor(reminded.other_member),
        reminded.consortium_id,
        deliverable_id,
        an_evidence(),
    )

    walk(
        clock,
        jobs,
        at_paris(DELIVERABLE_DUE + timedelta(days=30), 8),
        timedelta(hours=6),
    )

    assert [r.stage for r in issued_for(stores, deliverable_id)] == [-30, -14, -7]


def test_the_history_tells_whom_the_scheduler_reminded_of_the_deliverable(
    stores: Stores,
    reminded: Reminded,
    deliverable_id: str,
    jobs: Jobs,
    clock: FixedClock,
) -> None:
    clock.advance(at_paris(DELIVERABLE_DUE - timedelta(days=7), 7, 5) - clock.now())
    jobs.tick()
    stores.read_side.catch_up()

    with stores.read_side.engine.connect() as connection:
        page = history_of(connection, str(reminded.consortium_id), limit=500)
    [entry] = [e for e in page.entries if e.kind == "deliverable_reminder_requested"]
    assert entry.about_kind == "deliverable"
    assert entry.about_id == deliverable_id
    assert entry.params["title"] == "Guide des permanences"
    assert entry.subject_id == reminded.other_member


def test_the_scheduler_refuses_a_reminder_of_a_deliverable_no_longer_due(
    stores: Stores, reminded: Reminded, deliverable_id: str
) -> None:
    governance = stores.governance
    governance.submit_deliverable(
        Actor(reminded.coordinator),
        reminded.consortium_id,
        deliverable_id,
        an_evidence(),
    )
    before = governance.recorder.max_notification_id()

    with pytest.raises(RuleViolated):
        governance.request_deliverable_reminder(
            UUID(str(reminded.consortium_id)),
            deliverable_id,
            -7,
            reminded.other_member,
            0,
        )
    assert governance.recorder.max_notification_id() == before
