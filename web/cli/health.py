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

from notifications.scheduler import JOB_NAME
from web.cli.group import Exit, Failure, load_settings, main, open_or_fail

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
    finally:
        stores.close()
    now = datetime.now(UTC)
    if last is None:
        raise Failure("the scheduled jobs have never run on this store", Exit.STOPPED)
    if last.last_ok_at is None or now - _aware(last.last_ok_at) > limit:
        since = "never" if last.last_ok_at is None else _ago(now, last.last_ok_at)
        failing = f"; the last tick failed: {last.error}" if not last.ok else ""
        raise Failure(
            f"the scheduled jobs have not run well for longer than "
            f"{int(limit.total_seconds())} s (last good tick: {since}){failing}",
            Exit.STOPPED,
        )
    if not last.ok:
        raise Failure(f"the last tick failed: {last.error}", Exit.STOPPED)
    click.echo(f"ok: last tick {_ago(now, last.last_ok_at)}, {last.summary}")


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes for what was written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ago(now: datetime, moment: datetime) -> str:
    return f"{int((now - _aware(moment)).total_seconds())} s ago"
