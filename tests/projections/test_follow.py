"""The worker's loop: following the log keeps read models caught up, and stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from governance.actor import Actor
from governance.application import Governance
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
