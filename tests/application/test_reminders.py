"""The service's reminder commands, on the three stores: issued once, delivered
once, only while a report is due and to people of the consortium; each consortium
chooses its days."""

from __future__ import annotations

from uuid import UUID

import pytest

from governance.actor import SCHEDULER, Actor
from governance.application import Governance
from governance.errors import Conflict, NotPermitted, RuleViolated
from governance.reminder import Reminder, ReminderSchedule
from governance.reminder_rules import schedule_id
from governance.values import MemberRole, ReminderChannel
from tests.support.builders import founded_consortium, person_in_role, scheduled_report


@pytest.fixture
def consortium_id(app: Governance, coordinator: Actor) -> UUID:
    return founded_consortium(app, coordinator)


@pytest.fixture
def pilot(app: Governance, coordinator: Actor, consortium_id: UUID) -> Actor:
    return person_in_role(
        app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )


def test_a_reminder_is_issued_once_by_the_scheduler(
    app: Governance, coordinator: Actor, consortium_id: UUID, pilot: Actor
) -> None:
    report = scheduled_report(app, coordinator, consortium_id)
    position = app.request_reminder(report, -7, pilot.account_id, 0)

    with pytest.raises(Conflict):
        app.request_reminder(report, -7, pilot.account_id, 0)

    events = app.recorder.select_notifications(start=position, limit=10)
    assert len(events) == 1
    stored = app.mapper.to_domain_event(events[0])
    assert isinstance(stored, Reminder.Requested)
    assert stored.actor_id == SCHEDULER
    assert stored.recipient_id == pilot.account_id


def test_no_reminder_for_a_submitted_report_or_a_stranger(
    app: Governance, coordinator: Actor, consortium_id: UUID, pilot: Actor
) -> None:
    report = scheduled_report(app, coordinator, consortium_id)
    with pytest.raises(RuleViolated) as stranger:
        app.request_reminder(report, -7, "acc-nobody", 0)
    app.draft_report(pilot, report, "Fait.")
    app.submit_report(pilot, report)
    with pytest.raises(RuleViolated) as submitted:
        app.request_reminder(report, -1, pilot.account_id, 0)

    assert stranger.value.code == "reminder.recipient_not_a_member"
    assert submitted.value.code == "reminder.report_not_due"


def test_a_delivery_is_recorded_once(
    app: Governance, coordinator: Actor, consortium_id: UUID, pilot: Actor
) -> None:
    report = scheduled_report(app, coordinator, consortium_id)
    app.request_reminder(report, 0, pilot.account_id, 0)
    reminder_id = Reminder.create_id(
        str(report), app.repository.get(report).due_on, 0, pilot.account_id
    )
    app.record_reminder_sent(reminder_id, ReminderChannel.DIGEST, "<digest.1@x>")

    with pytest.raises(RuleViolated):
        app.record_reminder_sent(reminder_id, ReminderChannel.EMAIL, "<again@x>")

    reminder = app.repository.get(reminder_id)
    assert reminder.channel is ReminderChannel.DIGEST


def test_coordinators_and_the_pilot_team_choose_the_days(
    app: Governance, coordinator: Actor, consortium_id: UUID, pilot: Actor
) -> None:
    member = person_in_role(
        app, coordinator, consortium_id, "acc-m", MemberRole.FINANCER
    )
    first = app.set_reminder_schedule(coordinator, consortium_id, (21, 3))
    same = app.set_reminder_schedule(pilot, consortium_id, (3, 21))
    changed = app.set_reminder_schedule(pilot, consortium_id, (10,))
    with pytest.raises(NotPermitted):
        app.set_reminder_schedule(member, consortium_id, (5,))
    with pytest.raises(RuleViolated):
        app.set_reminder_schedule(coordinator, consortium_id, (0,))

    schedule = app.repository.get(schedule_id(str(consortium_id)))
    assert isinstance(schedule, ReminderSchedule)
    assert first is not None
    assert changed is not None
    assert same is None
    assert schedule.days_before == (10,)
