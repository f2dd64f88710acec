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

from eventsourcing.domain import Aggregate

SCHEDULER = "system:scheduler"

current_actor: ContextVar[str | None] = ContextVar("current_actor", default=None)


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
def acting_as(actor_id: str) -> Iterator[None]:
    """Stamp every event created in this block with ``actor_id``."""
    token = current_actor.set(actor_id)
    try:
        yield
    finally:
        current_actor.reset(token)


class GovernanceEvent(Aggregate.Event):
    """Base of our events: carries the acting account."""

    actor_id: str = field(default_factory=_require_actor, init=False)


class GovernanceCreated(Aggregate.Created):
    """Base of our creation events: carries the acting account."""

    actor_id: str = field(default_factory=_require_actor, init=False)
