"""``audit``: the tamper-evident trail's checkpoints and verification."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli.group import Exit, Failure, load_settings, main, open_or_fail
from web.faults import classify
from web.ops.storage import StorageError
from web.settings import Settings

# A checkpoint kept by a financer, given to ``audit verify`` and to ``restore``.
CHECKPOINT_OPTION = click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint file a financer kept (may be given several times).",
)


@main.group()
def audit() -> None:
    """The tamper-evident audit trail: checkpoints and verification."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Seal a signed checkpoint of the log now (if it has grown since the last)."""
    from notifications.checkpoints import load_or_create_key, seal_checkpoint

    settings = load_settings()
    stores = open_or_fail(settings)
    try:
        key = load_or_create_key(settings.audit_key_path)
        created = seal_checkpoint(stores.governance, stores.read_side, key)
    finally:
        stores.close()
    if created is None:
        click.echo("Nothing new since the last checkpoint: none sealed.")
        return
    click.echo(f"Checkpoint {created.id} sealed (key {key.key_id}).")


@audit.command("verify")
@CHECKPOINT_OPTION
def audit_verify(checkpoint_files: tuple[Path, ...]) -> None:
    """Check every stored event against the chain, the checkpoints and the files.

    Exits with 0 when everything matches, 1 when anything was altered, removed,
    inserted, reordered or truncated, 2 when a --checkpoint file is not a
    checkpoint, 3 when the store cannot be read (nothing was checked).
    """
    settings = load_settings()
    check_checkpoint_files(checkpoint_files)
    if not verify_and_print(settings, checkpoint_files):
        sys.exit(int(Exit.DOES_NOT_VERIFY))


def check_checkpoint_files(checkpoint_files: tuple[Path, ...]) -> None:
    """Refuse, before reading the store, a file given that is not a checkpoint: the
    wrong file named is a mistake of the command line, not a sign of tampering."""
    from web.ops.audit_verify import NotACheckpoint, read_checkpoint_file

    for path in checkpoint_files:
        try:
            read_checkpoint_file(path)
        except NotACheckpoint as error:
            raise Failure(str(error), Exit.BAD_INPUT) from None


def verify_and_print(settings: Settings, checkpoint_files: tuple[Path, ...]) -> bool:
    """Run ``audit verify`` on the settings' store, print its report; True if OK.

    A store that cannot be read is a ``Failure`` (cannot check), never "TAMPERED".
    """
    from web.ops.audit_findings import describe
    from web.ops.audit_verify import verify_store

    try:
        report = verify_store(settings, checkpoint_files)
    except FileNotFoundError as error:
        raise Failure(
            f"cannot check: there is no event store at {error}; nothing verified",
            Exit.CANNOT_REACH_STORE,
        ) from None
    except StorageError as error:
        raise Failure(
            f"cannot check: {error}; nothing verified", Exit.CANNOT_REACH_STORE
        ) from None
    except Exception as error:
        if classify(error) != "unavailable":
            raise
        raise Failure(
            f"cannot check: the store cannot be reached ({error}); nothing verified",
            Exit.CANNOT_REACH_STORE,
        ) from None
    for finding in report.findings:
        click.echo(f"FAIL {describe(finding)}")
    if report.findings_total > len(report.findings):
        click.echo(f"… and {report.findings_total - len(report.findings)} more.")
    click.echo(
        f"{report.events} events read in {report.seconds:.2f} s "
        f"({report.events_per_second:,.0f} events/s): {report.chained} compared "
        f"with the chain, {report.unchained} not chained yet, "
        f"{_counted(report.checkpoints, 'checkpoint')} and "
        f"{_counted(report.evidence_files, 'attached file')} checked."
    )
    if report.ok:
        click.echo("OK: the log matches its chain and every checkpoint.")
        return True
    click.echo(f"TAMPERED: {report.findings_total} problem(s) found.")
    return False


def _counted(count: int, noun: str) -> str:
    """ "1 checkpoint", "2 checkpoints" (the CLI speaks English only)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
