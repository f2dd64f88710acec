"""The webhooks at a glance, for the administrators' health page: how many
subscriptions, and the deliveries waiting, being retried, failed for good and
delivered in the last day, with the last answer of one being retried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from notifications.webhooks.tables import deliveries, subscriptions


@dataclass(frozen=True)
class WebhookCounts:
    """Every consortium's and portfolio's webhooks together."""

    subscriptions: int
    paused: int
    waiting: int
    retrying: int
    failed: int
    delivered_last_day: int
    last_answer: str | None


def webhook_counts(engine: Engine, now: datetime) -> WebhookCounts:
    """The counts over every subscription, on one connection."""
    undelivered = deliveries.c.delivered_at.is_(None)
    with engine.connect() as connection:

        def count(table: object, *where: object) -> int:
            statement = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            return int(connection.scalar(statement) or 0)

        last_answer = connection.scalar(
            select(deliveries.c.last_answer)
            .where(
                undelivered,
                deliveries.c.failed.is_(False),
                deliveries.c.attempts > 0,
            )
            .order_by(deliveries.c.last_try_at.desc())
            .limit(1)
        )
        return WebhookCounts(
            subscriptions=count(subscriptions),
            paused=count(subscriptions, subscriptions.c.paused.is_(True)),
            waiting=count(deliveries, undelivered, deliveries.c.failed.is_(False)),
            retrying=count(
                deliveries,
                undelivered,
                deliveries.c.failed.is_(False),
                deliveries.c.attempts > 0,
            ),
            failed=count(deliveries, undelivered, deliveries.c.failed.is_(True)),
            delivered_last_day=count(
                deliveries, deliveries.c.delivered_at >= now - timedelta(days=1)
            ),
            last_answer=last_answer,
        )
