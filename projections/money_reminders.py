"""Reminders about money: a partner's expense statement due with a report, and a
funding tranche ready to be paid. The deadlines the reminder policy reads, and the
reminders issued about them, as the pipeline and the notifications page show them.

A statement reminder's ``obligation_id`` is the statement's id (derived from the
consortium, the report and the partner: it exists before the statement is opened),
its due date the report's. The partners concerned by a period are those with costs
in the financing plan or a statement opened for it; indicator updates carry no
statement. A tranche reminder's ``obligation_id`` is the tranche's id; its due date
is the day the scheduler first found the tranche ready (the due date of the first
reminder issued about it, read back from the log), and its ladder is a report's
from that day on (J, J+1, J+7, then every 14 days), for the consortium's financers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from governance.financing.statement_values import StatementStatus, statement_id
from governance.values import MemberRole, ReportKind, ReportStatus
from projections.budget import expenses as planned_costs
from projections.consortia import consortia
from projections.expenses import statements
from projections.funding import grant_tranches, grants
from projections.funding_status import TrancheState, funding_of, report_ids
from projections.members import memberships
from projections.partners import partners
from projections.reminders import (
    WRITABLE,
    NotificationRow,
    OpenDeadline,
    _days,
    _reminder,
    newest_addressed_to,
    oldest_undelivered,
    reminder_schedules,
    reminders,
)
from projections.reporting import obligations

DRAFT = StatementStatus.DRAFT.value
NO_STATEMENT = (ReportKind.INDICATOR_UPDATE.value,)


@dataclass(frozen=True)
class StatementDeadline:
    """A partner's statement still to be submitted with a report, and the members
    representing the partner (its ``obligation_id`` is the statement's id)."""

    deadline: OpenDeadline
    report_id: str
    partner_id: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class ReadyTranche:
    """A tranche ready to be paid, its financers, and the reports whose accepted
    statements the service counts."""

    deadline: OpenDeadline
    financers: tuple[str, ...]
    counted: tuple[str, ...]


def _members(
    connection: Connection, consortium_ids: set[str], role: MemberRole
) -> list[Any]:
    if not consortium_ids:
        return []
    return list(
        connection.execute(
            select(memberships)
            .where(
                memberships.c.consortium_id.in_(consortium_ids),
                memberships.c.role == role.value,
            )
            .order_by(memberships.c.since, memberships.c.account_id)
        )
    )


def open_statement_deadlines(
    connection: Connection, due_from: date, due_until: date
) -> list[StatementDeadline]:
    """Partners' statements not yet submitted of the reports still due whose due
    date lies in the window."""
    reports = connection.execute(
        select(
            obligations.c.obligation_id,
            obligations.c.consortium_id,
            obligations.c.due_on,
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
            obligations.c.kind.not_in(NO_STATEMENT),
        )
        .order_by(obligations.c.due_on, obligations.c.obligation_id)
    ).all()
    ids = {r.consortium_id for r in reports}
    if not ids:
        return []
    active = {
        (p.consortium_id, p.partner_id): p
        for p in connection.execute(
            select(partners.c.consortium_id, partners.c.partner_id).where(
                partners.c.consortium_id.in_(ids), partners.c.withdrawn_on.is_(None)
            )
        )
    }
    planned = {
        (r.consortium_id, r.partner_id)
        for r in connection.execute(
            select(planned_costs.c.consortium_id, planned_costs.c.partner_id)
            .where(planned_costs.c.consortium_id.in_(ids))
            .distinct()
        )
    }
    opened = {
        (s.consortium_id, s.obligation_id, s.partner_id): s.status
        for s in connection.execute(
            select(
                statements.c.consortium_id,
                statements.c.obligation_id,
                statements.c.partner_id,
                statements.c.status,
            ).where(statements.c.consortium_id.in_(ids))
        )
    }
    representing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in _members(connection, ids, MemberRole.MEMBER):
        if m.partner_id:
            representing[m.consortium_id, m.partner_id].append(m.account_id)
    found = []
    for r in reports:
        for cid, partner_id in sorted(k for k in active if k[0] == r.consortium_id):
            status = opened.get((cid, r.obligation_id, partner_id))
            concerned = (cid, partner_id) in planned or status is not None
            if not concerned or status not in (None, DRAFT):
                continue
            subject = str(statement_id(cid, r.obligation_id, partner_id))
            found.append(
                StatementDeadline(
                    OpenDeadline(subject, cid, r.due_on, None, _days(r.days_before)),
                    r.obligation_id,
                    partner_id,
                    tuple(representing.get((cid, partner_id), ())),
                )
            )
    return found


def ready_tranches(connection: Connection, today: date) -> list[ReadyTranche]:
    """Tranches ready to be paid (their condition holds, something is due), each
    due from the day it was first reminded (today when it was not yet)."""
    consortium_ids = set(connection.scalars(select(grants.c.consortium_id)))
    financers: dict[str, list[str]] = defaultdict(list)
    for m in _members(connection, consortium_ids, MemberRole.FINANCER):
        financers[m.consortium_id].append(m.account_id)
    found = []
    for cid in sorted(consortium_ids):
        funding = funding_of(connection, cid)
        if funding is None or not funding.ready:
            continue
        counted = tuple(report_ids(funding))
        for view in funding.ready:
            tranche_id = view.tranche.tranche_id
            first = connection.scalar(
                select(func.min(reminders.c.due_on)).where(
                    reminders.c.obligation_id == tranche_id
                )
            )
            found.append(
                ReadyTranche(
                    OpenDeadline(tranche_id, cid, first or today, None, ()),
                    tuple(financers.get(cid, ())),
                    counted,
                )
            )
    return found


# -- the reminders issued, as rows -------------------------------------------------


@dataclass(frozen=True)
class _Statement:
    report_title: str
    report_status: str
    partner_name: str


def _statement_subjects(
    connection: Connection, consortium_ids: Iterable[str]
) -> dict[str, _Statement]:
    """Every possible statement of these consortia (report × partner), by id."""
    ids = set(consortium_ids)
    if not ids:
        return {}
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in connection.execute(
        select(partners.c.consortium_id, partners.c.partner_id, partners.c.name).where(
            partners.c.consortium_id.in_(ids)
        )
    ):
        names[p.consortium_id].append((p.partner_id, p.name))
    found = {}
    for o in connection.execute(
        select(
            obligations.c.obligation_id,
            obligations.c.consortium_id,
            obligations.c.title,
            obligations.c.status,
        ).where(obligations.c.consortium_id.in_(ids))
    ):
        for partner_id, name in names[o.consortium_id]:
            subject = str(statement_id(o.consortium_id, o.obligation_id, partner_id))
            found[subject] = _Statement(o.title, o.status, name)
    return found


def _statement_state(report_status: str, statement_status: str | None) -> ReportStatus:
    # Still due while the report is and the statement is a draft (or not opened).
    if statement_status == StatementStatus.ACCEPTED.value:
        return ReportStatus.ACCEPTED
    if statement_status not in (None, DRAFT) or report_status not in WRITABLE:
        return ReportStatus.SUBMITTED
    return ReportStatus.DUE


def _statement_rows(
    connection: Connection, where: Any, limit: int, newest_first: bool
) -> list[NotificationRow]:
    consortium_ids = connection.scalars(
        select(reminders.c.consortium_id).where(where).distinct()
    )
    subjects = _statement_subjects(connection, consortium_ids)
    if not subjects:
        return []
    order = (
        (reminders.c.requested_at.desc(), reminders.c.reminder_id.desc())
        if newest_first
        else (reminders.c.requested_at, reminders.c.reminder_id)
    )
    query = (
        select(
            reminders,
            consortia.c.name.label("consortium_name"),
            statements.c.status.label("statement_status"),
        )
        .join(consortia, consortia.c.consortium_id == reminders.c.consortium_id)
        .outerjoin(statements, statements.c.statement_id == reminders.c.obligation_id)
        .where(where, reminders.c.obligation_id.in_(list(subjects)))
        .order_by(*order)
        .limit(limit)
    )
    rows = []
    for r in connection.execute(query):
        subject = subjects[r.obligation_id]
        rows.append(
            NotificationRow(
                _reminder(r),
                r.consortium_name,
                subject.report_title,
                subject.partner_name,
                _statement_state(subject.report_status, r.statement_status),
                about="statement",
            )
        )
    return rows


def _tranche_rows(connection: Connection, query: Any) -> list[NotificationRow]:
    found = list(connection.execute(query))
    states: dict[str, TrancheState] = {}
    for cid in sorted({r.consortium_id for r in found}):
        funding = funding_of(connection, cid)
        for view in funding.tranches if funding else ():
            states[view.tranche.tranche_id] = view.state
    said = {
        TrancheState.READY: ReportStatus.DUE,
        TrancheState.PAID: ReportStatus.ACCEPTED,
        TrancheState.NOTHING_DUE: ReportStatus.ACCEPTED,
    }
    return [
        NotificationRow(
            _reminder(r),
            r.consortium_name,
            r.label,
            "",
            said.get(states.get(r.obligation_id, TrancheState.WAITING))
            or ReportStatus.SUBMITTED,
            about="tranche",
        )
        for r in found
    ]


def _about_tranches() -> Any:
    return (
        select(
            reminders,
            consortia.c.name.label("consortium_name"),
            grant_tranches.c.label,
        )
        .join(consortia, consortia.c.consortium_id == reminders.c.consortium_id)
        .join(grant_tranches, grant_tranches.c.tranche_id == reminders.c.obligation_id)
    )


def undelivered_money_items(
    connection: Connection, limit: int = 500
) -> list[NotificationRow]:
    """Reminders of statements and tranches whose delivery is not recorded yet."""
    pending = reminders.c.sent_at.is_(None)
    return _statement_rows(connection, pending, limit, False) + _tranche_rows(
        connection, oldest_undelivered(_about_tranches(), limit)
    )


def money_notifications_of(
    connection: Connection,
    account_id: str,
    *,
    before: datetime | None = None,
    limit: int = 20,
) -> list[NotificationRow]:
    """A person's reminders of statements and tranches, newest first (keyset)."""
    where = reminders.c.recipient_id == account_id
    if before is not None:
        where = where & (reminders.c.requested_at < before)
    return _statement_rows(connection, where, limit, True) + _tranche_rows(
        connection, newest_addressed_to(_about_tranches(), account_id, before, limit)
    )
