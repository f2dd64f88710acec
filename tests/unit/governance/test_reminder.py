"""The Reminder and ReminderSchedule aggregates."""

from __future__ import annotations

from datetime import date

import pytest

from governance.errors import RuleViolated
from governance.reminder import Reminder, ReminderSchedule
from governance.reminder_rules import (
    DEFAULT_DAYS_BEFORE,
    MAX_DAYS_BEFORE,
    check_days_before,
    reminder_id,
    schedule_id,
)
from governance.values import ReminderChannel

DUE = date(2026, 9, 30)


def a_reminder(stage: int = -7, recipient: str = "pilot") -> Reminder:
    return Reminder(
        consortium_id="c-1",
        obligation_id="report-1",
        due_on=DUE,
        stage=stage,
        recipient_id=recipient,
        escalation=0,
    )


def test_a_reminder_id_is_its_key(acting: str) -> None:
    assert a_reminder().id == reminder_id("report-1", DUE, -7, "pilot")
    assert a_reminder().id == a_reminder().id
    assert a_reminder(stage=-1).id != a_reminder().id
    assert a_reminder(recipient="coord").id != a_reminder().id


def test_a_reminder_is_delivered_once(acting: str) -> None:
    reminder = a_reminder()
    reminder.mark_sent(ReminderChannel.EMAIL, "<reminder.1@x>")

    with pytest.raises(RuleViolated) as refused:
        reminder.mark_sent(ReminderChannel.IN_APP, "")

    assert refused.value.code == "reminder.already_sent"
    assert reminder.channel is ReminderChannel.EMAIL
    assert reminder.message_id == "<reminder.1@x>"


def test_an_email_delivery_names_its_message(acting: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        a_reminder().mark_sent(ReminderChannel.EMAIL, "")
    assert refused.value.code == "reminder.message_id_required"


@pytest.mark.parametrize(
    ("days", "expected"),
    [((1, 30, 7, 14), (30, 14, 7, 1)), ((7, 7), (7,)), ((), ())],
)
def test_days_before_are_kept_largest_first_each_once(
    days: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    assert check_days_before(days) == expected


@pytest.mark.parametrize(
    ("days", "code"),
    [
        ((0,), "reminder.days_out_of_range"),
        ((MAX_DAYS_BEFORE + 1,), "reminder.days_out_of_range"),
        (tuple(range(1, 10)), "reminder.too_many_stages"),
    ],
)
def test_nonsense_days_are_refused(days: tuple[int, ...], code: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        check_days_before(days)
    assert refused.value.code == code


def test_a_schedule_changes_only_when_the_days_change(acting: str) -> None:
    schedule = ReminderSchedule.set("c-1", (14, 3))
    schedule.collect_events()

    schedule.change((3, 14))
    unchanged = list(schedule.collect_events())
    schedule.change((21,))

    assert schedule.id == schedule_id("c-1")
    assert unchanged == []
    assert schedule.days_before == (21,)
    assert DEFAULT_DAYS_BEFORE == (30, 14, 7, 1)
