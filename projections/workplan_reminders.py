"""Reminders of deliverables: the deadlines the reminder policy reads, and the
reminders issued about deliverables, as the pipeline and the notifications page
show them.

A reminder about a deliverable is a ``Reminder`` like a report's, its
``obligation_id`` being the deliverable's id (reminder ids are derived from it, so
the two never meet). ``projections.reminders`` joins reports only; these queries
join deliverables, and the callers put the two lists together.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from governance.values import MemberRole, ReportStatus
from governance.workplan.values import OPEN_STATUSES
from projections.consortia import consortia
from projections.members import memberships
from projections.reminders import (
    NotificationRow,
    OpenDeadline,
    _days,
    _reminder,
    newest_addressed_to,
    oldest_undelivered,
    reminder_schedules,
    reminders,
)
from projections.workplan import deliverables

OPEN = tuple(s.value for s in OPEN_STATUSES)


def open_deliverable_deadlines(
    connection: Connection, due_from: date, due_until: date
) -> list[tuple[OpenDeadline, tuple[str, ...]]]:
    """Deliverables still to be handed in whose due date lies in the window, each
    with the members representing its responsible partner."""
    rows = connection.execute(
        select(
            deliverables.c.deliverable_id,
            deliverables.c.consortium_id,
            deliverables.c.due_on,
            deliverables.c.responsible_id,
            reminder_schedules.c.days_before,
        )
        .select_from(
            deliverables.outerjoin(
                reminder_schedules,
                reminder_schedules.c.consortium_id == deliverables.c.consortium_id,
            )
        )
        .where(
            deliverables.c.due_on >= due_from,
            deliverables.c.due_on <= due_until,
            deliverables.c.status.in_(OPEN),
        )
        .order_by(deliverables.c.due_on, deliverables.c.deliverable_id)
    ).all()
    representing: dict[tuple[str, str], list[str]] = defaultdict(list)
    consortium_ids = {r.consortium_id for r in rows}
    if consortium_ids:
        for m in connection.execute(
            select(memberships)
            .where(
                memberships.c.consortium_id.in_(consortium_ids),
                memberships.c.role == MemberRole.MEMBER.value,
            )
            .order_by(memberships.c.since, memberships.c.account_id)
        ):
            if m.partner_id:
                representing[m.consortium_id, m.partner_id].append(m.account_id)
    return [
        (
            OpenDeadline(
                r.deliverable_id, r.consortium_id, r.due_on, None, _days(r.days_before)
            ),
            tuple(representing.get((r.consortium_id, r.responsible_id), ())),
        )
        for r in rows
    ]


def _rows(connection: Connection, query: Any) -> list[NotificationRow]:
    # A deliverable's statuses are spelt as a report's (due, submitted, changes
    # requested, accepted): the pipeline's "still due?" reads them the same way.
    return [
        NotificationRow(
            _reminder(r),
            r.consortium_name,
            r.title,
            "",
            ReportStatus(r.status),
            about="deliverable",
        )
        for r in connection.execute(query)
    ]


def _about_deliverables() -> Any:
    return (
        select(
            reminders,
            consortia.c.name.label("consortium_name"),
            deliverables.c.title,
            deliverables.c.status,
        )
        .join(consortia, consortia.c.consortium_id == reminders.c.consortium_id)
        .join(
            deliverables,
            deliverables.c.deliverable_id == reminders.c.obligation_id,
        )
    )


def undelivered_deliverable_items(
    connection: Connection, limit: int = 500
) -> list[NotificationRow]:
    """Reminders of deliverables whose delivery is not recorded yet."""
    return _rows(connection, oldest_undelivered(_about_deliverables(), limit))


def deliverable_notifications_of(
    connection: Connection,
    account_id: str,
    *,
    before: datetime | None = None,
    limit: int = 20,
) -> list[NotificationRow]:
    """A person's reminders of deliverables, newest first (keyset, as
    ``notifications_of``)."""
    query = newest_addressed_to(_about_deliverables(), account_id, before, limit)
    return _rows(connection, query)
