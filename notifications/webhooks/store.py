"""The subscriptions and their deliveries' outbox, over the app tables.

A delivery enters under its deterministic id (subscription and log position) in the
intake's transaction, so taking an event in twice keeps one. The sender claims the
due ones (the claim pushes the next try ``CLAIM`` ahead, so a sender killed
mid-call delays its delivery by that much and loses nothing), then marks each
delivered, retried later (backoff with jitter) or failed for good. "Send again"
puts a failed one back in the queue.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from notifications.webhooks.records import (
    ANSWER_CHARACTERS,
    CLAIM,
    INTAKE,
    REFUSED_TRIES,
    RETRIED_TRIES,
    Delivery,
    Subscription,
    backoff,
    delivery_of,
    subscription_of,
)
from notifications.webhooks.tables import deliveries, intake, subscriptions


class WebhookStore:
    """Subscriptions, deliveries and the intake position over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- subscriptions ---------------------------------------------------------------

    def subscribe(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        with self.engine.begin() as connection:
            connection.execute(
                insert(subscriptions).values(
                    subscription_id=subscription.subscription_id,
                    scope=subscription.scope,
                    owner_id=subscription.owner_id,
                    url=subscription.url,
                    kinds=" ".join(subscription.kinds),
                    secret_sealed=subscription.secret_sealed,
                    paused=subscription.paused,
                    created_by=subscription.created_by,
                    created_at=subscription.created_at,
                    secret_rotated_at=None,
                )
            )

    def of_owner(self, scope: str, owner_id: str) -> list[Subscription]:
        """The subscriptions of a consortium or a financer, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(subscriptions)
                .where(subscriptions.c.scope == scope)
                .where(subscriptions.c.owner_id == owner_id)
                .order_by(subscriptions.c.created_at, subscriptions.c.subscription_id)
            )
            return [subscription_of(r) for r in rows]

    def owned(self, scope: str, owner_id: str, subscription_id: str) -> Subscription:
        """One subscription of this owner; ``LookupError`` if it is not theirs."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(subscriptions).where(
                    subscriptions.c.subscription_id == subscription_id,
                    subscriptions.c.scope == scope,
                    subscriptions.c.owner_id == owner_id,
                )
            ).first()
        if row is None:
            raise LookupError(subscription_id)
        return subscription_of(row)

    def every(self) -> list[Subscription]:
        """Every subscription (the intake's: a paused one's deliveries are queued
        and held until it resumes, so a pause loses nothing)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(subscriptions))
            return [subscription_of(r) for r in rows]

    def sealed_secrets(self, ids: Iterable[str]) -> dict[str, str]:
        """Each subscription's sealed secret (the sender's)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    subscriptions.c.subscription_id,
                    subscriptions.c.secret_sealed,
                ).where(subscriptions.c.subscription_id.in_(wanted))
            )
            return {r.subscription_id: r.secret_sealed for r in rows}

    def urls(self, ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """Each subscription's address and whether it is paused."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    subscriptions.c.subscription_id,
                    subscriptions.c.url,
                    subscriptions.c.paused,
                ).where(subscriptions.c.subscription_id.in_(wanted))
            )
            return {r.subscription_id: (r.url, bool(r.paused)) for r in rows}

    def rotate(self, subscription_id: str, sealed: str, *, now: datetime) -> None:
        """Replace the signing secret (the new one signs every later attempt)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(subscriptions)
                .where(subscriptions.c.subscription_id == subscription_id)
                .values(secret_sealed=sealed, secret_rotated_at=now)
            )

    def set_paused(self, subscription_id: str, paused: bool) -> None:
        """Pause (deliveries held, nothing sent) or resume a subscription."""
        with self.engine.begin() as connection:
            connection.execute(
                update(subscriptions)
                .where(subscriptions.c.subscription_id == subscription_id)
                .values(paused=paused)
            )

    def unsubscribe(self, subscription_id: str) -> None:
        """Delete a subscription and its deliveries."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(deliveries).where(
                    deliveries.c.subscription_id == subscription_id
                )
            )
            connection.execute(
                delete(subscriptions).where(
                    subscriptions.c.subscription_id == subscription_id
                )
            )

    # -- the intake ------------------------------------------------------------------

    def start(self, position: int) -> None:
        """Begin the intake at ``position`` unless it began already (idempotent)."""
        if self.position() is not None:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(intake).values(name=INTAKE, position=position)
                )
        except IntegrityError:
            pass

    def position(self) -> int | None:
        """How far in the log events are taken in (None before ``start``)."""
        with self.engine.connect() as connection:
            found = connection.scalar(
                select(intake.c.position).where(intake.c.name == INTAKE)
            )
        return None if found is None else int(found)

    def take(
        self, old: int, new: int, found: Sequence[dict[str, object]], now: datetime
    ) -> bool:
        """Queue the deliveries of the events between ``old`` and ``new`` and move
        the intake there, in one transaction; False if another run did it."""
        try:
            with self.engine.begin() as connection:
                moved = connection.execute(
                    update(intake)
                    .where(intake.c.name == INTAKE, intake.c.position == old)
                    .values(position=new)
                ).rowcount
                if moved != 1:
                    return False
                if found:
                    connection.execute(
                        insert(deliveries),
                        [
                            {
                                **row,
                                "created_at": now,
                                "attempts": 0,
                                "next_try_at": now,
                                "failed": False,
                            }
                            for row in found
                        ],
                    )
        except IntegrityError:
            return False
        return True

    # -- the outbox ------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Deliveries to try now, in log order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(deliveries)
                .join(
                    subscriptions,
                    subscriptions.c.subscription_id == deliveries.c.subscription_id,
                )
                .where(
                    deliveries.c.delivered_at.is_(None),
                    deliveries.c.failed.is_(False),
                    deliveries.c.next_try_at <= now,
                    # A paused subscription's deliveries wait for it to resume.
                    subscriptions.c.paused.is_(False),
                )
                .order_by(deliveries.c.position, deliveries.c.delivery_id)
                .limit(limit)
            )
            return [delivery_of(r) for r in rows]

    def claim(self, delivery_id: str, *, now: datetime) -> bool:
        """Take a due delivery for sending; False if another sender took it."""
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.delivered_at.is_(None),
                    deliveries.c.failed.is_(False),
                    deliveries.c.next_try_at <= now,
                )
                .values(next_try_at=now + CLAIM)
            ).rowcount
        return taken == 1

    def mark(
        self,
        delivery: Delivery,
        *,
        now: datetime,
        status: int | None,
        answer: str,
        delivered: bool,
        retry: bool,
        rng: random.Random | None = None,
    ) -> None:
        """Record an attempt: delivered, to retry (backoff), or failed for good."""
        attempts = delivery.attempts + 1
        limit = RETRIED_TRIES if retry else REFUSED_TRIES
        values: dict[str, object] = {
            "attempts": attempts,
            "last_status": status,
            "last_answer": answer[:ANSWER_CHARACTERS],
            "last_try_at": now,
        }
        if delivered:
            values["delivered_at"] = now
        elif attempts >= limit:
            values["failed"] = True
        else:
            values["next_try_at"] = now + backoff(attempts, rng)
        with self.engine.begin() as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.delivery_id == delivery.delivery_id)
                .values(**values)
            )

    def send_again(self, subscription_id: str, delivery_id: str, now: datetime) -> bool:
        """Put a failed delivery back in the queue, due now (False if it is not a
        failed delivery of this subscription)."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.subscription_id == subscription_id,
                    deliveries.c.failed.is_(True),
                )
                .values(failed=False, attempts=0, next_try_at=now)
            ).rowcount
        return changed == 1

    def purge(self, before: datetime) -> int:
        """Forget deliveries delivered before ``before`` (failed ones stay, to be
        sent again); returns how many."""
        with self.engine.begin() as connection:
            return int(
                connection.execute(
                    delete(deliveries).where(
                        deliveries.c.delivered_at.is_not(None),
                        deliveries.c.delivered_at < before,
                    )
                ).rowcount
            )

    def of_subscription(
        self, subscription_id: str, *, limit: int = 50
    ) -> list[Delivery]:
        """A subscription's latest deliveries, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(deliveries)
                .where(deliveries.c.subscription_id == subscription_id)
                .order_by(deliveries.c.position.desc())
                .limit(limit)
            )
            return [delivery_of(r) for r in rows]

    def counts(self, subscription_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Per subscription: deliveries waiting, failed for good, delivered."""
        wanted = list(set(subscription_ids))
        found: dict[str, dict[str, int]] = {
            s: {"waiting": 0, "failed": 0, "delivered": 0} for s in wanted
        }
        if not wanted:
            return found
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    deliveries.c.subscription_id,
                    deliveries.c.delivered_at.is_not(None),
                    deliveries.c.failed,
                    func.count(),
                )
                .where(deliveries.c.subscription_id.in_(wanted))
                .group_by(
                    deliveries.c.subscription_id,
                    deliveries.c.delivered_at.is_not(None),
                    deliveries.c.failed,
                )
            )
            for subscription_id, delivered, failed, count in rows:
                state = "delivered" if delivered else "failed" if failed else "waiting"
                found[subscription_id][state] += int(count)
        return found


def forget(connection: Connection, scope: str, owner_id: str) -> None:
    """Delete every subscription of an owner and their deliveries, in the caller's
    transaction (a person erased, their portfolio's subscriptions with them)."""
    ids = select(subscriptions.c.subscription_id).where(
        subscriptions.c.scope == scope, subscriptions.c.owner_id == owner_id
    )
    connection.execute(delete(deliveries).where(deliveries.c.subscription_id.in_(ids)))
    connection.execute(
        delete(subscriptions).where(
            subscriptions.c.scope == scope, subscriptions.c.owner_id == owner_id
        )
    )
