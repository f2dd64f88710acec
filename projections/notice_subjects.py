"""What the notifications list reads of the read models: the names of consortia,
where votes and reports stand now, and which reminders are a person's."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

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
