"""How many argon2id computations run at once in this process.

Each verification (or hash) of a password takes ~100 ms of CPU and 64 MiB of memory
at the default cost. Run unbounded, 30 logins arriving together ran 30 at once and
took the server to 2 GB while answering none faster: the cores were the limit. The
slots below let as many run as there are cores (``CONSORTIUM_PASSWORD_CHECKS``
overrides); the others wait for a slot, at most ``WAIT_SECONDS``, then the request
is answered 503 "busy" with nothing counted by the throttle (nothing was checked).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Long enough for a burst within the throttles' limits to be served (20 checks over
# two cores take ~2 s), short enough that a flood does not hold request threads.
WAIT_SECONDS = 10.0


class PasswordChecksBusy(Exception):
    """Raised when no password check could start within ``WAIT_SECONDS``."""


def default_slots() -> int:
    """One slot per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class PasswordChecks:
    """A counting semaphore over argon2 work, with the figures tests read."""

    def __init__(self, slots: int | None = None, *, wait: float = WAIT_SECONDS) -> None:
        self.slots = slots or default_slots()
        self.wait = wait
        self._semaphore = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot while the block runs; raises ``PasswordChecksBusy``."""
        if not self._semaphore.acquire(timeout=self.wait):
            raise PasswordChecksBusy
        try:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._semaphore.release()
