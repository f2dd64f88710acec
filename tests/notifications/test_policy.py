"""The reminder policy as a pure function of deadlines and the time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.policy import (
    COORDINATORS,
    RESPONSIBLE,
    STEERING,
    Deadline,
    audience,
    current_stage,
    due_reminders,
    escalation_of,
    stage_moment,
    stages,
    window,
)

PARIS = ZoneInfo("Europe/Paris")
DUE = date(2026, 10, 30)  # the Friday before the end of summer time is 25 October


def a_deadline(**overrides: object) -> Deadline:
    values: dict[str, object] = {
        "obligation_id": "report-1",
        "consortium_id": "c-1",
        "due_on": DUE,
        "days_before": (30, 14, 7, 1),
        "responsible_id": "pilot",
        "coordinators": ("coord-a", "coord-b"),
        "steering": ("member-x", "pilot"),
    }
    values.update(overrides)
    return Deadline(**values)  # type: ignore[arg-type]


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def test_stages_run_from_the_first_day_before_to_twelve_weeks_after() -> None:
    assert stages((7, 30, 14, 1)) == (-30, -14, -7, -1, 0, 1, 7, 14, 28, 42, 56, 70, 84)
    assert stages(()) == (0, 1, 7, 14, 28, 42, 56, 70, 84)


def test_a_stage_falls_due_at_seven_in_paris_whatever_the_season() -> None:
    summer = stage_moment(DUE, -30)  # 30 September: UTC+2
    winter = stage_moment(DUE, 0)  # 30 October: UTC+1
    assert summer.astimezone(UTC).hour == 5
    assert winter.astimezone(UTC).hour == 6


def test_the_current_stage_is_the_latest_reached() -> None:
    days = (30, 14, 7, 1)
    before_all = paris(DUE - timedelta(days=30), 6, 59)
    assert current_stage(DUE, days, before_all) is None
    assert current_stage(DUE, days, paris(DUE - timedelta(days=30), 7)) == -30
    assert current_stage(DUE, days, paris(DUE - timedelta(days=8), 23)) == -14
    assert current_stage(DUE, days, paris(DUE, 7)) == 0
    assert current_stage(DUE, days, paris(DUE + timedelta(days=3), 7)) == 1
    assert current_stage(DUE, days, paris(DUE + timedelta(days=400), 7)) == 84


def test_escalation_widens_after_the_deadline() -> None:
    assert [escalation_of(s) for s in (-30, -1, 0, 1, 6, 7, 84)] == [
        RESPONSIBLE,
        RESPONSIBLE,
        RESPONSIBLE,
        COORDINATORS,
        COORDINATORS,
        STEERING,
        STEERING,
    ]
    deadline = a_deadline()
    assert audience(deadline, RESPONSIBLE) == ("pilot",)
    assert audience(deadline, COORDINATORS) == ("pilot", "coord-a", "coord-b")
    # The pilot sits on the steering body too: reminded once, not twice
    assert audience(deadline, STEERING) == ("pilot", "coord-a", "coord-b", "member-x")


def test_without_a_responsible_person_the_coordinators_are_reminded() -> None:
    assert audience(a_deadline(responsible_id=None), RESPONSIBLE) == (
        "coord-a",
        "coord-b",
    )


def test_an_issued_reminder_is_not_due_again() -> None:
    now = paris(DUE - timedelta(days=7), 9)
    first = due_reminders([a_deadline()], now, set())
    again = due_reminders([a_deadline()], now, {r.key for r in first})
    assert [(r.stage, r.recipient_id) for r in first] == [(-7, "pilot")]
    assert again == []


def test_the_window_covers_every_due_date_with_a_stage_due() -> None:
    now = paris(DUE, 12)
    start, end = window(now)
    assert start <= DUE - timedelta(days=84) - timedelta(days=1)
    assert end >= DUE + timedelta(days=365)


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(st.integers(1, 60), max_size=8, unique=True),
    gaps=st.lists(st.integers(1, 60 * 24 * 20), min_size=1, max_size=60),
)
def test_across_any_sequence_of_runs_each_reminder_is_issued_once_and_never_early(
    days: list[int], gaps: list[int]
) -> None:
    # Runs at arbitrary moments (minutes apart, up to 20 days of downtime)
    deadline = a_deadline(days_before=tuple(days))
    now = paris(DUE - timedelta(days=70), 0)
    issued: dict[tuple[str, date, int, str], datetime] = {}
    for gap in gaps:
        now += timedelta(minutes=gap)
        for reminder in due_reminders([deadline], now, set(issued)):
            assert reminder.key not in issued
            issued[reminder.key] = now
    for (_, _, stage, person), at in issued.items():
        # never before its stage's moment, and only to that stage's audience
        assert stage_moment(DUE, stage) <= at
        assert person in audience(deadline, escalation_of(stage))
    # and the stage current at the last run was issued to its whole audience
    last = current_stage(DUE, deadline.days_before, now)
    if last is not None:
        people = audience(deadline, escalation_of(last))
        assert {(s, p) for (_, _, s, p) in issued if s == last} == {
            (last, p) for p in people
        }
