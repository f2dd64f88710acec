"""Webhooks when the receiver is down, busy or refusing: retried with backoff and
jitter until it is back (none lost), refusals final after a few tries and sent
again by hand, redirects not followed, addresses checked again when sent, old
deliveries forgotten; a real HTTP receiver on 127.0.0.1, on both backends.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from notifications.webhooks.overview import WebhookCounts, webhook_counts
from notifications.webhooks.pipeline import WebhookPipeline
from notifications.webhooks.records import REFUSED_TRIES
from notifications.webhooks.store import WebhookStore
from notifications.webhooks.tables import deliveries
from tests.notifications.conftest import Reminded
from tests.notifications.test_webhooks import (
    pipeline,
    pledge,
    receiver,
    registered,
    world,
)
from tests.support.fakes import FixedClock
from tests.support.webhook_receiver import Receiver
from web.ops.storage import Stores

__all__ = ["pipeline", "receiver", "world"]


def deliveries_state(stores: Stores) -> list[tuple[int, int, bool, bool]]:
    """(position, attempts, delivered, failed) of every delivery, in log order."""
    with stores.outbox.engine.connect() as connection:
        rows = connection.execute(
            select(
                deliveries.c.position,
                deliveries.c.attempts,
                deliveries.c.delivered_at.is_not(None),
                deliveries.c.failed,
            ).order_by(deliveries.c.position)
        ).all()
    return [(p, a, bool(d), bool(f)) for p, a, d, f in rows]


def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_back(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    receiver.stop()  # the port closed: connection refused
    for amount in (100, 200, 300):
        pledge(stores, world, amount)

    queued, delivered, failed = pipeline.run()
    assert (queued, delivered) == (3, 0)
    # One failure per run: the address failed, the rest waits for the next run.
    assert failed == 1
    for _ in range(4):
        clock.advance(timedelta(hours=1))
        pipeline.run()
    receiver.start()  # back, on the same port, but answering 503 for a while
    receiver.status = 503
    clock.advance(timedelta(hours=1))
    pipeline.run()
    assert receiver.received == []
    receiver.status = 200
    clock.advance(timedelta(hours=1))
    pipeline.run()

    assert len(receiver.received) == 3
    assert len(set(receiver.positions())) == 3
    states = deliveries_state(stores)
    assert all(delivered and not failed for _, _, delivered, failed in states)
    assert max(attempts for _, attempts, _, _ in states) > 1


def test_backoff_waits_longer_after_each_failure_with_jitter(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    receiver.status = 503
    pledge(stores, world)
    waits = []
    for _ in range(5):
        pipeline.run()
        with stores.outbox.engine.connect() as connection:
            next_try = connection.scalar(select(deliveries.c.next_try_at))
        assert next_try is not None
        waits.append((next_try - clock.now()).total_seconds())
        clock.advance(next_try - clock.now())
    # 30 s doubling, each drawn between half and all of it.
    for attempt, wait in enumerate(waits, start=1):
        full = 30 * 2 ** (attempt - 1)
        assert full / 2 <= wait <= full
    with stores.outbox.engine.connect() as connection:
        answer = connection.scalar(select(deliveries.c.last_answer))
        status = connection.scalar(select(deliveries.c.last_status))
    assert (status, answer) == (503, "busy not now")


def test_a_refusal_is_final_after_a_few_tries_then_sent_again_by_hand(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    subscription_id = registered(stores, receiver, str(world.consortium_id))
    receiver.status = 404
    pledge(stores, world)
    for _ in range(REFUSED_TRIES + 2):
        pipeline.run()
        clock.advance(timedelta(hours=2))
    [(position, attempts, delivered, failed)] = deliveries_state(stores)
    assert (attempts, delivered, failed) == (REFUSED_TRIES, False, True)

    receiver.status = 200
    store = WebhookStore(stores.outbox.engine)
    assert store.send_again(
        subscription_id, f"{subscription_id}:{position}", clock.now()
    )
    pipeline.run()

    assert receiver.positions() == [position]
    assert deliveries_state(stores)[0][2:] == (True, False)


def test_the_administrators_counts_follow_each_delivery_from_waiting_to_delivered(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    def counts() -> WebhookCounts:
        return webhook_counts(stores.outbox.engine, clock.now())

    paused = registered(stores, receiver, str(world.consortium_id))
    WebhookStore(stores.outbox.engine).set_paused(paused, True)
    busy = registered(stores, receiver, str(world.consortium_id))  # signs last
    receiver.status = 503
    pledge(stores, world)
    before = counts()
    pipeline.run()  # queued for both; the active one tried once and answered 503
    retrying = counts()
    receiver.status = 404
    for _ in range(REFUSED_TRIES + 1):
        clock.advance(timedelta(hours=2))
        pipeline.run()
    refused = counts()
    receiver.status = 200
    [position] = [p for p, _, _, failed in deliveries_state(stores) if failed]
    store = WebhookStore(stores.outbox.engine)
    assert store.send_again(busy, f"{busy}:{position}", clock.now())
    pipeline.run()
    delivered = counts()

    assert (before.subscriptions, before.paused, before.waiting) == (2, 1, 0)
    assert (retrying.waiting, retrying.retrying, retrying.failed) == (2, 1, 0)
    assert retrying.last_answer == "busy not now"
    assert (refused.waiting, refused.retrying, refused.failed) == (1, 0, 1)
    assert (delivered.failed, delivered.delivered_last_day) == (0, 1)


def test_a_redirect_is_not_followed_and_counts_as_a_refusal(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    receiver.status = 302
    pledge(stores, world)
    for _ in range(REFUSED_TRIES + 1):
        pipeline.run()
        clock.advance(timedelta(hours=2))

    # One request per attempt (the Location never asked), then failed for good.
    assert receiver.hits == REFUSED_TRIES
    [(_, attempts, delivered, failed)] = deliveries_state(stores)
    assert (attempts, delivered, failed) == (REFUSED_TRIES, False, True)


def test_an_address_no_longer_allowed_when_sent_is_refused_without_a_call(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    # Registered while local addresses were allowed; sent by a process where they
    # are not: the sender checks again, and calls nobody.
    registered(stores, receiver, str(world.consortium_id))
    pipeline.allow_local = False
    pledge(stores, world)
    for _ in range(REFUSED_TRIES + 1):
        pipeline.run()
        clock.advance(timedelta(hours=2))

    assert receiver.hits == 0
    [(_, attempts, delivered, failed)] = deliveries_state(stores)
    assert (attempts, delivered, failed) == (REFUSED_TRIES, False, True)
    with stores.outbox.engine.connect() as connection:
        answer = connection.scalar(select(deliveries.c.last_answer))
    assert answer == "refused address: webhook_url_scheme"


def test_delivered_deliveries_are_forgotten_after_thirty_days_failed_ones_kept(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    clock: FixedClock,
) -> None:
    subscription_id = registered(stores, receiver, str(world.consortium_id))
    pledge(stores, world)
    pipeline.run()  # delivered now
    receiver.status = 404
    pledge(stores, world, 9)
    for _ in range(REFUSED_TRIES):
        pipeline.run()
        clock.advance(timedelta(hours=2))

    clock.advance(timedelta(days=31))
    pipeline.run()

    store = WebhookStore(stores.outbox.engine)
    assert [d.state for d in store.of_subscription(subscription_id)] == ["failed"]
