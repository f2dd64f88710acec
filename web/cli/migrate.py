"""``migrate``: bring the app tables to this release's shape."""

from __future__ import annotations

import click

from web.cli.group import load_settings, main, open_or_fail


@main.command()
def migrate() -> None:
    """Upgrade the app tables (accounts, sessions, outbox…) to this release.

    Every start does it too, under the same lock: this command lets an operator
    upgrade before starting the new version's processes, and see the revision.
    """
    from web.ops.migrations import current_revision, head_revision

    settings = load_settings()
    stores = open_or_fail(settings)  # opening migrates (web.ops.migrations)
    try:
        with stores.accounts.engine.connect() as connection:
            revision = current_revision(connection)
    finally:
        stores.close()
    newest = " (the newest)" if revision == head_revision() else ""
    click.echo(f"app tables at revision {revision}{newest}")
