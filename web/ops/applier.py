"""The background applier: keeps SQLite's read models caught up in ``serve``.

Commands return as soon as their events are committed (``web.own_writes``); this
thread then applies the new events to every projection, in batches: every
``poll_seconds``, the events of every command sent meanwhile in one transaction. It
is not woken by each command: the browser that sent it catches up itself on its next
request, at once, and a thread woken for it only competed with that request (the
POST + redirect GET was 35 % slower on SQLite with a wake-up per command). Other
people see a change within ``poll_seconds``. On PostgreSQL the ``worker`` follows the
log instead (``ReadSide.follow``).

A failure (a full disk, a locked file) loses nothing: the events stay in the log,
the batch rolled back with its transaction, and the thread tries again after a
pause that doubles up to ``retry_seconds``. A request that needs its own command
applied meanwhile catches up itself.
"""

from __future__ import annotations

import logging
import threading

from projections.runtime import ReadSide

logger = logging.getLogger(__name__)


class BackgroundApplier:
    """A daemon thread applying the log to the read models until stopped."""

    def __init__(
        self,
        read_side: ReadSide,
        *,
        poll_seconds: float = 0.5,
        retry_seconds: float = 5.0,
    ) -> None:
        self.read_side = read_side
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="read-models-applier", daemon=True
        )

    def start(self) -> None:
        """Start applying (once)."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in progress, if any."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = min(0.25, self.retry_seconds)
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.read_side.catch_up()
            except Exception as error:
                logger.warning(
                    "read_side.apply_failed retry_in=%.2fs error=%s",
                    delay,
                    " ".join(str(error).split())[:300],
                )
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self.retry_seconds)
                # Try again after the pause, without waiting for a nudge.
                self._wake.set()
            else:
                delay = min(0.25, self.retry_seconds)
