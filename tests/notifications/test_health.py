"""The scheduler's health record, written by whichever scheduler ticks."""

from __future__ import annotations

import threading
from datetime import timedelta

from notifications.health import Health
from tests.support.builders import T0
from web.ops.storage import Stores


def test_two_schedulers_recording_the_same_job_at_once_both_succeed(
    stores: Stores,
) -> None:
    # Given a job never recorded before, and two schedulers started by mistake
    errors: list[BaseException] = []
    rounds = 25

    def record(health: Health, barrier: threading.Barrier, name: str) -> None:
        barrier.wait()
        try:
            health.record(name, started_at=T0, finished_at=T0, ok=True, summary="x")
        except BaseException as error:
            errors.append(error)

    # When both record the job's first run at the same moment, again and again
    for round_number in range(rounds):
        barrier = threading.Barrier(2)
        name = f"tick-{round_number}"
        threads = [
            threading.Thread(target=record, args=(stores.health, barrier, name))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # Then neither failed, and each job holds one row with the last run
    assert errors == []
    last = stores.health.last(f"tick-{rounds - 1}")
    assert last is not None
    assert last.ok
    assert last.last_ok_at == T0


def test_a_failed_run_keeps_the_time_of_the_last_good_one(stores: Stores) -> None:
    # Given a job that ran well once
    stores.health.record("tick", started_at=T0, finished_at=T0, ok=True, summary="")

    # When its next run fails
    later = T0 + timedelta(minutes=1)
    stores.health.record(
        "tick", started_at=later, finished_at=later, ok=False, summary="", error="boom"
    )

    # Then the record says so and still knows when it last ran well
    last = stores.health.last("tick")
    assert last is not None
    assert (last.ok, last.error, last.finished_at, last.last_ok_at) == (
        False,
        "boom",
        later,
        T0,
    )
