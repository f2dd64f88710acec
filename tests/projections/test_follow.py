"""The worker's loop: following the log keeps read models caught up, and stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

from governance.actor import Actor
from governance.application import Governance
from projections.base import Envelope
from projections.event_log import EventLog, Subscription
from projections.runtime import ReadSide
from tests.support.builders import FOUNDED_ON, a_call


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_following_the_log_applies_new_events_until_stopped(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    stop = threading.Event()
    follower = threading.Thread(
        target=read_side.follow, args=(stop,), kwargs={"poll_seconds": 0.05}
    )
    follower.start()
    try:
        created = app.found_consortium(
            coordinator,
            name="Suivi",
            acronym="",
            summary="",
            territory="",
            call=a_call(),
            founded_on=FOUNDED_ON,
        )

        assert wait_until(lambda: read_side.position() >= created.position)
    finally:
        stop.set()
        follower.join(timeout=10)

    assert not follower.is_alive()


class MissedWakeUp:
    """A subscription whose wake-up never comes (the library's subscription misses
    the events recorded between its first read and its LISTEN)."""

    def __init__(self, waiting: threading.Event) -> None:
        self.stopped = threading.Event()
        self.waiting = waiting

    def __enter__(self) -> MissedWakeUp:
        return self

    def __exit__(self, *args: object) -> None:
        self.stop()

    def __iter__(self) -> Iterator[Any]:
        self.waiting.set()
        self.stopped.wait()
        return iter(())

    def stop(self) -> None:
        self.stopped.set()


class LogMissingWakeUps:
    """The real log, read as usual, whose subscriptions miss their wake-ups."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.waiting = threading.Event()  # a follower waits for its wake-up

    def read(
        self, after: int, limit: int, through: Connection | None = None
    ) -> Sequence[Envelope]:
        return self.log.read(after, limit, through)

    def last_position(self) -> int:
        return self.log.last_position()

    def subscribe(self, after: int) -> Subscription | None:
        return MissedWakeUp(self.waiting)


def test_an_event_whose_wake_up_was_missed_is_applied_by_the_next_poll(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    # Given a follower whose subscription will never wake it up
    log = LogMissingWakeUps(read_side.log)
    missing = ReadSide(read_side.engine, log, list(read_side.projections.values()))
    stop = threading.Event()
    follower = threading.Thread(
        target=missing.follow, args=(stop,), kwargs={"poll_seconds": 0.05}
    )
    follower.start()
    try:
        # When an event is recorded once it waits for its wake-up
        assert log.waiting.wait(10)
        created = app.found_consortium(
            coordinator,
            name="Suivi",
            acronym="",
            summary="",
            territory="",
            call=a_call(),
            founded_on=FOUNDED_ON,
        )

        # Then it is applied all the same
        assert wait_until(lambda: missing.position() >= created.position)
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()
