"""The history of the audit: checkpoints countersigned by a financer."""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.rows import HistoryRows


class AuditHistory(HistoryRows):
    """A financer's countersignature, in the history of its consortium."""

    @on(events.CheckpointCountersigned)
    def countersigned(
        self, connection: Connection, envelope: Envelope[events.CheckpointCountersigned]
    ) -> None:
        e = envelope.event
        self._add(
            connection,
            envelope,
            "checkpoint_countersigned",
            consortium_id=e.consortium_id,
        )
