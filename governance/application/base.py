"""What every group of commands shares: the clock, loading, permission, saving.

Each command takes the acting account, loads the aggregate, checks the permission
(``permissions.py``, authoritative), lets the aggregate check its invariants, saves
in one transaction and returns the position of its last event so the caller can wait
for the read models (read-your-writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoder
from eventsourcing.utils import strtobool

from governance.actor import Actor, acting_as
from governance.application.forking import ForkingRepository
from governance.clock import Clock, SystemClock
from governance.consortium import Consortium
from governance.errors import Conflict, NotFound, NotPermitted
from governance.permissions import Action, check, check_acts_for_partner
from governance.transcodings import TupleKeepingTranscoder, register_all

A = TypeVar("A")


@dataclass(frozen=True)
class Created:
    """What a creating command returns: the new thing's id and the log position."""

    id: str
    position: int


class ServiceBase(Application[UUID]):
    """The application, with the helpers every command uses."""

    def __init__(
        self, env: Mapping[str, str] | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, whose cached aggregates are handed out as
        forks rather than deep copies (``forking``): as safe, cheaper."""
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ForkingRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(size) if size else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")
            ),
        )

    def construct_transcoder(self) -> Transcoder:
        transcoder = TupleKeepingTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_all(transcoder)

    @staticmethod
    def _check_acts_for(actor: Actor, consortium: Consortium, partner_id: str) -> None:
        check_acts_for_partner(
            consortium.role_of(actor.account_id),
            consortium.partner_of(actor.account_id),
            partner_id,
            actor_id=actor.account_id,
            consortium_id=consortium.id,
        )

    # -- storage ------------------------------------------------------------------

    def _acting(self, actor: Actor) -> AbstractContextManager[None]:
        return acting_as(actor.account_id, at=self.clock.now())

    def _consortium(self, consortium_id: UUID) -> Consortium:
        return self._load(consortium_id, Consortium, "consortium")

    def _load(self, aggregate_id: UUID, kind: type[A], name: str) -> A:
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(name, aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(name, aggregate_id)
        return aggregate

    def _authorised(
        self, actor: Actor, consortium_id: UUID, action: Action
    ) -> Consortium:
        consortium = self._consortium(consortium_id)
        check(
            consortium.role_of(actor.account_id),
            action,
            actor_id=actor.account_id,
            consortium_id=consortium_id,
        )
        return consortium

    def _save(self, *aggregates: Any) -> int:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise Conflict([a.id for a in aggregates]) from None
        if not recordings:
            raise NotPermitted("save nothing", "")  # pragma: no cover - a bug
        return int(recordings[-1].notification.id)
