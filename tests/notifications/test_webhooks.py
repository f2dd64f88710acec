"""Webhooks end to end in one process: events recorded through the service, the
intake and the sender run as the worker runs them, a real HTTP receiver on
127.0.0.1 that checks every signature with the secret shown once; on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.values import (
    ContributionKind,
    Funding,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Pledge,
    ReportKind,
)
from notifications.webhooks.pipeline import WebhookPipeline
from notifications.webhooks.records import CONSORTIUM, PORTFOLIO
from notifications.webhooks.store import WebhookStore
from tests.notifications.conftest import Reminded, build_reminded
from tests.support.builders import a_call
from tests.support.fakes import FixedClock
from tests.support.webhook_receiver import Receiver
from web.ops.storage import Stores
from web.ops.webhooks import webhook_pipeline
from web.settings import Settings
from web.usecases.webhooks import Registration, rotate, subscribe


@pytest.fixture
def receiver(clock: FixedClock) -> Iterator[Receiver]:
    made = Receiver(now=lambda: clock.now().timestamp())
    made.start()
    yield made
    made.stop()


@pytest.fixture
def world(stores: Stores, clock: FixedClock) -> Reminded:
    return build_reminded(stores, clock)


@pytest.fixture
def pipeline(stores: Stores, mail_settings: Settings) -> WebhookPipeline:
    return webhook_pipeline(stores, replace(mail_settings, webhooks_allow_local=True))


def registered(
    stores: Stores,
    receiver: Receiver,
    owner: str,
    kinds: tuple[str, ...] = ("all",),
    scope: str = CONSORTIUM,
) -> str:
    subscription, secret = subscribe(
        WebhookStore(stores.outbox.engine),
        stores.accounts.box,
        stores.read_side.log.last_position(),
        scope,
        owner,
        Registration(receiver.url, kinds),
        by="someone",
        now=stores.clock.now(),
    )
    receiver.secret = secret
    return subscription.subscription_id


def pledge(stores: Stores, world: Reminded, amount: int = 1000) -> None:
    consortium = stores.governance.repository.get(world.consortium_id)
    lead = sorted(consortium.partners)[0]
    stores.governance.pledge(
        Actor(world.coordinator),
        world.consortium_id,
        lead,
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal(amount),
            date(2026, 1, 1),
            date(2026, 12, 31),
            "Pilotage",
            Funding.CO_FINANCING,
        ),
    )


def test_every_event_arrives_signed_with_its_position_and_history_fields(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    pledge(stores, world)
    pledge(stores, world, 2000)

    queued, delivered, failed = pipeline.run()

    assert (queued, delivered, failed) == (2, 2, 0)
    assert receiver.bad_signatures == 0
    events = [r.event for r in receiver.received]
    assert [e["kind"] for e in events] == ["commitment_pledged"] * 2
    first = events[0]
    assert first["consortium_id"] == str(world.consortium_id)
    assert first["position"] == receiver.received[0].position
    assert first["delivery_id"] == receiver.received[0].headers["X-Consortium-Delivery"]
    assert first["area"] == "commitments"
    assert "recorded_at" in first
    assert "params" in first
    assert receiver.received[0].headers["X-Consortium-Event"] == "commitment_pledged"
    assert receiver.positions() == sorted(receiver.positions())
    # Nothing left to send: a second run sends nothing again.
    assert pipeline.run() == (0, 0, 0)


def test_only_the_kinds_picked_are_sent(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    registered(stores, receiver, str(world.consortium_id), ("report_scheduled",))
    pledge(stores, world)
    stores.governance.schedule_report(
        Actor(world.coordinator),
        world.consortium_id,
        funder="Région",
        title="Bilan",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=date(2026, 12, 31),
    )

    pipeline.run()

    assert [r.event["kind"] for r in receiver.received] == ["report_scheduled"]


def test_a_paused_subscription_sends_nothing_until_resumed(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    subscription_id = registered(stores, receiver, str(world.consortium_id))
    store = WebhookStore(stores.outbox.engine)
    pledge(stores, world)
    store.set_paused(subscription_id, True)
    pipeline.run()
    pledge(stores, world, 5)
    pipeline.run()
    assert receiver.received == []

    store.set_paused(subscription_id, False)
    pledge(stores, world, 7)
    pipeline.run()

    # Held while paused, every one sent once resumed, none twice.
    assert len(receiver.received) == 3
    assert len(set(receiver.positions())) == 3


def test_a_financer_s_portfolio_subscription_gets_the_events_of_what_they_fund(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    registered(stores, receiver, world.financer, scope=PORTFOLIO)
    # Another consortium, which this financer does not fund.
    other = another_consortium(stores, world)
    pledge(stores, world)
    pledge(stores, replace(world, consortium_id=other))

    pipeline.run()

    assert [r.event["consortium_id"] for r in receiver.received] == [
        str(world.consortium_id)
    ]


def another_consortium(stores: Stores, world: Reminded) -> UUID:
    """A consortium of the same coordinator, with one partner, no financer."""
    coordinator = Actor(world.coordinator)
    cid = UUID(
        stores.governance.found_consortium(
            coordinator,
            name="Autre",
            acronym="AUT",
            summary="",
            territory="Ailleurs",
            call=a_call(),
            founded_on=date(2026, 1, 5),
        ).id
    )
    stores.governance.admit_partner(
        coordinator,
        cid,
        PartnerIdentity("Ailleurs SAS", PartnerKind.COMPANY),
        role=PartnerRole.LEAD,
        axis="",
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=date(2026, 1, 6),
    )
    return cid


def test_a_rebuild_of_the_projections_sends_nothing_again(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    pledge(stores, world)
    pipeline.run()
    assert len(receiver.received) == 1

    stores.read_side.rebuild()
    pledge(stores, world, 3)
    pipeline.run()

    assert len(receiver.received) == 2
    assert len(set(receiver.positions())) == 2


def test_a_body_is_the_history_entry_and_no_personal_data(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    registered(stores, receiver, str(world.consortium_id))
    stores.governance.issue_invitation(
        Actor(world.coordinator),
        world.consortium_id,
        MemberRole.PILOT_TEAM,
        None,
        stores.clock.now() + timedelta(days=7),
    )
    pipeline.run()

    [received] = receiver.received
    body = received.body.decode()
    assert received.event["kind"] == "invitation_issued"
    assert "@" not in body  # no e-mail address, nobody's name
    assert json.loads(body)["about"]["kind"] == "invitation"
    assert UUID(received.event["consortium_id"]) == world.consortium_id


def test_two_senders_at_once_send_each_delivery_once(
    stores: Stores,
    world: Reminded,
    receiver: Receiver,
    pipeline: WebhookPipeline,
    mail_settings: Settings,
) -> None:
    # Two processes' pollers (they are not tied to the scheduler's lead): each
    # claims before sending, so a delivery goes out once.
    registered(stores, receiver, str(world.consortium_id))
    receiver.delay = 0.01
    for amount in range(20):
        pledge(stores, world, 100 + amount)
    other = webhook_pipeline(stores, replace(mail_settings, webhooks_allow_local=True))
    done: list[tuple[int, int, int]] = []
    threads = [
        threading.Thread(target=lambda p=p: done.append(p.run()))
        for p in (pipeline, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(done) == 2
    assert sorted(receiver.positions()) == sorted(set(receiver.positions()))
    assert len(receiver.received) == 20
    assert sum(delivered for _, delivered, _ in done) == 20


def test_after_a_new_secret_deliveries_are_signed_with_it(
    stores: Stores, world: Reminded, receiver: Receiver, pipeline: WebhookPipeline
) -> None:
    subscription_id = registered(stores, receiver, str(world.consortium_id))
    pledge(stores, world)
    store = WebhookStore(stores.outbox.engine)
    [subscription] = store.every()
    old = receiver.secret
    receiver.secret = rotate(
        store, stores.accounts.box, subscription, stores.clock.now()
    )

    pipeline.run()

    assert receiver.secret != old
    assert receiver.bad_signatures == 0
    assert [
        r.headers["X-Consortium-Delivery"].split(":")[0] for r in receiver.received
    ] == [subscription_id]
