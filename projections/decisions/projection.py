"""The decisions projection: its handlers, one per event of bodies, proxies,
proposals, votes and recorded decisions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, delete

from governance import events
from governance.voting import Outcome, VotingRule
from projections.base import Envelope, LoggedEvent, Projection, on
from projections.buffer import add_row, delete_rows, find_row, update_rows
from projections.decisions.rows import evidence_text, rule_of, rule_text
from projections.decisions.tables import (
    bodies,
    proposal_steps,
    proposals,
    proxies,
    votes,
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

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterator[tuple[Table, dict[str, Any]]]:
        """Each vote's row as it stood: a vote cast or recorded replaces it; each
        body's, which its establishment or change replaces."""
        for envelope in envelopes:
            e = envelope.event
            if isinstance(
                e, events.GovernanceBodyEstablished | events.GovernanceBodyChanged
            ):
                yield bodies, {"body_id": e.body_id}
            if isinstance(
                e, events.VoteCast | events.VoteChanged | events.VoteRecorded
            ):
                yield (
                    votes,
                    {"proposal_id": envelope.originator_id, "partner_id": e.partner_id},
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
        delete_rows(connection, bodies, {"body_id": e.body_id})
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
                "rule": rule_text(e.rule),
                "document": evidence_text(e.document),
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

    @on(events.VoteRecorded)
    def recorded_vote(
        self, connection: Connection, envelope: Envelope[events.VoteRecorded]
    ) -> None:
        """A vote the chair recorded at the meeting: counted like any other."""
        e = envelope.event
        key = {"proposal_id": envelope.originator_id, "partner_id": e.partner_id}
        before = find_row(connection, votes, key)
        if before is not None:
            delete_rows(connection, votes, key)
        add_row(
            connection,
            votes,
            {
                **key,
                "option": e.option,
                "reason": e.reason,
                "cast_at": envelope.recorded_at,
                "cast_by": envelope.actor_id,
                "changes": 0 if before is None else before["changes"] + 1,
            },
        )
        self._step(
            connection,
            envelope,
            "recorded_vote",
            partner_id=e.partner_id,
            option=e.option,
            reason=e.reason,
            through=e.through,
        )

    @on(events.ProposalClosed)
    def closed(
        self, connection: Connection, envelope: Envelope[events.ProposalClosed]
    ) -> None:
        e = envelope.event
        row = find_row(connection, proposals, {"proposal_id": envelope.originator_id})
        rule = rule_of((row and row["rule"]) or "{}")
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
                "rule": rule_text(VotingRule()),
                "document": evidence_text(e.minutes),
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
