"""What the notifications list reads of the read models: the names of consortia,
where votes and reports stand now, and which reminders are a person's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Integer, bindparam, select

from projections.consortia import consortia
from projections.decisions.tables import proposals
from projections.reminders import reminders
from projections.reporting import obligations


def consortium_names(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Each consortium's name."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(
        select(consortia.c.consortium_id, consortia.c.name).where(
            consortia.c.consortium_id.in_(wanted)
        )
    )
    return {str(a): str(b) for a, b in rows}


def proposal_outcomes(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    """The outcome of each of these votes that is closed."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(
        select(proposals.c.proposal_id, proposals.c.outcome).where(
            proposals.c.proposal_id.in_(wanted), proposals.c.outcome.is_not(None)
        )
    )
    return {str(a): str(b) for a, b in rows}


def report_statuses(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Where each of these reports stands."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(
        select(obligations.c.obligation_id, obligations.c.status).where(
            obligations.c.obligation_id.in_(wanted)
        )
    )
    return {str(a): str(b) for a, b in rows}


# Built once: every page's header asks it (the unread count).
_REMINDERS = (
    select(reminders.c.reminder_id)
    .where(reminders.c.recipient_id == bindparam("account_id"))
    .limit(bindparam("limit", type_=Integer))
)
_REMINDERS_SINCE = _REMINDERS.where(reminders.c.requested_at > bindparam("since"))


def reminder_ids_since(
    connection: Connection, account_id: str, since: datetime | None, limit: int
) -> list[str]:
    """A person's reminders issued after ``since`` (all if None), up to ``limit``."""
    query = _REMINDERS if since is None else _REMINDERS_SINCE
    values = {"account_id": account_id, "since": since, "limit": limit}
    return list(connection.scalars(query, values))


def own_reminders(
    connection: Connection, account_id: str, ids: Iterable[str]
) -> set[str]:
    """Which of these reminders are the person's."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    return set(
        connection.scalars(
            select(reminders.c.reminder_id).where(
                reminders.c.recipient_id == account_id,
                reminders.c.reminder_id.in_(wanted),
            )
        )
    )
