"""The history of decisions: bodies, proxies, proposals, votes, decisions recorded."""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.rows import HistoryRows, add_label, label_in


class DecisionsHistory(HistoryRows):
    """Bodies and proxies (consortium events), proposals and decisions."""

    @on(events.GovernanceBodyEstablished, events.GovernanceBodyChanged)
    def body(
        self,
        connection: Connection,
        envelope: Envelope[
            events.GovernanceBodyEstablished | events.GovernanceBodyChanged
        ],
    ) -> None:
        e = envelope.event
        established = isinstance(e, events.GovernanceBodyEstablished)
        if established:
            add_label(connection, envelope.originator_id, e.body_id, e.name)
        self._add(
            connection,
            envelope,
            "body_established" if established else "body_changed",
            about_id=e.body_id,
            body=e.name,
            members=len(e.members),
        )

    @on(events.ProxyDelegated)
    def delegated(
        self, connection: Connection, envelope: Envelope[events.ProxyDelegated]
    ) -> None:
        e = envelope.event
        self._add(
            connection,
            envelope,
            "proxy_delegated",
            e.from_partner,
            about_id=e.proxy_id,
            partner=self._label(connection, envelope, e.from_partner),
            to=self._label(connection, envelope, e.to_partner),
            on=e.valid_from,
            until=e.valid_until,
        )

    @on(events.ProxyRevoked)
    def proxy_revoked(
        self, connection: Connection, envelope: Envelope[events.ProxyRevoked]
    ) -> None:
        self._add(
            connection, envelope, "proxy_revoked", about_id=envelope.event.proxy_id
        )

    @on(events.ProposalTabled)
    def tabled(
        self, connection: Connection, envelope: Envelope[events.ProposalTabled]
    ) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        body = label_in(connection, e.consortium_id, e.body_id)
        self._add_about_own(connection, envelope, "proposal_tabled", body=body or "?")

    @on(events.VoteCast, events.VoteChanged)
    def voted(
        self,
        connection: Connection,
        envelope: Envelope[events.VoteCast | events.VoteChanged],
    ) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        partner = label_in(connection, consortium_id, e.partner_id)
        self._add_about_own(
            connection,
            envelope,
            "vote_cast" if isinstance(e, events.VoteCast) else "vote_changed",
            e.partner_id,
            partner=partner or "?",
            option=e.option,
            reason=e.reason,
        )

    @on(events.VoteRecorded)
    def vote_recorded(
        self, connection: Connection, envelope: Envelope[events.VoteRecorded]
    ) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        partner = label_in(connection, consortium_id, e.partner_id)
        through = label_in(connection, consortium_id, e.through)
        self._add_about_own(
            connection,
            envelope,
            "vote_recorded" if e.through == e.partner_id else "vote_recorded_by_proxy",
            e.partner_id,
            partner=partner or "?",
            option=e.option,
            through=through or "?",
        )

    @on(events.ProposalClosed)
    def closed(
        self, connection: Connection, envelope: Envelope[events.ProposalClosed]
    ) -> None:
        self._add_about_own(
            connection,
            envelope,
            "proposal_closed",
            outcome=envelope.event.outcome,
        )

    @on(events.OutcomeVetoed)
    def vetoed(
        self, connection: Connection, envelope: Envelope[events.OutcomeVetoed]
    ) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        partner = label_in(connection, consortium_id, e.partner_id)
        self._add_about_own(
            connection,
            envelope,
            "outcome_vetoed",
            e.partner_id,
            partner=partner or "?",
            reason=e.reason,
        )

    @on(events.DecisionRecorded)
    def decision(
        self, connection: Connection, envelope: Envelope[events.DecisionRecorded]
    ) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        self._add_about_own(
            connection,
            envelope,
            "decision_recorded",
            outcome=e.outcome,
            on=e.decided_on,
        )
