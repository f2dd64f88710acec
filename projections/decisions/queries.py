"""Reading the decisions read model: bodies, proxies, proposals, votes, steps,
the decision log, and what the scheduler and the evidence store ask."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, func, or_, select

from governance.values import Evidence
from governance.voting import Outcome
from projections.decisions.rows import (
    BodyRow,
    ProposalRow,
    ProxyRow,
    StepRow,
    VoteRow,
    body_row,
    proposal_row,
)
from projections.decisions.tables import (
    bodies,
    proposal_steps,
    proposals,
    proxies,
    votes,
)


@dataclass(frozen=True)
class LogFilter:
    """What the decision log may be narrowed to."""

    body_id: str | None = None
    outcome: Outcome | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""


def bodies_of(connection: Connection, consortium_id: str) -> list[BodyRow]:
    """The consortium's governance bodies, by name."""
    rows = connection.execute(
        select(bodies)
        .where(bodies.c.consortium_id == consortium_id)
        .order_by(func.lower(bodies.c.name))
    )
    return [body_row(r) for r in rows]


def proxies_of(connection: Connection, consortium_id: str) -> list[ProxyRow]:
    """The consortium's delegations, newest period first."""
    rows = connection.execute(
        select(proxies)
        .where(proxies.c.consortium_id == consortium_id)
        .order_by(proxies.c.valid_until.desc())
    )
    return [
        ProxyRow(r.proxy_id, r.from_partner, r.to_partner, r.valid_from, r.valid_until)
        for r in rows
    ]


def proposal(
    connection: Connection, consortium_id: str, proposal_id: str
) -> ProposalRow | None:
    """One proposal or recorded decision of the consortium."""
    r = connection.execute(
        select(proposals).where(
            proposals.c.consortium_id == consortium_id,
            proposals.c.proposal_id == proposal_id,
        )
    ).first()
    return proposal_row(r) if r is not None else None


def open_proposals(connection: Connection, consortium_id: str) -> list[ProposalRow]:
    """Votes still open in the consortium, the soonest closing first."""
    rows = connection.execute(
        select(proposals)
        .where(
            proposals.c.consortium_id == consortium_id,
            proposals.c.outcome.is_(None),
        )
        .order_by(proposals.c.closes_at, proposals.c.tabled_at)
    )
    return [proposal_row(r) for r in rows]


_OPEN_VOTE_COUNT = (
    select(func.count())
    .select_from(proposals)
    .where(
        proposals.c.consortium_id == bindparam("consortium_id"),
        proposals.c.outcome.is_(None),
        proposals.c.kind == "vote",
    )
)


def open_vote_count(connection: Connection, consortium_id: str) -> int:
    """How many of ``open_proposals`` are votes (not meetings), counted by the
    database."""
    return int(
        connection.execute(
            _OPEN_VOTE_COUNT, {"consortium_id": consortium_id}
        ).scalar_one()
    )


def votes_of(connection: Connection, proposal_id: str) -> list[VoteRow]:
    """Current votes on a proposal."""
    rows = connection.execute(
        select(votes)
        .where(votes.c.proposal_id == proposal_id)
        .order_by(votes.c.cast_at)
    )
    return [
        VoteRow(r.partner_id, r.option, r.reason, r.cast_at, r.cast_by, r.changes)
        for r in rows
    ]


def steps_of(connection: Connection, proposal_id: str) -> list[StepRow]:
    """A proposal's full history, oldest first."""
    rows = connection.execute(
        select(proposal_steps)
        .where(proposal_steps.c.proposal_id == proposal_id)
        .order_by(proposal_steps.c.position)
    )
    return [
        StepRow(r.position, r.recorded_at, r.actor_id, r.kind, json.loads(r.params))
        for r in rows
    ]


def decision_log(
    connection: Connection,
    consortium_id: str,
    where: LogFilter,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProposalRow], int]:
    """Decided proposals and recorded decisions, newest first, and their count."""
    query = select(proposals).where(
        proposals.c.consortium_id == consortium_id, proposals.c.outcome.is_not(None)
    )
    if where.body_id:
        query = query.where(proposals.c.body_id == where.body_id)
    if where.outcome is not None:
        query = query.where(proposals.c.outcome == where.outcome.value)
    decided = func.coalesce(proposals.c.decided_on, func.date(proposals.c.closed_at))
    if where.since is not None:
        query = query.where(decided >= where.since)
    if where.until is not None:
        query = query.where(decided <= where.until)
    if where.text.strip():
        pattern = f"%{where.text.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(proposals.c.title).like(pattern),
                func.lower(proposals.c.text).like(pattern),
            )
        )
    total = connection.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = connection.execute(
        query.order_by(proposals.c.closed_at.desc()).limit(limit).offset(offset)
    )
    return [proposal_row(r) for r in rows], int(total)


def due_written_proposals(connection: Connection, now: datetime) -> list[str]:
    """Open written votes whose deadline has passed (for the scheduler)."""
    return list(
        connection.scalars(
            select(proposals.c.proposal_id).where(
                proposals.c.outcome.is_(None),
                proposals.c.mode == "written",
                proposals.c.closes_at <= now,
            )
        )
    )


def document_of(
    connection: Connection, consortium_id: str, sha256: str
) -> Evidence | None:
    """A proposal's document or a decision's minutes with this hash, if any."""
    text = connection.scalar(
        select(proposals.c.document)
        .where(
            proposals.c.consortium_id == consortium_id,
            proposals.c.document_sha == sha256,
        )
        .limit(1)
    )
    return Evidence(**json.loads(text)) if text else None
