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
