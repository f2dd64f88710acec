"""The decisions read model: bodies, proxies, proposals, votes and the decision log.

Recorded meeting decisions and closed votes share the ``proposals`` table (``kind``
tells them apart), so the decision log is one query. Tallies are not stored: they
are computed from the votes with the pure rules of ``governance.voting``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    or_,
    select,
)

from governance import events
from governance.values import Evidence
from governance.voting import Majority, Outcome, VotingRule
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import add_row, delete_rows, find_row, update_rows

bodies = Table(
    "bodies",
    metadata,
    Column("body_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("members", Text, nullable=False),
    Column("quorum", String(20), nullable=False),
    Column("quorum_by_weight", Boolean, nullable=False),
    Column("majority", String(32), nullable=False),
    Column("veto_days", Integer, nullable=False),
)

proxies = Table(
    "proxies",
    metadata,
    Column("proxy_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("from_partner", String(36), nullable=False),
    Column("to_partner", String(36), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("body_id", String(36), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("options", Text, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("closes_at", UtcDateTime),
    Column("meeting_on", Date),
    Column("members", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("document", Text),
    Column("document_sha", String(64), index=True),
    Column("outcome", String(16)),
    Column("closed_at", UtcDateTime),
    Column("decided_on", Date),
    Column("veto_until", UtcDateTime),
    Column("vetoed_by", String(36)),
    Column("veto_reason", Text, nullable=False),
    Column("present", Text, nullable=False),
    Column("tabled_at", UtcDateTime, nullable=False),
    Column("tabled_by", String(64), nullable=False),
)

votes = Table(
    "votes",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("partner_id", String(36), primary_key=True),
    Column("option", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("cast_at", UtcDateTime, nullable=False),
    Column("cast_by", String(64), nullable=False),
    Column("changes", Integer, nullable=False),
)

proposal_steps = Table(
    "proposal_steps",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("proposal_id", String(36), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("params", Text, nullable=False),
)


@dataclass(frozen=True)
class BodyRow:
    """A governance body."""

    body_id: str
    consortium_id: str
    name: str
    members: dict[str, int]
    rule: VotingRule


@dataclass(frozen=True)
class ProxyRow:
    """A delegation of a partner's vote."""

    proxy_id: str
    from_partner: str
    to_partner: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class VoteRow:
    """A partner's current vote."""

    partner_id: str
    option: str
    reason: str
    cast_at: datetime
    cast_by: str
    changes: int


@dataclass(frozen=True)
class ProposalRow:
    """A proposal (open or decided) or a decision recorded from a meeting."""

    proposal_id: str
    consortium_id: str
    body_id: str
    kind: str
    title: str
    text: str
    options: tuple[str, ...]
    mode: str
    closes_at: datetime | None
    meeting_on: date | None
    members: dict[str, int]
    rule: VotingRule
    document: Evidence | None
    outcome: Outcome | None
    closed_at: datetime | None
    decided_on: date | None
    veto_until: datetime | None
    vetoed_by: str | None
    veto_reason: str
    present: tuple[str, ...]
    tabled_at: datetime
    tabled_by: str

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def date(self) -> date:
        """The decision's date: recorded, closed, or tabled."""
        if self.decided_on is not None:
            return self.decided_on
        return (self.closed_at or self.tabled_at).date()


@dataclass(frozen=True)
class StepRow:
    """One step in a proposal's history."""

    position: int
    recorded_at: datetime
    actor_id: str
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class LogFilter:
    """What the decision log may be narrowed to."""

    body_id: str | None = None
    outcome: Outcome | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""


def _rule_text(rule: VotingRule) -> str:
    return json.dumps(
        {
            "quorum": str(rule.quorum),
            "by_weight": rule.quorum_by_weight,
            "majority": rule.majority.value,
            "veto_days": rule.veto_days,
        }
    )


def _rule(text: str) -> VotingRule:
    data = json.loads(text)
    return VotingRule(
        Decimal(data["quorum"]),
        data["by_weight"],
        Majority(data["majority"]),
        data["veto_days"],
    )


def _evidence_text(evidence: Evidence | None) -> str | None:
    if evidence is None:
        return None
    return json.dumps(
        {
            "sha256": evidence.sha256,
            "size": evidence.size,
            "media_type": evidence.media_type,
            "filename": evidence.filename,
        }
    )


class DecisionsProjection(Projection):
    """Bodies, proxies, proposals, votes and recorded decisions."""

    name: ClassVar[str] = "decisions"
    tables: ClassVar[tuple[Table, ...]] = (
        bodies,
        proxies,
        proposals,
        votes,
        proposal_steps,
    )

    @on(events.GovernanceBodyEstablished, events.GovernanceBodyChanged)
    def body(
        self,
        connection: Connection,
        envelope: Envelope[
            events.GovernanceBodyEstablished | events.GovernanceBodyChanged
        ],
    ) -> None:
        e = envelope.event
        connection.execute(delete(bodies).where(bodies.c.body_id == e.body_id))
        add_row(
            connection,
            bodies,
            {
                "body_id": e.body_id,
                "consortium_id": envelope.originator_id,
                "name": e.name,
                "members": json.dumps(e.members),
                "quorum": str(e.rule.quorum),
                "quorum_by_weight": e.rule.quorum_by_weight,
                "majority": e.rule.majority.value,
                "veto_days": e.rule.veto_days,
            },
        )

    @on(events.ProxyDelegated)
    def delegated(
        self, connection: Connection, envelope: Envelope[events.ProxyDelegated]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            proxies,
            {
                "proxy_id": e.proxy_id,
                "consortium_id": envelope.originator_id,
                "from_partner": e.from_partner,
                "to_partner": e.to_partner,
                "valid_from": e.valid_from,
                "valid_until": e.valid_until,
            },
        )

    @on(events.ProxyRevoked)
    def revoked(
        self, connection: Connection, envelope: Envelope[events.ProxyRevoked]
    ) -> None:
        connection.execute(
            delete(proxies).where(proxies.c.proxy_id == envelope.event.proxy_id)
        )

    @on(events.ProposalTabled)
    def tabled(
        self, connection: Connection, envelope: Envelope[events.ProposalTabled]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            proposals,
            {
                "proposal_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "body_id": e.body_id,
                "kind": "vote",
                "title": e.title,
                "text": e.text,
                "options": json.dumps(list(e.options)),
                "mode": e.mode,
                "closes_at": e.closes_at,
                "meeting_on": e.meeting_on,
                "members": json.dumps(e.members),
                "rule": _rule_text(e.rule),
                "document": _evidence_text(e.document),
                "document_sha": e.document.sha256 if e.document else None,
                "veto_reason": "",
                "present": "[]",
                "tabled_at": envelope.recorded_at,
                "tabled_by": envelope.actor_id,
            },
        )
        self._step(connection, envelope, "tabled")

    @on(events.VoteCast, events.VoteChanged)
    def voted(
        self,
        connection: Connection,
        envelope: Envelope[events.VoteCast | events.VoteChanged],
    ) -> None:
        e = envelope.event
        key = {"proposal_id": envelope.originator_id, "partner_id": e.partner_id}
        before = find_row(connection, votes, key)
        changes = None if before is None else before["changes"]
        if before is not None:
            delete_rows(connection, votes, key)
        add_row(
            connection,
            votes,
            {
                "proposal_id": envelope.originator_id,
                "partner_id": e.partner_id,
                "option": e.option,
                "reason": e.reason,
                "cast_at": envelope.recorded_at,
                "cast_by": envelope.actor_id,
                "changes": 0 if changes is None else changes + 1,
            },
        )
        kind = "changed" if changes is not None else "voted"
        self._step(
            connection,
            envelope,
            kind,
            partner_id=e.partner_id,
            option=e.option,
            reason=e.reason,
        )

    @on(events.ProposalClosed)
    def closed(
        self, connection: Connection, envelope: Envelope[events.ProposalClosed]
    ) -> None:
        e = envelope.event
        row = find_row(connection, proposals, {"proposal_id": envelope.originator_id})
        rule = _rule((row and row["rule"]) or "{}")
        veto_until = (
            e.closed_at + timedelta(days=rule.veto_days)
            if rule.veto_days and e.outcome is Outcome.ADOPTED
            else None
        )
        self._update(
            connection,
            envelope,
            outcome=e.outcome.value,
            closed_at=e.closed_at,
            veto_until=veto_until,
        )
        self._step(connection, envelope, "closed", outcome=e.outcome.value)

    @on(events.OutcomeVetoed)
    def vetoed(
        self, connection: Connection, envelope: Envelope[events.OutcomeVetoed]
    ) -> None:
        e = envelope.event
        self._update(
            connection,
            envelope,
            outcome=Outcome.VETOED.value,
            vetoed_by=e.partner_id,
            veto_reason=e.reason,
        )
        self._step(
            connection, envelope, "vetoed", partner_id=e.partner_id, reason=e.reason
        )

    @on(events.DecisionRecorded)
    def recorded(
        self, connection: Connection, envelope: Envelope[events.DecisionRecorded]
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            proposals,
            {
                "proposal_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "body_id": e.body_id,
                "kind": "meeting",
                "title": e.title,
                "text": e.text,
                "options": "[]",
                "mode": "meeting",
                "closes_at": None,
                "meeting_on": e.decided_on,
                "members": "{}",
                "rule": _rule_text(VotingRule()),
                "document": _evidence_text(e.minutes),
                "document_sha": e.minutes.sha256 if e.minutes else None,
                "outcome": e.outcome.value,
                "closed_at": envelope.recorded_at,
                "decided_on": e.decided_on,
                "veto_reason": "",
                "present": json.dumps(list(e.present)),
                "tabled_at": envelope.recorded_at,
                "tabled_by": envelope.actor_id,
            },
        )
        self._step(connection, envelope, "recorded", outcome=e.outcome.value)

    def _step(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        kind: str,
        **params: object,
    ) -> None:
        add_row(
            connection,
            proposal_steps,
            {
                "position": envelope.position,
                "proposal_id": envelope.originator_id,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "kind": kind,
                "params": json.dumps(params),
            },
        )

    @staticmethod
    def _update(
        connection: Connection, envelope: Envelope[LoggedEvent], **values: object
    ) -> None:
        update_rows(
            connection, proposals, {"proposal_id": envelope.originator_id}, values
        )


def _body(r: Any) -> BodyRow:
    rule = VotingRule(
        Decimal(r.quorum), bool(r.quorum_by_weight), Majority(r.majority), r.veto_days
    )
    return BodyRow(r.body_id, r.consortium_id, r.name, json.loads(r.members), rule)


def _proposal(r: Any) -> ProposalRow:
    document = Evidence(**json.loads(r.document)) if r.document else None
    return ProposalRow(
        r.proposal_id,
        r.consortium_id,
        r.body_id,
        r.kind,
        r.title,
        r.text,
        tuple(json.loads(r.options)),
        r.mode,
        r.closes_at,
        r.meeting_on,
        json.loads(r.members),
        _rule(r.rule),
        document,
        Outcome(r.outcome) if r.outcome else None,
        r.closed_at,
        r.decided_on,
        r.veto_until,
        r.vetoed_by,
        r.veto_reason,
        tuple(json.loads(r.present)),
        r.tabled_at,
        r.tabled_by,
    )


def bodies_of(connection: Connection, consortium_id: str) -> list[BodyRow]:
    """The consortium's governance bodies, by name."""
    rows = connection.execute(
        select(bodies)
        .where(bodies.c.consortium_id == consortium_id)
        .order_by(func.lower(bodies.c.name))
    )
    return [_body(r) for r in rows]


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
    return _proposal(r) if r is not None else None


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
    return [_proposal(r) for r in rows]


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
    return [_proposal(r) for r in rows], int(total)


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
