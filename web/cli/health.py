"""``health``: whether the scheduled jobs are running, for a supervisor's probe.

The worker (or, on SQLite, the web process) records every tick of its scheduler
(``notifications.health``); a worker whose scheduler thread died, or whose ticks
keep failing, still looks alive to a process supervisor. This command reads the
last tick and exits non-zero when it is too old or failed, so a container's health
check or a monitoring probe can restart or alert.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from notifications.health import JobRun
from notifications.scheduler import JOB_NAME
from web.cli.group import Exit, Failure, load_settings, main, open_or_fail
from web.ops.jobs import POLLERS

# A tick may run long (a batch of e-mails): "stopped" only after this many missed.
MISSED_TICKS = 3


@main.command()
@click.option(
    "--max-age",
    type=click.IntRange(1),
    default=None,
    help="Seconds since the last good tick before the jobs count as stopped "
    f"(default: {MISSED_TICKS} × CONSORTIUM_TICK_SECONDS).",
)
def health(max_age: int | None) -> None:
    """Exit 0 if the scheduled jobs ran lately and well, 6 if they stopped or fail."""
    settings = load_settings()
    limit = timedelta(seconds=max_age or MISSED_TICKS * settings.tick_seconds)
    stores = open_or_fail(settings)
    try:
        last = stores.health.last(JOB_NAME)
        # A poller that never ran is not checked: it starts a few seconds after the
        # tick, and a worker that never started is told by the tick.
        polled = [run for name in POLLERS if (run := stores.health.last(name))]
    finally:
        stores.close()
    now = datetime.now(UTC)
    if last is None:
        raise Failure("the scheduled jobs have never run on this store", Exit.STOPPED)
    for run in [last, *polled]:
        _check(run, now, limit)
    said = "".join(f", {run.name} {_ago(now, run.last_ok_at)}" for run in polled)
    click.echo(f"ok: last tick {_ago(now, last.last_ok_at)}, {last.summary}{said}")


def _check(run: JobRun, now: datetime, limit: timedelta) -> None:
    """Raise ``Failure`` if ``run``'s job has not run well within ``limit``."""
    what, have = (
        ("the scheduled jobs", "have")
        if run.name == JOB_NAME
        else (f"the {run.name} job", "has")
    )
    if run.last_ok_at is None or now - _aware(run.last_ok_at) > limit:
        since = "never" if run.last_ok_at is None else _ago(now, run.last_ok_at)
        failing = f"; the last run failed: {run.error}" if not run.ok else ""
        raise Failure(
            f"{what} {have} not run well for longer than "
            f"{int(limit.total_seconds())} s (last good run: {since}){failing}",
            Exit.STOPPED,
        )
    if not run.ok:
        raise Failure(f"the last run of {what} failed: {run.error}", Exit.STOPPED)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes for what was written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ago(now: datetime, moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return f"{int((now - _aware(moment)).total_seconds())} s ago"
