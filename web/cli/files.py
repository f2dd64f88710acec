"""``files``: where the attached files are kept, and moving them into the database."""

from __future__ import annotations

import click

from web.cli.group import Exit, Failure, load_settings, main


@main.group()
def files() -> None:
    """The attached files: copy a data directory's folder into the database."""


@files.command("migrate")
def files_migrate() -> None:
    """Copy the files of DATA_DIR/evidence into the database (PostgreSQL).

    For a deployment that kept its files in the data directory before they moved
    to the database: run it on each host that has such a folder (every start on
    PostgreSQL does it too). Files already there are skipped; a file whose content
    does not match its name is left out and named. The folder is left as it is:
    remove it once a backup holds the files.
    """
    from web.evidence.database import DatabaseFileStore
    from web.evidence.database import metadata as files_metadata
    from web.evidence.filestore import EVIDENCE_FOLDER, UPLOADS_FOLDER
    from web.ops.files import files_engine

    settings = load_settings()
    if not settings.files_in_database:
        raise Failure(
            "the files are kept in the data directory (CONSORTIUM_FILE_STORE=local, "
            "or SQLite): there is nothing to migrate",
            Exit.REFUSED,
        )
    folder = settings.data_dir / EVIDENCE_FOLDER
    engine = files_engine(settings)
    try:
        files_metadata.create_all(engine)
        store = DatabaseFileStore(engine, settings.data_dir / UPLOADS_FOLDER)
        report = store.import_folder(folder)
        total, size = store.count()
    finally:
        engine.dispose()
    for name in report.altered or []:
        click.echo(f"left out {name}: its content does not match its name")
    click.echo(
        f"{report.copied} files copied from {folder} into the database "
        f"({report.copied_bytes:,} bytes), {report.present} already there; the "
        f"database holds {total} files ({size:,} bytes)."
    )
    if report.altered:
        raise Failure(
            f"{len(report.altered)} files do not match their names: run "
            "`consortium audit verify` to see which events they belong to",
            Exit.DOES_NOT_VERIFY,
        )
