"""What the webhooks' store holds and hands out: a subscription, a delivery and its
state, their ids, and how long a failed delivery waits (backoff with jitter)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifications.webhooks.tables import deliveries

CONSORTIUM = "consortium"
PORTFOLIO = "portfolio"
ALL_KINDS = "all"
INTAKE = "webhooks"
# 30 s, 1 min, 2 … capped at an hour; each delay drawn between half and all of it.
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
CLAIM = timedelta(minutes=2)
# A refusal (4xx other than 408/429, a redirect) is final after this many tries;
# an unreachable receiver, a 5xx, 408 or 429 after this many (about a day).
REFUSED_TRIES = 3
RETRIED_TRIES = 30
ANSWER_CHARACTERS = 200


@dataclass(frozen=True)
class Subscription:
    """An address that receives the events of a consortium or a portfolio."""

    subscription_id: str
    scope: str
    owner_id: str
    url: str
    kinds: tuple[str, ...]
    secret_sealed: str
    paused: bool
    created_by: str
    created_at: datetime
    secret_rotated_at: datetime | None

    def wants(self, kind: str) -> bool:
        """Whether events of ``kind`` go to this address."""
        return ALL_KINDS in self.kinds or kind in self.kinds


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription, and what became of it."""

    delivery_id: str
    subscription_id: str
    position: int
    consortium_id: str
    kind: str
    body: str
    created_at: datetime
    attempts: int
    next_try_at: datetime
    last_status: int | None
    last_answer: str | None
    last_try_at: datetime | None
    delivered_at: datetime | None
    failed: bool

    @property
    def state(self) -> str:
        """``delivered``, ``failed`` (for good), ``retrying`` or ``waiting``."""
        if self.delivered_at is not None:
            return "delivered"
        if self.failed:
            return "failed"
        return "retrying" if self.attempts else "waiting"


def delivery_id(subscription_id: str, position: int) -> str:
    """The id of an event's delivery to a subscription (its duplicates share it)."""
    return f"{subscription_id}:{position}"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (with jitter)."""
    delay = FIRST_RETRY
    for _ in range(attempts - 1):
        if delay >= MAX_RETRY:
            break
        delay *= 2
    delay = min(delay, MAX_RETRY)
    return delay * (rng or random).uniform(0.5, 1.0)


def subscription_of(r: object) -> Subscription:
    """A subscription from its row."""
    m = r._mapping  # type: ignore[attr-defined]
    return Subscription(
        m["subscription_id"],
        m["scope"],
        m["owner_id"],
        m["url"],
        tuple(m["kinds"].split()),
        m["secret_sealed"],
        bool(m["paused"]),
        m["created_by"],
        m["created_at"],
        m["secret_rotated_at"],
    )


def delivery_of(r: object) -> Delivery:
    """A delivery from its row."""
    m = r._mapping  # type: ignore[attr-defined]
    return Delivery(**{c.name: m[c.name] for c in deliveries.columns})
