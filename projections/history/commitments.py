"""The history of commitments: pledged, amended, withdrawn, delivered.

A commitment is an aggregate of its own: its rows go to its consortium's history,
about its partner, named as it was when it joined.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, LoggedEvent, on
from projections.buffer import add_row, batch_cache
from projections.history.rows import HistoryRows, Owner, commitment_owner, label_in
from projections.history.tables import commitment_owners


class CommitmentsHistory(HistoryRows):
    """Each commitment event, told about the partner that pledged."""

    def _add_about_commitment(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        /,
        **params: Any,
    ) -> None:
        """A row in the history of the commitment's consortium, about its partner."""
        owner = commitment_owner(connection, envelope.originator_id)
        label = label_in(connection, owner.consortium_id, owner.partner_id)
        self._add(
            connection,
            envelope,
            what,
            owner.partner_id,
            consortium_id=owner.consortium_id,
            partner=label or "?",
            kind=owner.kind,
            unit=owner.unit,
            **params,
        )

    @on(events.CommitmentPledged)
    def pledged(
        self, connection: Connection, envelope: Envelope[events.CommitmentPledged]
    ) -> None:
        e = envelope.event
        row = {
            "commitment_id": envelope.originator_id,
            "consortium_id": e.consortium_id,
            "partner_id": e.partner_id,
            "kind": e.kind.value,
            "unit": e.unit.value,
        }
        add_row(connection, commitment_owners, row)
        batch_cache(connection, "history.commitments")[envelope.originator_id] = Owner(
            **row
        )
        self._add_about_commitment(
            connection, envelope, "commitment_pledged", amount=e.amount
        )

    @on(events.CommitmentAmended)
    def commitment_amended(
        self, connection: Connection, envelope: Envelope[events.CommitmentAmended]
    ) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_amended", amount=e.amount, reason=e.reason
        )

    @on(events.CommitmentWithdrawn)
    def commitment_withdrawn(
        self, connection: Connection, envelope: Envelope[events.CommitmentWithdrawn]
    ) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_withdrawn", on=e.on, reason=e.reason
        )

    @on(events.ContributionDelivered)
    def contribution_delivered(
        self, connection: Connection, envelope: Envelope[events.ContributionDelivered]
    ) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection,
            envelope,
            "contribution_delivered",
            amount=e.amount,
            on=e.delivered_on,
        )
