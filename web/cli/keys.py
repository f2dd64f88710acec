"""``keys``: move the platform's keys from one host to another.

Every host of one deployment must hold the same keys (``web/ops/platform_keys.py``):
``keys export`` on a host that runs, ``keys import`` on the one that refuses to
start. The export is as secret as the keys: written 0600, never to a terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from web.cli.group import Exit, Failure, load_settings, main

KEY_NAMES = ["secrets_key", "audit_signing_key", "form_key"]


@main.group()
def keys() -> None:
    """The platform's keys: the same on every host of one deployment."""


@keys.command("export")
@click.argument("file", default="-", type=click.Path(path_type=Path, dir_okay=False))
def keys_export(file: Path) -> None:
    """Write this host's keys to FILE (a new file, 0600), or to stdout with -.

    The secrets key, the audit signing key and the form key, with their
    fingerprints. Copy it privately to the other host, import it there, delete it.
    """
    from web.ops.platform_keys import export_bundle

    settings = load_settings()
    bundle = export_bundle(settings)
    if str(file) == "-":
        if sys.stdout.isatty():
            raise Failure(
                "the keys would be printed on the terminal: give a file, or "
                "redirect (consortium keys export - > keys.json)",
                Exit.BAD_INPUT,
            )
        click.echo(bundle, nl=False)
        return
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Failure(f"{file} exists: give a new file", Exit.REFUSED) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(bundle)
    click.echo(f"The keys of this host are in {file} (readable by you only).")


@keys.command("import")
@click.argument("file", default="-", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a different key already here (the old file is kept beside).",
)
def keys_import(file: Path, force: bool) -> None:
    """Put the keys exported on another host (FILE, or stdin with -) in place.

    Refuses, and changes nothing, when a key here is a different one, or (on
    PostgreSQL) when a key is not the one the database was set up with, unless
    --force.
    """
    from web.ops.platform_keys import (
        KeyProblem,
        import_bundle,
        read_bundle,
        recorded,
        short,
    )

    settings = load_settings()
    if str(file) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise Failure(f"cannot read {file}: {error}", Exit.BAD_INPUT) from None
    try:
        bundle = read_bundle(text)
    except KeyProblem as error:
        raise Failure(f"{file}: {error}", Exit.BAD_INPUT) from None
    known = None
    if settings.database_url:
        from web.ops.files import files_engine

        engine = files_engine(settings)
        try:
            known = recorded(engine)
        finally:
            engine.dispose()
    done = import_bundle(settings, bundle, force=force, known=known)
    if (
        force
        and known is not None
        and any(known.get(item.spec.name) != item.fingerprint for item in done)
    ):
        from web.ops.files import files_engine
        from web.ops.platform_keys import record_as_deployment

        engine = files_engine(settings)
        try:
            record_as_deployment(engine, done)
        finally:
            engine.dispose()
        click.echo(
            "These keys are now the deployment's: every other host must import them."
        )
    for item in done:
        said = {
            "written": f"written to {item.where}",
            "unchanged": f"already in place at {item.where}",
            "replaced": f"replaced at {item.where} (the old one kept as "
            f"{item.kept_as})",
            "environment": "not written: CONSORTIUM_SECRET_KEY is set on this host, "
            "give it the same value",
        }[item.outcome]
        click.echo(f"{item.spec.words}: {said}; fingerprint {short(item.fingerprint)}")


@keys.command("forget")
@click.argument(
    "name", type=click.Choice(["secrets_key", "audit_signing_key", "form_key"])
)
def keys_forget(name: str) -> None:
    """Forget the recorded fingerprint of a key lost on every host (PostgreSQL).

    The next host to start records its own key (created if missing). What the lost
    key protected is lost: second factors sealed with a lost secrets key need a
    recovery code or `admin reset-two-factor`; checkpoints signed by a lost audit
    key show as signed by an unknown key.
    """
    from web.ops.files import files_engine
    from web.ops.platform_keys import forget

    settings = load_settings()
    if not settings.database_url:
        raise Failure(
            "only a PostgreSQL store records its keys: nothing to forget",
            Exit.REFUSED,
        )
    engine = files_engine(settings)
    try:
        forgotten = forget(engine, name)
    finally:
        engine.dispose()
    click.echo(
        f"{name}: forgotten; the next host to start records its own"
        if forgotten
        else f"{name}: no fingerprint was recorded"
    )
