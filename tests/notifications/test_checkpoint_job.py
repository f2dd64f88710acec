"""The scheduler seals a signed checkpoint of the log once a day, when it grew."""

from __future__ import annotations

from datetime import timedelta

from governance.actor import Actor
from notifications.scheduler import Jobs
from projections.audit_chain import checkpoints
from tests.notifications.conftest import Reminded
from tests.support.fakes import FixedClock
from web.ops.storage import Stores


def sealed(stores: Stores) -> int:
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        return len(checkpoints(connection))


def test_one_checkpoint_a_day_and_none_when_nothing_happened(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock
) -> None:
    jobs.tick()
    first = sealed(stores)
    clock.advance(timedelta(hours=1))
    jobs.tick()
    same_day = sealed(stores)
    clock.advance(timedelta(days=1))
    jobs.tick()
    quiet_day = sealed(stores)
    stores.governance.set_reminder_schedule(
        Actor(reminded.coordinator), reminded.consortium_id, (10,)
    )
    clock.advance(timedelta(days=1))
    jobs.tick()

    assert (first, same_day, quiet_day) == (1, 1, 1)
    assert sealed(stores) == 2
