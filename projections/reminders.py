"""The reminders read model: what was issued, how it was delivered, and the inputs
of the reminder policy (each consortium's schedule and steering body).

Every reminder is also an in-app notification of its recipient, whatever channel
they chose for e-mail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    Select,
    String,
    Table,
    and_,
    func,
    select,
)

from governance import events
from governance.reminder_rules import DEFAULT_DAYS_BEFORE
from governance.values import MemberRole, ReminderChannel, ReportStatus
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, find_row, update_rows
from projections.consortia import consortia
from projections.decisions import bodies
from projections.members import memberships
from projections.reporting import obligations

reminders = Table(
    "reminders",
    metadata,
    Column("reminder_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("obligation_id", String(36), nullable=False, index=True),
    Column("due_on", Date, nullable=False),
    Column("stage", Integer, nullable=False),
    Column("recipient_id", String(64), nullable=False, index=True),
    Column("escalation", Integer, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("channel", String(16)),
    Column("message_id", String(200)),
)

reminder_schedules = Table(
    "reminder_schedules",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("schedule_id", String(36), nullable=False, unique=True),
    Column("days_before", String(64), nullable=False),
)

steering_bodies = Table(
    "steering_bodies",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("body_id", String(36), nullable=False),
)

WRITABLE = (
    ReportStatus.DUE.value,
    ReportStatus.DRAFTED.value,
    ReportStatus.CHANGES_REQUESTED.value,
)


@dataclass(frozen=True)
class ReminderRow:
    """A reminder issued to one person, and how it reached them."""

    reminder_id: str
    consortium_id: str
    obligation_id: str
    due_on: date
    stage: int
    recipient_id: str
    escalation: int
    requested_at: datetime
    sent_at: datetime | None
    channel: ReminderChannel | None
    message_id: str | None


@dataclass(frozen=True)
class NotificationRow:
    """A reminder as its recipient sees it in the application."""

    reminder: ReminderRow
    consortium_name: str
    report_title: str
    funder: str
    status: ReportStatus
    # What it reminds of: a report, or a deliverable ("deliverable", whose title
    # ``report_title`` holds, with no funder).
    about: str = "report"


@dataclass(frozen=True)
class OpenDeadline:
    """A report still to be submitted, with what the policy needs to know of it."""

    obligation_id: str
    consortium_id: str
    due_on: date
    responsible_id: str | None
    days_before: tuple[int, ...]


class RemindersProjection(Projection):
    """Reminders, schedules, and which body steers each consortium."""

    name: ClassVar[str] = "reminders"
    tables: ClassVar[tuple[Table, ...]] = (
        reminders,
        reminder_schedules,
        steering_bodies,
    )

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterator[tuple[Table, dict[str, Any]]]:
        """Whether a consortium establishing a body has a steering body yet."""
        for envelope in envelopes:
            if isinstance(envelope.event, events.GovernanceBodyEstablished):
                yield steering_bodies, {"consortium_id": envelope.originator_id}

    @on(events.ReminderRequested)
    def requested(
        self, connection: Connection, envelope: Envelope[events.ReminderRequested]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            reminders,
            {
                "reminder_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "obligation_id": e.obligation_id,
                "due_on": e.due_on,
                "stage": e.stage,
                "recipient_id": e.recipient_id,
                "escalation": e.escalation,
                "requested_at": envelope.recorded_at,
            },
        )

    @on(events.ReminderSent)
    def sent(
        self, connection: Connection, envelope: Envelope[events.ReminderSent]
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            reminders,
            {"reminder_id": envelope.originator_id},
            {
                "sent_at": envelope.recorded_at,
                "channel": e.channel.value,
                "message_id": e.message_id,
            },
        )

    @on(events.ReminderScheduleSet)
    def schedule_set(
        self, connection: Connection, envelope: Envelope[events.ReminderScheduleSet]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            reminder_schedules,
            {
                "consortium_id": e.consortium_id,
                "schedule_id": envelope.originator_id,
                "days_before": _days_text(e.days_before),
            },
        )

    @on(events.ReminderScheduleChanged)
    def schedule_changed(
        self, connection: Connection, envelope: Envelope[events.ReminderScheduleChanged]
    ) -> None:
        update_rows(
            connection,
            reminder_schedules,
            {"schedule_id": envelope.originator_id},
            {"days_before": _days_text(envelope.event.days_before)},
        )

    @on(events.GovernanceBodyEstablished)
    def body(
        self,
        connection: Connection,
        envelope: Envelope[events.GovernanceBodyEstablished],
    ) -> None:
        # The first body a consortium establishes is its steering body (its COPIL).
        steering = {"consortium_id": envelope.originator_id}
        if find_row(connection, steering_bodies, steering) is None:
            add_row(
                connection,
                steering_bodies,
                {
                    "consortium_id": envelope.originator_id,
                    "body_id": envelope.event.body_id,
                },
            )


def _days_text(days: Iterable[int]) -> str:
    return ",".join(str(d) for d in days)


def _days(text: str | None) -> tuple[int, ...]:
    if text is None:
        return DEFAULT_DAYS_BEFORE
    return tuple(int(d) for d in text.split(",") if d)


def _reminder(r: Any) -> ReminderRow:
    return ReminderRow(
        r.reminder_id,
        r.consortium_id,
        r.obligation_id,
        r.due_on,
        r.stage,
        r.recipient_id,
        r.escalation,
        r.requested_at,
        r.sent_at,
        ReminderChannel(r.channel) if r.channel else None,
        r.message_id,
    )


def days_before_of(connection: Connection, consortium_id: str) -> tuple[int, ...]:
    """The days before a deadline the consortium is reminded (its schedule)."""
    text = connection.scalar(
        select(reminder_schedules.c.days_before).where(
            reminder_schedules.c.consortium_id == consortium_id
        )
    )
    return _days(text)


def open_deadlines(
    connection: Connection, due_from: date, due_until: date
) -> list[OpenDeadline]:
    """Reports not yet submitted whose due date lies in the window."""
    rows = connection.execute(
        select(
            obligations.c.obligation_id,
            obligations.c.consortium_id,
            obligations.c.due_on,
            obligations.c.responsible_id,
            reminder_schedules.c.days_before,
        )
        .select_from(
            obligations.outerjoin(
                reminder_schedules,
                reminder_schedules.c.consortium_id == obligations.c.consortium_id,
            )
        )
        .where(
            obligations.c.due_on >= due_from,
            obligations.c.due_on <= due_until,
            obligations.c.status.in_(WRITABLE),
        )
        .order_by(obligations.c.due_on, obligations.c.obligation_id)
    )
    return [
        OpenDeadline(
            r.obligation_id,
            r.consortium_id,
            r.due_on,
            r.responsible_id,
            _days(r.days_before),
        )
        for r in rows
    ]


def audiences(
    connection: Connection, consortium_ids: set[str]
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per consortium: its coordinators, and the members of its steering body."""
    found: dict[str, tuple[list[str], list[str]]] = {
        c: ([], []) for c in consortium_ids
    }
    if not consortium_ids:
        return {}
    steering: dict[str, set[str]] = {}
    rows = connection.execute(
        select(steering_bodies.c.consortium_id, bodies.c.members)
        .join(bodies, bodies.c.body_id == steering_bodies.c.body_id)
        .where(steering_bodies.c.consortium_id.in_(consortium_ids))
    )
    for consortium_id, members in rows:
        steering[consortium_id] = set(json.loads(members))
    people = connection.execute(
        select(memberships)
        .where(memberships.c.consortium_id.in_(consortium_ids))
        .order_by(memberships.c.since, memberships.c.account_id)
    )
    for m in people:
        coordinators, members = found[m.consortium_id]
        if m.role == MemberRole.COORDINATOR.value:
            coordinators.append(m.account_id)
        elif m.role == MemberRole.MEMBER.value and m.partner_id in steering.get(
            m.consortium_id, set()
        ):
            members.append(m.account_id)
    return {c: (tuple(a), tuple(b)) for c, (a, b) in found.items()}


def issued_keys(
    connection: Connection, obligation_ids: Iterable[str]
) -> set[tuple[str, date, int, str]]:
    """The keys of the reminders already issued for these reports."""
    ids = list(obligation_ids)
    keys: set[tuple[str, date, int, str]] = set()
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(
                reminders.c.obligation_id,
                reminders.c.due_on,
                reminders.c.stage,
                reminders.c.recipient_id,
            ).where(reminders.c.obligation_id.in_(ids[start : start + 500]))
        )
        keys.update((a, b, c, d) for a, b, c, d in rows)
    return keys


def oldest_undelivered(query: Select[Any], limit: int) -> Select[Any]:
    """``query`` (a select over ``reminders``) narrowed to the reminders whose
    delivery is not recorded yet, oldest first: the pipeline's order, shared by
    every kind of reminder."""
    return (
        query.where(reminders.c.sent_at.is_(None))
        .order_by(reminders.c.requested_at, reminders.c.reminder_id)
        .limit(limit)
    )


def newest_addressed_to(
    query: Select[Any], account_id: str, before: datetime | None, limit: int
) -> Select[Any]:
    """``query`` (a select over ``reminders``) narrowed to one person's reminders,
    newest first, paged by ``before`` (keyset): the notification list's order."""
    query = (
        query.where(reminders.c.recipient_id == account_id)
        .order_by(reminders.c.requested_at.desc(), reminders.c.reminder_id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(reminders.c.requested_at < before)
    return query


def undelivered(connection: Connection, limit: int = 500) -> list[ReminderRow]:
    """Reminders issued whose delivery is not recorded yet, oldest first."""
    rows = connection.execute(oldest_undelivered(select(reminders), limit))
    return [_reminder(r) for r in rows]


def reminder(connection: Connection, reminder_id: str) -> ReminderRow | None:
    """One reminder."""
    row = connection.execute(
        select(reminders).where(reminders.c.reminder_id == reminder_id)
    ).first()
    return _reminder(row) if row is not None else None


def notifications_of(
    connection: Connection,
    account_id: str,
    *,
    before: datetime | None = None,
    limit: int = 20,
) -> list[NotificationRow]:
    """A person's reminders, newest first, paged by ``before`` (keyset)."""
    query = newest_addressed_to(_about_reports(), account_id, before, limit)
    return _report_rows(connection, query)


def _about_reports() -> Select[Any]:
    return (
        select(
            reminders,
            consortia.c.name.label("consortium_name"),
            obligations.c.title,
            obligations.c.funder,
            obligations.c.status,
        )
        .join(consortia, consortia.c.consortium_id == reminders.c.consortium_id)
        .join(obligations, obligations.c.obligation_id == reminders.c.obligation_id)
    )


def _report_rows(connection: Connection, query: Select[Any]) -> list[NotificationRow]:
    return [
        NotificationRow(
            _reminder(r), r.consortium_name, r.title, r.funder, ReportStatus(r.status)
        )
        for r in connection.execute(query)
    ]


def unread_count(connection: Connection, account_id: str, seen: datetime | None) -> int:
    """How many of a person's reminders arrived after they last looked."""
    query = select(func.count()).where(reminders.c.recipient_id == account_id)
    if seen is not None:
        query = query.where(reminders.c.requested_at > seen)
    return int(connection.scalar(query) or 0)


@dataclass(frozen=True)
class ReminderCounts:
    """What the reminder job did for a consortium over a period."""

    issued: int
    delivered: int
    waiting: int


def reminder_counts(
    connection: Connection, consortium_id: str, since: datetime
) -> ReminderCounts:
    """Reminders issued since a moment, delivered, and still waiting (any age)."""
    issued = connection.scalar(
        select(func.count()).where(
            reminders.c.consortium_id == consortium_id,
            reminders.c.requested_at >= since,
        )
    )
    delivered = connection.scalar(
        select(func.count()).where(
            reminders.c.consortium_id == consortium_id,
            reminders.c.requested_at >= since,
            reminders.c.sent_at.is_not(None),
        )
    )
    waiting = connection.scalar(
        select(func.count()).where(
            and_(
                reminders.c.consortium_id == consortium_id,
                reminders.c.sent_at.is_(None),
            )
        )
    )
    return ReminderCounts(int(issued or 0), int(delivered or 0), int(waiting or 0))


def undelivered_items(
    connection: Connection, limit: int = 500
) -> list[NotificationRow]:
    """Reminders whose delivery is not recorded yet, with what their e-mail says."""
    return _report_rows(connection, oldest_undelivered(_about_reports(), limit))
