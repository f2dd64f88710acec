"""kill -9 the webhooks' sender: every event of a scripted day reaches a real
receiver at least once, and exactly once after de-duplicating by log position.

A real ``consortium worker`` (with the real clock) takes the events of a scripted
day in and POSTs them to an HTTP receiver in this process, which records each
request (checking its signature with the secret shown once) and then takes a
little while to answer, so that each SIGKILL lands in the middle of the sending.
The worker is killed at a random moment after a new request arrived, again and
again, then a last worker finishes the work; on SQLite and on PostgreSQL.

The documented bound: a kill between the receiver's recording and the sender's
mark sends that delivery again, with the same ``X-Consortium-Delivery`` and
``X-Consortium-Position``; a kill anywhere else costs nothing. A delivery a killed
sender had claimed waits out the claim (``CLAIM``) before another sender retries
it: rather than wait, the test moves those claims back by ``CLAIM``, which is all
the waiting would do.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import func, select, update

from governance.actor import Actor
from governance.values import ContributionKind, Funding, Pledge, ReportKind
from notifications.webhooks.records import CLAIM, CONSORTIUM
from notifications.webhooks.store import WebhookStore
from notifications.webhooks.tables import deliveries
from projections.history.tables import history
from tests.notifications.conftest import Reminded, build_reminded
from tests.support.fakes import FixedClock
from tests.support.processes import consortium_command, stop
from tests.support.soak import scaled
from tests.support.webhook_receiver import Receiver
from web.ops.storage import Stores, open_stores
from web.settings import Settings
from web.usecases.webhooks import Registration, subscribe

KILLS = scaled(3, 12)
STEPS = scaled(40, 300)
# Each request takes this long at the receiver before its answer.
RECEIVER_DELAY = 0.05
# After a new request arrived, the worker lives this much longer (at most).
KILL_WINDOW = 0.3
WAIT_SECONDS = 60.0
FINISH_SECONDS = 120.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key="k",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
        webhooks_allow_local=True,
    )


@pytest.fixture
def stores(settings: Settings) -> Iterator[Stores]:
    opened = open_stores(settings)
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(delay=RECEIVER_DELAY)
    made.start()
    yield made
    made.stop()


def environment(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(settings.data_dir),
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_TICK_SECONDS": "1",
        "CONSORTIUM_WEBHOOKS_ALLOW_LOCAL": "1",
    }
    if settings.database_url:
        env["CONSORTIUM_DATABASE_URL"] = settings.database_url
    return env


def started_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [consortium_command(), "worker"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def scripted_day(stores: Stores, world: Reminded) -> None:
    """A day of a consortium: pledges, reports scheduled, an indicator measured."""
    governance = stores.governance
    coordinator = Actor(world.coordinator)
    cid = world.consortium_id
    lead = sorted(governance.repository.get(cid).partners)[0]
    indicator = UUID(
        governance.define_indicator(
            coordinator,
            cid,
            name="Personnes formées",
            unit="personnes",
            baseline=Decimal(0),
            target=Decimal(100),
            target_on=date(2027, 6, 30),
            measured_by="Pilotage",
        ).id
    )
    for step in range(STEPS):
        if step % 3 == 0:
            governance.pledge(
                coordinator,
                cid,
                lead,
                Pledge(
                    ContributionKind.FINANCIAL,
                    Decimal(100 + step),
                    date(2026, 1, 1),
                    date(2026, 12, 31),
                    f"Ligne {step}",
                    Funding.CO_FINANCING,
                ),
            )
        elif step % 3 == 1:
            governance.schedule_report(
                coordinator,
                cid,
                funder="Région",
                title=f"Note {step}",
                kind=ReportKind.ACTIVITY_REPORT,
                responsible_id=None,
                due_on=date(2027, 12, 31),
            )
        else:
            governance.measure_indicator(
                coordinator, indicator, Decimal(step), date(2026, 11, 2), "Comptage"
            )


def wait_for_more_than(
    receiver: Receiver, count: int, worker: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(receiver.received) <= count:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with status {worker.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"no new delivery within {WAIT_SECONDS:.0f} s")
        time.sleep(0.01)


def expire_abandoned_claims(stores: Stores) -> set[int]:
    """Move the claims of killed senders back by ``CLAIM``; returns the positions
    of the deliveries they had claimed."""
    now = datetime.now(UTC)
    with stores.outbox.engine.begin() as connection:
        claimed = connection.execute(
            select(
                deliveries.c.delivery_id,
                deliveries.c.position,
                deliveries.c.next_try_at,
            ).where(
                deliveries.c.delivered_at.is_(None),
                deliveries.c.failed.is_(False),
                deliveries.c.next_try_at > now,
            )
        ).all()
        for delivery_id, _, next_try_at in claimed:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.delivery_id == delivery_id)
                .values(next_try_at=next_try_at - CLAIM)
            )
    return {position for _, position, _ in claimed}


def undelivered(stores: Stores) -> int:
    with stores.outbox.engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count()).where(deliveries.c.delivered_at.is_(None))
            )
            or 0
        )


def test_a_killed_sender_loses_no_event_and_duplicates_carry_their_position(
    stores: Stores, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    # Given a consortium whose coordinator registered the receiver for every kind
    world = build_reminded(
        stores, FixedClock(datetime.now(UTC)), due_on=date(2027, 9, 30)
    )
    start = stores.read_side.log.last_position()
    subscription, receiver.secret = subscribe(
        WebhookStore(stores.outbox.engine),
        stores.accounts.box,
        start,
        CONSORTIUM,
        str(world.consortium_id),
        Registration(receiver.url, ("all",)),
        by=world.coordinator,
        now=datetime.now(UTC),
    )
    # And the events of a scripted day
    scripted_day(stores, world)
    env = environment(settings)
    rng = random.Random(int(os.environ.get("CONSORTIUM_SEED", "0")) or None)
    logs: list[Path] = []

    # When the worker is killed with SIGKILL while it sends, again and again
    for kill in range(KILLS):
        logs.append(tmp_path / f"worker-{kill}.log")
        worker = started_worker(env, logs[-1])
        try:
            wait_for_more_than(receiver, len(receiver.received), worker)
            time.sleep(rng.uniform(0, KILL_WINDOW))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    before_the_last = len(receiver.received)
    claims = expire_abandoned_claims(stores)

    # And a last worker is left to finish
    logs.append(tmp_path / "worker-last.log")
    worker = started_worker(env, logs[-1])
    try:
        deadline = time.monotonic() + FINISH_SECONDS
        while time.monotonic() < deadline:
            stores.read_side.catch_up()
            if WebhookStore(
                stores.outbox.engine
            ).position() == stores.read_side.log.last_position() and not undelivered(
                stores
            ):
                break
            time.sleep(0.2)
    finally:
        stop(worker)

    # Then every event of the consortium since the subscription arrived, exactly
    # once after de-duplicating by position, each duplicate one a killed sender held
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        expected = set(
            connection.scalars(
                select(history.c.position).where(
                    history.c.consortium_id == str(world.consortium_id),
                    history.c.position > start,
                )
            )
        )
    positions = Counter(receiver.positions())
    duplicates = sum(n - 1 for n in positions.values())
    print(  # noqa: T201 - the figures for the report
        f"\nwebhooks kill -9 ({(settings.database_url and 'postgres') or 'sqlite'}): "
        f"{KILLS} kills, {len(expected)} events expected, {len(receiver.received)} "
        f"requests received ({before_the_last} before the last worker), "
        f"{duplicates} raw duplicates, {len(claims)} abandoned claims"
    )
    assert len(expected) >= STEPS
    assert set(positions) == expected
    assert receiver.bad_signatures == 0
    assert duplicates <= KILLS
    assert {p for p, n in positions.items() if n > 1} <= claims
    # The delivery id names the subscription and the position: duplicates share it.
    by_delivery = Counter(r.headers["X-Consortium-Delivery"] for r in receiver.received)
    assert by_delivery == Counter(
        {f"{subscription.subscription_id}:{p}": n for p, n in positions.items()}
    )
    assert undelivered(stores) == 0
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace"), log.name
