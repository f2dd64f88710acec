"""The governance service, saving many commands' events in one transaction (the build's
only difference from the real write path).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from governance.application import Governance

A = TypeVar("A")

BATCH_EVENTS = 5000
"""Events saved per transaction while building."""


class SettableClock:
    """The build's clock: each consortium's life sets it to its own time."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class BatchingGovernance(Governance):
    """The service, saving many commands' events in one transaction.

    ``_load`` answers from the aggregates still in memory (saved or not), ``_save``
    only remembers them; ``flush`` saves every changed aggregate at once. Positions
    are unknown until then, so commands return 0 as their position.
    """

    # The library names tables after the application (on PostgreSQL): the same log.
    name = "Governance"

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env, clock=SettableClock(datetime(2020, 1, 1, tzinfo=UTC)))
        self._live: dict[Any, Any] = {}
        self._dirty: dict[Any, Any] = {}
        self._pending = 0
        self.events_saved = 0

    def _load(self, aggregate_id: UUID, kind: type[A], name: str) -> A:
        aggregate = self._live.get(aggregate_id)
        if isinstance(aggregate, kind):
            return aggregate
        loaded = super()._load(aggregate_id, kind, name)
        self._live[aggregate_id] = loaded
        return loaded

    def _save(self, *aggregates: Any) -> int:
        for aggregate in aggregates:
            self._live[aggregate.id] = aggregate
            self._dirty[aggregate.id] = aggregate
            self._pending += len(aggregate.pending_events)
        if self._pending >= BATCH_EVENTS:
            self.flush()
        return 0

    def flush(self) -> int:
        """Save every changed aggregate in one transaction; returns events saved."""
        saved = 0
        if self._dirty:
            recordings = self.save(*self._dirty.values())
            saved = len(recordings)
        self.events_saved += saved
        self._dirty.clear()
        self._pending = 0
        return saved

    def forget(self) -> None:
        """Drop the aggregates kept in memory (after a consortium is done)."""
        self.flush()
        self._live.clear()
