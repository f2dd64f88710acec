"""``backup`` and ``restore``: a consistent copy of the store, and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli.audit import CHECKPOINT_OPTION, check_checkpoint_files, verify_and_print
from web.cli.group import Exit, Failure, load_settings, main


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
def backup(dest: Path) -> None:
    """Write a consistent copy of the store into DEST, a new directory.

    Safe while the server runs and writes. DEST holds manifest.json (the SHA-256 of
    every file), the SQLite files (online copies) or a pg_dump of the PostgreSQL
    database, and the attached files. The audit signing key is NOT copied: back it
    up separately.
    """
    from web.ops.backup import BackupError, Timing, create_backup

    settings = load_settings()
    timing = Timing()
    try:
        manifest = create_backup(settings, dest, timing=timing)
    except BackupError as error:
        raise _backup_failure(error) from None
    click.echo(
        f"Backup of the {manifest.backend} store written to {dest} in "
        f"{timing.total:.2f} s: {manifest.events} events up to position "
        f"{manifest.last_position}, {manifest.evidence_files} attached files, "
        f"{manifest.total_bytes / 1e6:,.1f} MB."
    )
    key = manifest.audit_key_id or "none yet"
    click.echo(
        f"The audit signing key ({settings.audit_key_path}, key id {key}) is not in "
        "the backup: keep a copy of it separately."
    )


@main.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a store that is not empty (stop every server and worker first).",
)
@CHECKPOINT_OPTION
def restore(src: Path, force: bool, checkpoint_files: tuple[Path, ...]) -> None:
    """Restore the backup in SRC into the (empty) store the settings name.

    Checks every file of the backup against its manifest first, then puts it in
    place and runs the same verification as `audit verify`: exits with 1 when the
    restored store does not verify.
    """
    from web.ops.backup import BackupError, Timing
    from web.ops.restore import key_warning, restore_backup, secrets_key_warning

    settings = load_settings()
    check_checkpoint_files(checkpoint_files)
    timing = Timing()
    try:
        manifest = restore_backup(settings, src, force=force, timing=timing)
    except BackupError as error:
        raise _backup_failure(error) from None
    click.echo(
        f"Restored {manifest.events} events up to position {manifest.last_position} "
        f"and {manifest.evidence_files} attached files from the {manifest.backend} "
        f"backup of {manifest.created_at} in {timing.total:.2f} s. Verifying…"
    )
    for warning in (key_warning(settings, manifest), secrets_key_warning(settings)):
        if warning:
            click.echo(f"WARNING {warning}")
    if not verify_and_print(settings, checkpoint_files):
        sys.exit(int(Exit.DOES_NOT_VERIFY))


def _backup_failure(error: Exception) -> Failure:
    """A refused backup or restore, with the exit code of its kind."""
    from web.ops.backup import CannotWrite, StoreUnreachable

    if isinstance(error, StoreUnreachable):
        return Failure(str(error), Exit.CANNOT_REACH_STORE)
    if isinstance(error, CannotWrite):
        return Failure(str(error), Exit.CANNOT_WRITE)
    return Failure(str(error), Exit.REFUSED)
