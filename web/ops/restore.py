"""``consortium restore``: a backup directory checked by its hashes, then put in place.

``restore`` checks every hash first (a corrupted or edited backup is refused before
anything is touched), refuses a non-empty target unless forced and a backup of the
other backend, puts the files or the dump in place, and the caller then runs the
same verification as ``consortium audit verify``. The format is ``web/ops/backup.py``'s.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# pg_dump and pg_restore run by path with a list of arguments, never through a shell.
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg

from web.ops.backup import (
    DUMP,
    EVIDENCE,
    MANIFEST,
    POSTGRESQL,
    SHA256_NAME,
    SQLITE,
    SQLITE_FILES,
    STORED_FILES,
    BackupError,
    Manifest,
    StoreUnreachable,
    Timing,
    audit_key_id_of,
    backend_of,
    find_tool,
    libpq,
    run_tool,
    sha256_of,
)
from web.ops.in_use import StoreInUse, exclusive_use
from web.ops.storage import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE, private_dir
from web.settings import Settings


def check_backup(source: Path) -> Manifest:
    """Read the manifest and check every file's size and SHA-256 against it.

    Raises ``BackupError`` naming what is missing, altered or unexpected.
    """
    if not source.is_dir():
        raise BackupError(f"{source} is not a backup directory")
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a Consortium Ledger backup: no {MANIFEST}")
    manifest = Manifest.from_json(manifest_path.read_text(encoding="utf-8"))
    if manifest.backend not in {SQLITE, POSTGRESQL}:
        raise BackupError(f"unknown backend {manifest.backend!r} in the manifest")
    required = DUMP if manifest.backend == POSTGRESQL else "events.db"
    problems: list[str] = []
    if required not in manifest.files:
        problems.append(f"{required} is not listed")
    for name, item in sorted(manifest.files.items()):
        path = source / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            problems.append(f"{name}: not a name inside the backup")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != item["bytes"] or sha256_of(path) != item["sha256"]:
            problems.append(f"{name} does not match its SHA-256 in the manifest")
    listed = set(manifest.files) | {MANIFEST}
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.relative_to(source).as_posix() not in listed:
            problems.append(f"{path.relative_to(source).as_posix()} is not listed")
    if problems:
        raise BackupError(
            "the backup is corrupted or was changed, nothing restored: "
            + "; ".join(problems)
        )
    return manifest


@dataclass(frozen=True)
class Contents:
    """What a target store already holds."""

    events: int = 0
    accounts: int = 0
    evidence_files: int = 0

    @property
    def empty(self) -> bool:
        return not (self.events or self.accounts or self.evidence_files)

    def __str__(self) -> str:
        return (
            f"{self.events} events, {self.accounts} accounts, "
            f"{self.evidence_files} attached files"
        )


def store_contents(settings: Settings) -> Contents:
    """Count the events, accounts and attached files the target store holds."""
    evidence = settings.data_dir / EVIDENCE
    files = (
        sum(1 for p in evidence.iterdir() if SHA256_NAME.fullmatch(p.name))
        if evidence.is_dir()
        else 0
    )
    if settings.uses_postgres:
        assert settings.database_url is not None  # noqa: S101 - uses_postgres
        events, accounts, kept = _postgres_counts(
            settings.database_url, (EVENTS_TABLE_POSTGRES, "accounts", STORED_FILES)
        )
    else:
        events = _sqlite_count(settings.data_dir / "events.db", EVENTS_TABLE_SQLITE)
        accounts = _sqlite_count(settings.data_dir / "app.db", "accounts")
        kept = _sqlite_count(settings.data_dir / "app.db", STORED_FILES)
    return Contents(events, accounts, files + kept)


def _sqlite_count(path: Path, table: str) -> int:
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            known = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (table,),
            ).fetchone()
            if not known:
                return 0
            row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608  # nosec B608
            return int(row[0])
    except sqlite3.Error as error:
        raise StoreUnreachable(f"cannot read {path}: {error}") from None


def _postgres_counts(url: str, tables: tuple[str, ...]) -> list[int]:
    libpq_url, env = libpq(url)
    counts: list[int] = []
    try:
        with psycopg.connect(libpq_url, password=env.get("PGPASSWORD")) as connection:
            for table in tables:
                row = connection.execute(
                    "SELECT to_regclass(%s) IS NOT NULL", (table,)
                ).fetchone()
                if not row or not row[0]:
                    counts.append(0)
                    continue
                counted = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608  # nosec B608
                counts.append(int(counted[0]) if counted else 0)
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        raise StoreUnreachable(f"cannot reach PostgreSQL: {reason}") from None
    return counts


def restore_backup(
    settings: Settings,
    source: Path,
    *,
    force: bool = False,
    timing: Timing | None = None,
) -> Manifest:
    """Check the backup in ``source`` and put it in place as the settings' store.

    Refuses (``BackupError``) a corrupted backup, a backup of the other backend, a
    target store that is not empty unless ``force``, and a store that servers or
    workers are using (``web/ops/in_use.py``), forced or not. A refused restore
    creates nothing: no directory, no file, no table. The caller verifies after.
    """
    timing = timing or Timing()
    with timing.step("check"):
        manifest = check_backup(source)
    backend = backend_of(settings)
    if manifest.backend != backend:
        raise BackupError(
            f"this is a backup of a {manifest.backend} store and the settings name a "
            f"{backend} one: restoring across backends is not supported"
        )
    contents = store_contents(settings)
    if not contents.empty and not force:
        raise BackupError(
            f"the target store is not empty ({contents}): nothing restored. "
            "Use --force to replace it (stop every server and worker first)"
        )
    try:
        with exclusive_use(settings):
            with timing.step("database"):
                if settings.uses_postgres:
                    assert settings.database_url is not None  # noqa: S101
                    _restore_postgres(settings.database_url, source / DUMP)
                else:
                    _restore_sqlite(settings.data_dir, source, manifest)
            with timing.step("evidence"):
                if settings.files_in_database:
                    _import_evidence(settings, source / EVIDENCE)
                else:
                    _restore_evidence(source / EVIDENCE, settings.data_dir / EVIDENCE)
    except StoreInUse as error:
        raise BackupError(f"{error}: nothing restored") from None
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        raise StoreUnreachable(f"cannot reach PostgreSQL: {reason}") from None
    return manifest


def _restore_sqlite(data_dir: Path, source: Path, manifest: Manifest) -> None:
    private_dir(data_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        # Copy everything beside the targets first, then swap each in by a rename.
        for name in SQLITE_FILES:
            if name in manifest.files:
                temporary = data_dir / f".restore-{name}"
                shutil.copyfile(source / name, temporary)
                temporary.chmod(0o600)
                staged.append((temporary, data_dir / name))
        for name in SQLITE_FILES:
            for suffix in ("-wal", "-shm", "-journal"):
                (data_dir / f"{name}{suffix}").unlink(missing_ok=True)
            if name not in manifest.files:
                (data_dir / name).unlink(missing_ok=True)  # created empty on start
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def _restore_postgres(url: str, dump: Path) -> None:
    pg_restore = find_tool("pg_restore")
    libpq_url, env = libpq(url)
    run_tool(
        [
            str(pg_restore),
            # Drops what the dump holds before recreating it: a store created by a
            # first start (empty tables), or the one --force replaces.
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_url}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _restore_evidence(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    private_dir(target)
    for path in sorted(source.iterdir()):
        if not SHA256_NAME.fullmatch(path.name):
            continue  # only files named by their SHA-256 are evidence
        temporary = target / f".restore-{path.name}"
        shutil.copyfile(path, temporary)
        temporary.chmod(0o600)
        os.replace(temporary, target / path.name)


def _import_evidence(settings: Settings, source: Path) -> None:
    """The files of a backup that kept them in a folder (a backup made before they
    moved to the database), copied into the database."""
    if not source.is_dir():
        return
    from web.evidence.database import DatabaseFileStore
    from web.evidence.database import metadata as files_metadata
    from web.evidence.filestore import UPLOADS_FOLDER
    from web.ops.files import files_engine

    engine = files_engine(settings)
    try:
        files_metadata.create_all(engine)
        DatabaseFileStore(engine, settings.data_dir / UPLOADS_FOLDER).import_folder(
            source
        )
    finally:
        engine.dispose()


def key_warning(settings: Settings, manifest: Manifest) -> str | None:
    """What to do about the audit signing key after a restore, if anything."""
    if manifest.audit_key_id is None:
        return None
    path = settings.audit_key_path
    if not path.exists():
        return (
            f"No audit signing key at {path}: put there the key file you backed up "
            f"separately (key id {manifest.audit_key_id}) before starting the server, "
            "or new checkpoints will be signed by a new key."
        )
    found = audit_key_id_of(settings)
    if found != manifest.audit_key_id:
        return (
            f"The audit signing key at {path} (key id {found}) is not the one of the "
            f"backed-up store (key id {manifest.audit_key_id}): put the right key "
            "file there before starting the server."
        )
    return None


def secrets_key_warning(settings: Settings) -> str | None:
    """What to do about the secrets key when the restored store holds sealed
    second-factor secrets and the key is not in place, if anything."""
    path = settings.secrets_key_path
    if path.exists():
        return None
    if settings.uses_postgres:
        assert settings.database_url is not None  # noqa: S101 - uses_postgres
        [sealed] = _postgres_counts(settings.database_url, ("totp_factors",))
    else:
        sealed = _sqlite_count(settings.data_dir / "app.db", "totp_factors")
    if not sealed:
        return None
    return (
        f"No secrets key at {path}: the store holds {sealed} sealed two-step login "
        "secrets, which open only with the key file you backed up separately. Put it "
        "there before starting the server, or they will have to log in with a "
        "recovery code (or be reset with `consortium admin reset-two-factor`)."
    )
