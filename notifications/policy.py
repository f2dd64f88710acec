"""The reminder policy: which reminders are due now, as a pure function.

A report due on day D is reminded at stages counted in days from D: the
consortium's days before (J-30, J-14, J-7, J-1 by default), the day itself (J), and
while it stays overdue J+1, J+7, then every 14 days until J+84. A stage falls due at
``SEND_HOUR`` in Paris on its day, so a deadline is never reminded at midnight and
daylight-saving changes move nothing.

Escalation widens the audience as the deadline passes: the person responsible for
the report (the coordinators when nobody is), then from J+1 the coordinators too,
then from J+7 the members representing the partners of the steering body.

Only the **latest** stage reached is due: after a downtime across several stages,
the first run issues the current one, once, and skips the stale ones, instead of a
burst of reminders that all say the same thing late.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Paris")
SEND_HOUR = 7
OVERDUE_STAGES: tuple[int, ...] = (1, 7, 14, 28, 42, 56, 70, 84)
COORDINATORS_FROM = 1
STEERING_FROM = 7

RESPONSIBLE = 0
COORDINATORS = 1
STEERING = 2


@dataclass(frozen=True)
class Deadline:
    """A report (or a deliverable) still to be handed in, and who is concerned.

    A deliverable's responsible is a partner: the members representing it are
    ``responsible_ids``, reminded as the one person responsible for a report is.
    """

    obligation_id: str
    consortium_id: str
    due_on: date
    days_before: tuple[int, ...]
    responsible_id: str | None
    coordinators: tuple[str, ...]
    steering: tuple[str, ...]
    responsible_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DueReminder:
    """One person to remind of one report at one stage."""

    obligation_id: str
    due_on: date
    stage: int
    recipient_id: str
    escalation: int

    @property
    def key(self) -> tuple[str, date, int, str]:
        return (self.obligation_id, self.due_on, self.stage, self.recipient_id)


def stages(days_before: Sequence[int]) -> tuple[int, ...]:
    """Every stage of a deadline, in days from it, in order."""
    return (*sorted(-d for d in set(days_before)), 0, *OVERDUE_STAGES)


def stage_moment(due_on: date, stage: int) -> datetime:
    """When a stage falls due (an aware datetime, in Paris time)."""
    day = due_on + timedelta(days=stage)
    return datetime.combine(day, time(SEND_HOUR), tzinfo=LOCAL_ZONE)


def current_stage(
    due_on: date, days_before: Sequence[int], now: datetime
) -> int | None:
    """The latest stage reached at ``now``, or None before the first one."""
    reached = [s for s in stages(days_before) if stage_moment(due_on, s) <= now]
    return reached[-1] if reached else None


def escalation_of(stage: int) -> int:
    """Who is reminded at a stage: the responsible, the coordinators, the steering."""
    if stage >= STEERING_FROM:
        return STEERING
    if stage >= COORDINATORS_FROM:
        return COORDINATORS
    return RESPONSIBLE


def audience(deadline: Deadline, escalation: int) -> tuple[str, ...]:
    """The people to remind at an escalation level, each once, in a stable order."""
    people: list[str] = []
    if deadline.responsible_id:
        people.append(deadline.responsible_id)
    people.extend(deadline.responsible_ids)
    if escalation >= COORDINATORS or not people:
        people.extend(deadline.coordinators)
    if escalation >= STEERING:
        people.extend(deadline.steering)
    return tuple(dict.fromkeys(people))


def due_reminders(
    deadlines: Iterable[Deadline],
    now: datetime,
    issued: set[tuple[str, date, int, str]],
) -> list[DueReminder]:
    """The reminders to issue at ``now`` that are not in ``issued`` yet."""
    due: list[DueReminder] = []
    for deadline in deadlines:
        stage = current_stage(deadline.due_on, deadline.days_before, now)
        if stage is None:
            continue
        level = escalation_of(stage)
        for person in audience(deadline, level):
            reminder = DueReminder(
                deadline.obligation_id, deadline.due_on, stage, person, level
            )
            if reminder.key not in issued:
                due.append(reminder)
    return due


def window(now: datetime) -> tuple[date, date]:
    """The due dates that can have a stage due at ``now`` (for the query)."""
    today = now.astimezone(LOCAL_ZONE).date()
    return today - timedelta(days=OVERDUE_STAGES[-1] + 1), today + timedelta(days=366)
