"""The one scheduler: every minute, run the periodic jobs.

APScheduler 3 runs in exactly one process (``consortium serve`` on SQLite,
``consortium worker`` on PostgreSQL) with a memory job store and jobs defined here in
code; a tick that runs late runs anyway (``misfire_grace_time=None``), runs coalesce,
and never overlap. The jobs are idempotent, so nothing depends on the scheduler being
punctual: a downtime is caught up by the first tick after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from governance.application import Governance
from notifications.jobs import close_due_proposals
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)

TICK_SECONDS = 60


def tick(
    governance: Governance,
    read_side: ReadSide,
    now: Callable[[], datetime] | None = None,
) -> None:
    """Run every periodic job once."""
    moment = (now or (lambda: datetime.now(UTC)))()
    closed = close_due_proposals(governance, read_side, moment)
    logger.debug("scheduler.tick closed=%s", closed)


def start_scheduler(
    governance: Governance, read_side: ReadSide, *, seconds: int = TICK_SECONDS
) -> BackgroundScheduler:
    """Start the scheduler thread; the first tick runs at once."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=seconds,
        args=(governance, read_side),
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    logger.info("scheduler.started every=%ss", seconds)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop the scheduler and wait for a running tick to end."""
    scheduler.shutdown(wait=True)
    logger.info("scheduler.stopped")
