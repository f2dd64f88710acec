"""The webhooks' intake: the history's new entries, one delivery per subscription
that wants each.

The intake keeps its own position in the log (``webhook_intake``), beside the
deliveries it queues, and moves it in the same transaction as it queues them: a
crash, a second worker or a rebuild of the projections neither loses an event nor
queues it twice. It reads only up to where the read models are, so a rebuild in
progress makes it wait rather than skip.

An event's body is its history entry, the words the history page is made from and
nothing more (no e-mail address, no name the page does not show): its kind and
area, the consortium, the log position, when it was recorded, who took it (an
account id), what it is about, and its parameters.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from notifications.webhooks.records import (
    CONSORTIUM,
    PORTFOLIO,
    Subscription,
    delivery_id,
)
from notifications.webhooks.store import WebhookStore
from projections.history.tables import history
from projections.members import memberships
from projections.runtime import ReadSide

BATCH = 500
FINANCER = "financer"


def body_of(row: Any, delivery: str) -> str:
    """The JSON body of a history entry's delivery (keys sorted: stable bytes)."""
    return json.dumps(
        {
            "delivery_id": delivery,
            "kind": row.kind,
            "area": row.area,
            "consortium_id": row.consortium_id,
            "position": row.position,
            "recorded_at": row.recorded_at.isoformat(),
            "actor_id": row.actor_id,
            "subject_id": row.subject_id,
            "about": {"kind": row.about_kind, "id": row.about_id},
            "params": json.loads(row.params),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _portfolios(
    connection: Connection, subscribed: Sequence[Subscription]
) -> dict[str, set[str]]:
    """The consortia each portfolio subscription's financer funds (as of now)."""
    financers = {s.owner_id for s in subscribed if s.scope == PORTFOLIO}
    if not financers:
        return {}
    rows = connection.execute(
        select(memberships.c.account_id, memberships.c.consortium_id).where(
            memberships.c.role == FINANCER,
            memberships.c.account_id.in_(financers),
        )
    )
    funded: dict[str, set[str]] = defaultdict(set)
    for account_id, consortium_id in rows:
        funded[account_id].add(consortium_id)
    return {
        s.subscription_id: funded.get(s.owner_id, set())
        for s in subscribed
        if s.scope == PORTFOLIO
    }


def deliveries_of(
    connection: Connection, rows: Sequence[Any], subscribed: Sequence[Subscription]
) -> list[dict[str, object]]:
    """The deliveries the history entries ``rows`` give, for the subscriptions."""
    funded = _portfolios(connection, subscribed)
    found: list[dict[str, object]] = []
    for row in rows:
        for s in subscribed:
            if s.scope == CONSORTIUM:
                concerned = s.owner_id == row.consortium_id
            else:
                concerned = row.consortium_id in funded.get(s.subscription_id, ())
            if not (concerned and s.wants(row.kind)):
                continue
            delivery = delivery_id(s.subscription_id, row.position)
            found.append(
                {
                    "delivery_id": delivery,
                    "subscription_id": s.subscription_id,
                    "position": row.position,
                    "consortium_id": row.consortium_id,
                    "kind": row.kind,
                    "body": body_of(row, delivery),
                }
            )
    return found


def take_in(
    read_side: ReadSide, store: WebhookStore, now: datetime, batches: int | None = None
) -> int:
    """Queue the deliveries of the entries recorded since the intake stopped;
    returns how many. Two runs at once are harmless: the second finds the batch
    taken and stops."""
    read_side.catch_up()
    until = read_side.position()
    queued = done = 0
    while batches is None or done < batches:
        start = store.position()
        if start is None:
            store.start(until)
            break
        if start >= until:
            break
        with read_side.engine.connect() as connection:
            rows = connection.execute(
                select(history)
                .where(history.c.position > start, history.c.position <= until)
                .order_by(history.c.position)
                .limit(BATCH)
            ).all()
            end = rows[-1].position if len(rows) == BATCH else until
            subscribed = store.every()
            found = deliveries_of(connection, rows, subscribed) if subscribed else []
        if not store.take(start, end, found, now):
            break  # another run took this batch
        queued += len(found)
        done += 1
    return queued
