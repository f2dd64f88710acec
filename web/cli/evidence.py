"""``evidence``: the attached files no event refers to."""

from __future__ import annotations

from datetime import timedelta

import click

from web.cli.group import Exit, Failure, load_settings, main
from web.ops.storage import StorageError


@main.group()
def evidence() -> None:
    """The attached files: remove those no event refers to."""


def _grace(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    from web.ops.evidence_sweep import parse_grace

    try:
        return parse_grace(value)
    except ValueError:
        raise click.BadParameter("write it like 90s, 30m, 24h or 2d") from None


@evidence.command("sweep")
@click.option(
    "--grace",
    default="24h",
    show_default=True,
    callback=_grace,
    help="Keep unreferenced files saved less than this long ago (30m, 24h, 2d).",
)
def evidence_sweep(grace: timedelta) -> None:
    """Remove the attached files that no event of any consortium refers to.

    Reads the whole log first; a file saved within the grace period is kept, since
    a command may be about to record it. Use a grace of 0 only with every server
    and worker stopped.
    """
    from web.ops.evidence_sweep import sweep_evidence
    from web.ops.files import file_store_of

    settings = load_settings()
    try:
        with file_store_of(settings) as store:
            report = sweep_evidence(settings, store, grace=grace)
    except (FileNotFoundError, StorageError) as error:
        raise Failure(
            f"cannot read the event store: {error}", Exit.CANNOT_REACH_STORE
        ) from None
    if report.skipped:
        raise Failure(
            "the event log is empty: this is not the store the files belong to; "
            "nothing removed",
            Exit.REFUSED,
        )
    for item in report.removed:
        click.echo(f"removed {item.name} ({item.size} bytes)")
    click.echo(
        f"{report.events} events read: {len(report.removed)} unreferenced files "
        f"removed ({report.removed_bytes:,} bytes), {report.kept_young} kept (saved "
        f"within {grace}), {report.referenced} referenced."
    )
