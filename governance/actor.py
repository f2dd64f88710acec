"""Who is acting: the account behind every event.

The service sets the acting account for the duration of a command
(``with acting_as(actor_id): ...``); every ``GovernanceEvent`` created meanwhile is
stamped with it. An event created outside ``acting_as`` is a programming error and
raises, so no stored event can lack its author.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from eventsourcing.domain import Aggregate

SCHEDULER = "system:scheduler"
PLATFORM = "system:platform"

current_actor: ContextVar[str | None] = ContextVar("current_actor", default=None)
current_time: ContextVar[datetime | None] = ContextVar("current_time", default=None)


@dataclass(frozen=True)
class Actor:
    """The account executing a command, as the service sees it."""

    account_id: str
    is_platform_admin: bool = False


class ActorMissingError(RuntimeError):
    """Raised when an event is created outside ``acting_as``."""


def _require_actor() -> str:
    actor_id = current_actor.get()
    if actor_id is None:
        raise ActorMissingError("events must be created inside acting_as()")
    return actor_id


@contextmanager
def acting_as(actor_id: str, at: datetime | None = None) -> Iterator[None]:
    """Stamp every event created in this block with ``actor_id`` (and time ``at``).

    Without ``at``, events carry the library's own timestamp (now, in UTC).
    """
    actor_token = current_actor.set(actor_id)
    time_token = current_time.set(at)
    try:
        yield
    finally:
        current_time.reset(time_token)
        current_actor.reset(actor_token)


def _timestamp() -> datetime:
    at = current_time.get()
    return at if at is not None else datetime.now(UTC)


class GovernanceEvent(Aggregate.Event):
    """Base of our events: carries the acting account; time from the service's clock."""

    actor_id: str = field(default_factory=_require_actor, init=False)

    @staticmethod
    def create_timestamp() -> datetime:
        return _timestamp()


class GovernanceCreated(Aggregate.Created):
    """Base of our creation events: carries the acting account."""

    actor_id: str = field(default_factory=_require_actor, init=False)

    @staticmethod
    def create_timestamp() -> datetime:
        return _timestamp()
