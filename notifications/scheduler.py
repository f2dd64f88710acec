"""The one scheduler: every minute, run the periodic jobs.

APScheduler 3 runs in exactly one process (``consortium serve`` on SQLite,
``consortium worker`` on PostgreSQL) with a memory job store and jobs defined here in
code; a tick that runs late runs anyway (``misfire_grace_time=None``), runs coalesce,
and never overlap. The jobs are idempotent, so nothing depends on the scheduler being
punctual: a downtime is caught up by the first tick after it. A process that is not
the leader (``Leadership``) skips its ticks and stands by.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from governance.application import Governance
from notifications.checkpoints import PlatformKey, seal_due_checkpoint
from notifications.health import Health
from notifications.jobs import close_due_proposals
from notifications.leader import Leadership
from notifications.reminders import ReminderPipeline
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
JOB_NAME = "tick"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Jobs:
    """The periodic jobs and what they need, wired by the composition root."""

    governance: Governance
    read_side: ReadSide
    reminders: ReminderPipeline | None = None
    leadership: Leadership | None = None
    health: Health | None = None
    checkpoint_key: PlatformKey | None = None
    # Clean-ups of stores this package does not know (expired sessions, old throttle
    # rows, the evidence sweep), wired by the composition root: each is called on
    # every tick with its start and returns a few words for the summary.
    housekeeping: Sequence[Callable[[datetime], str]] = ()
    now: Callable[[], datetime] = _utcnow
    # Jobs that poll for work of their own, each on its own short interval beside
    # the tick, claiming work atomically (so not tied to the lead): ``(name, job,
    # seconds)``. The composition root adds them (e.g. requested verifications).
    pollers: list[tuple[str, Callable[[], object], int]] = field(default_factory=list)

    def tick(self) -> bool:
        """Run every job once if this process leads; returns whether it ran."""
        started = self.now()
        if self.leadership is not None and not self.leadership.acquire(started):
            return False
        summary = ""
        try:
            # First: cheap, and kept going even while a later job keeps failing.
            said = [words for job in self.housekeeping if (words := job(started))]
            closed = close_due_proposals(self.governance, self.read_side, started)
            summary = " ".join([f"closed={closed}", *said])
            if self.reminders is not None:
                counts = self.reminders.run(started)
                summary += " " + counts.summary()
                if counts.errors:
                    summary += f" last_error={counts.errors[-1]}"
            if self.checkpoint_key is not None:
                sealed = seal_due_checkpoint(
                    self.governance, self.read_side, self.checkpoint_key, started
                )
                summary += f" checkpoint={'sealed' if sealed else 'none'}"
        except Exception as error:
            # A failing tick must be visible, then retried by the next one.
            logger.exception("scheduler.tick_failed")
            self._record(started, ok=False, summary=summary, error=repr(error))
            return True
        logger.debug("scheduler.tick %s", summary)
        self._record(started, ok=True, summary=summary)
        return True

    def poll(self, name: str, job: Callable[[], object]) -> None:
        """Run the poller ``name`` once, its run recorded under its name like the
        tick's: a poller that keeps failing, or stopped, shows on the health page
        and fails ``consortium health``."""
        started = self.now()
        try:
            said = job()
        except Exception as error:
            logger.exception("scheduler.poller_failed name=%s", name)
            self._record(started, ok=False, summary="", error=repr(error), name=name)
            return
        self._record(started, ok=True, summary=str(said or ""), name=name)

    def _record(
        self,
        started: datetime,
        *,
        ok: bool,
        summary: str,
        error: str | None = None,
        name: str = JOB_NAME,
    ) -> None:
        if self.health is not None:
            self.health.record(
                name,
                started_at=started,
                finished_at=self.now(),
                ok=ok,
                summary=summary,
                error=error,
            )

    def stop(self) -> None:
        """Give the lead up."""
        if self.leadership is not None:
            self.leadership.release()


def start_scheduler(jobs: Jobs, *, seconds: int = TICK_SECONDS) -> BackgroundScheduler:
    """Start the scheduler thread; the first tick runs at once."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        jobs.tick,
        "interval",
        seconds=seconds,
        id=JOB_NAME,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )
    for name, job, every in jobs.pollers:
        scheduler.add_job(
            jobs.poll,
            "interval",
            args=(name, job),
            seconds=every,
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
    scheduler.start()
    logger.info("scheduler.started every=%ss", seconds)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler, jobs: Jobs | None = None) -> None:
    """Stop the scheduler, wait for a running tick to end, give the lead up."""
    scheduler.shutdown(wait=True)
    if jobs is not None:
        jobs.stop()
    logger.info("scheduler.stopped")
