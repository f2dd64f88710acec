"""``projections``: the read models, rebuilt from the log."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from web.cli.group import Exit, Failure, load_settings, main, open_or_fail

if TYPE_CHECKING:
    from projections.runtime import Progress


@main.group()
def projections() -> None:
    """Read models."""


@projections.command("rebuild")
@click.argument("names", nargs=-1)
def rebuild(names: tuple[str, ...]) -> None:
    """Drop and replay the read models (all, or the NAMES given)."""
    stores = open_or_fail(load_settings())
    try:
        unknown = set(names) - set(stores.read_side.projections)
        if unknown:
            raise Failure(
                f"unknown projection(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(stores.read_side.projections)}",
                Exit.BAD_INPUT,
            )
        total = stores.governance.recorder.max_notification_id() or 0
        with click.progressbar(
            length=total, label="Replaying events", file=sys.stderr
        ) as bar:
            done = 0

            def advance(progress: Progress) -> None:
                nonlocal done
                position = progress.position
                bar.update(position - done)
                done = position

            count = stores.read_side.rebuild(list(names) or None, progress=advance)
        click.echo(
            f"Rebuilt {', '.join(names) or 'all read models'} from {count} events."
        )
    finally:
        stores.close()


@projections.command("prune")
def prune() -> None:
    """Drop the read models' retired table sets (replaced by a newer version's).

    A reshaped read model is built beside the old one and read once it has caught
    up; the old set stays, kept up to date by any process of the older version
    still running. Run this once none is left.
    """
    stores = open_or_fail(load_settings())
    try:
        dropped = stores.read_side.prune()
        for found in dropped:
            click.echo(f"Dropped {found.name} ({found.suffix or 'plain names'}).")
        if not dropped:
            click.echo("No retired table set to drop.")
    finally:
        stores.close()
