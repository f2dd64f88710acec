"""``consortium backup`` and ``consortium restore``: one directory, checked by hashes.

A backup is a **directory** (the simplest thing to restore, inspect and hand to
``tar`` or a backup tool), created whole or not at all (written under a hidden name
beside it, renamed at the end), mode 0700:

- ``manifest.json``: the format, the backend, when, the app version, the last event
  position and the number of events in the copy, the audit key's id (not the key),
  and the size and SHA-256 of every other file;
- on SQLite ``events.db``, ``read.db`` and ``app.db``: each a consistent online copy
  made with SQLite's backup API (``sqlite3.Connection.backup``) while the server may
  be running and writing. The read models are included: ``audit verify`` after a
  restore then compares the events with the hash chain *as it was at backup time*,
  not with a chain recomputed from the very events it checks, and a large store is
  ready without a replay (a read model whose shape changed in a newer version is
  rebuilt at start anyway). The three files are pinned in one go, read models and
  application state first and the event log last, so that no copied read model or
  outbox is ahead of the copied log;
- on PostgreSQL ``database.dump``: ``pg_dump --format=custom`` of the whole database
  (events, read models, accounts, outbox), taken from a snapshot exported by the
  transaction that counts the events, so the manifest and the dump agree;
- ``evidence/<sha256>``: the attached files, copied after the log was pinned (a file
  is stored before the event that refers to it, so every referenced file is there),
  when they are kept in the data directory; kept in the database (the PostgreSQL
  default), they are in the dump (or ``app.db``), counted in ``database_files``.

Not in the backup: the audit signing key (a secret; back it up separately, the
manifest names its id so a restore can tell whether the right one is in place), the
secrets key that seals second-factor secrets (``restore`` warns when sealed secrets
are restored without it), the ``secret_key`` file and the development mailbox. The
copy holds personal data (accounts, password hashes, sealed second-factor secrets):
keep it as safe as the database.

``restore`` checks every hash first (a corrupted or edited backup is refused before
anything is touched), refuses a non-empty target unless forced and a backup of the
other backend, puts the files or the dump in place, and the caller then runs the
same verification as ``consortium audit verify``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3

# pg_dump and pg_restore run by path with a list of arguments, never through a shell.
import subprocess  # nosec B404
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg

from notifications.checkpoints import load_key
from web.ops.storage import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from web.settings import Settings

FORMAT = "consortium-ledger-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILES = ("read.db", "app.db", "events.db")
"""The SQLite files, in the order their snapshots are pinned (the log last)."""
DUMP = "database.dump"
EVIDENCE = "evidence"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
CHUNK_BYTES = 1024 * 1024
SHA256_NAME = re.compile(r"[0-9a-f]{64}")
STORED_FILES = "stored_files"  # ``web/evidence/database.py``


class BackupError(Exception):
    """A backup or restore refused, nothing done, with the reason in words."""


class StoreUnreachable(BackupError):
    """Raised when the store cannot be read: PostgreSQL out of reach, a SQLite file
    that cannot be opened."""


class CannotWrite(BackupError):
    """Raised when the backup cannot be written where it was asked."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written as ``manifest.json``."""

    backend: str
    created_at: str
    app_version: str
    last_position: int
    events: int
    files: dict[str, dict[str, Any]]
    audit_key_id: str | None = None
    read_models: str = "included"
    format: str = FORMAT
    # Attached files inside the database copy (files kept in the database).
    database_files: int = 0

    @property
    def evidence_files(self) -> int:
        listed = sum(1 for name in self.files if name.startswith(f"{EVIDENCE}/"))
        return listed + self.database_files

    @property
    def total_bytes(self) -> int:
        return sum(int(item["bytes"]) for item in self.files.values())

    def to_json(self) -> str:
        """The manifest as stable, indented JSON."""
        data = {
            "format": self.format,
            "backend": self.backend,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "last_position": self.last_position,
            "events": self.events,
            "read_models": self.read_models,
            "audit_key_id": self.audit_key_id,
            "database_files": self.database_files,
            "files": self.files,
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises ``BackupError`` when it is not one."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"unknown backup format {data.get('format')!r} (expected {FORMAT})"
                )
            files = {
                str(name): {"sha256": str(item["sha256"]), "bytes": int(item["bytes"])}
                for name, item in dict(data["files"]).items()
            }
            return cls(
                backend=str(data["backend"]),
                created_at=str(data["created_at"]),
                app_version=str(data["app_version"]),
                last_position=int(data["last_position"]),
                events=int(data["events"]),
                files=files,
                audit_key_id=data.get("audit_key_id"),
                read_models=str(data.get("read_models", "included")),
                database_files=int(data.get("database_files", 0)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"the manifest cannot be read: {error}") from None


@dataclass
class Timing:
    """How long a backup or restore took, by step."""

    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + (
                time.perf_counter() - started
            )

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def app_version() -> str:
    """The installed version of the application."""
    try:
        return version("consortium-ledger")
    except PackageNotFoundError:
        return "unknown"


def backend_of(settings: Settings) -> str:
    """``postgresql`` or ``sqlite``: where the settings keep the stores."""
    return POSTGRESQL if settings.uses_postgres else SQLITE


# -- backup ----------------------------------------------------------------------


def create_backup(
    settings: Settings, dest: Path, *, timing: Timing | None = None
) -> Manifest:
    """Write a backup of the store the settings name into the new directory ``dest``.

    ``dest`` must not exist, or be an empty directory. Raises ``BackupError``.
    """
    timing = timing or Timing()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise CannotWrite(f"{dest} exists and is not an empty directory")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Written under a hidden name beside the destination, renamed when complete:
        # an interrupted backup never looks like a finished one.
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    except OSError as error:
        raise CannotWrite(f"cannot create {dest}: {_reason(error)}") from None
    try:
        in_database = 0
        with timing.step("database"):
            if settings.uses_postgres:
                assert settings.database_url is not None  # noqa: S101 - uses_postgres
                last, count, in_database = _dump_postgres(
                    settings.database_url, work / DUMP
                )
            else:
                last, count = _copy_sqlite(settings.data_dir, work)
                in_database = _sqlite_files(work / "app.db")
        with timing.step("evidence"):
            if not settings.files_in_database:
                _copy_evidence(settings.data_dir / EVIDENCE, work / EVIDENCE)
        with timing.step("hashes"):
            files = {
                path.relative_to(work).as_posix(): {
                    "sha256": sha256_of(path),
                    "bytes": path.stat().st_size,
                }
                for path in sorted(work.rglob("*"))
                if path.is_file()
            }
        manifest = Manifest(
            backend=backend_of(settings),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            app_version=app_version(),
            last_position=last,
            events=count,
            files=files,
            audit_key_id=audit_key_id_of(settings),
            database_files=in_database if settings.files_in_database else 0,
        )
        (work / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _owner_only(work)
        if dest.exists():
            dest.rmdir()  # empty, checked above
        os.replace(work, dest)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise CannotWrite(f"cannot write the backup {dest}: {_reason(error)}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _reason(error: OSError) -> str:
    """An OS error in words, without the errno: "Permission denied: '/x'"."""
    where = f": {error.filename}" if error.filename else ""
    return f"{(error.strerror or str(error)).lower()}{where}"


def _owner_only(root: Path) -> None:
    """Files 0600 and folders 0700: the copy holds personal data and hashes."""
    for path in root.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    root.chmod(0o700)


def audit_key_id_of(settings: Settings) -> str | None:
    path = settings.audit_key_path
    if not path.exists():
        return None
    try:
        return load_key(path).key_id
    except (OSError, ValueError):
        return None


def _copy_sqlite(data_dir: Path, work: Path) -> tuple[int, int]:
    """Online copies of the SQLite files; returns (last position, events)."""
    if not (data_dir / "events.db").exists():
        raise StoreUnreachable(f"no event store in {data_dir} (events.db is missing)")
    sources: dict[str, sqlite3.Connection] = {}
    try:
        # Pin a read snapshot of each file, in order and in quick succession: WAL
        # readers see the file as of their first read, whatever is written after.
        for name in SQLITE_FILES:
            path = data_dir / name
            if not path.exists():
                continue
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            sources[name] = connection
            connection.execute("BEGIN")
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        last, count = (
            sources["events.db"]
            .execute(
                f"SELECT coalesce(max(rowid), 0), count(*) FROM {EVENTS_TABLE_SQLITE}"  # noqa: S608  # nosec B608
            )
            .fetchone()
        )
        for name, source in sources.items():
            # The backup API reads through the source's open transaction: the copy
            # is the pinned snapshot, however much the server writes meanwhile.
            with closing(sqlite3.connect(work / name)) as target:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as error:
        raise StoreUnreachable(f"cannot copy the SQLite store: {error}") from None
    finally:
        for connection in sources.values():
            connection.close()
    return int(last), int(count)


def _sqlite_files(app_db: Path) -> int:
    """The files kept in a copied ``app.db`` (0 when it keeps none)."""
    if not app_db.exists():
        return 0
    with closing(sqlite3.connect(app_db)) as connection:
        known = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (STORED_FILES,),
        ).fetchone()
        if not known:
            return 0
        row = connection.execute(f"SELECT count(*) FROM {STORED_FILES}").fetchone()  # noqa: S608  # nosec B608
        return int(row[0])


def _copy_evidence(source: Path, target: Path) -> None:
    """Copy the stored attachments (named by SHA-256; temporaries left out)."""
    target.mkdir()
    if not source.is_dir():
        return
    for path in sorted(source.iterdir()):
        if (
            SHA256_NAME.fullmatch(path.name)
            and path.is_file()
            and not path.is_symlink()
        ):
            try:
                shutil.copyfile(path, target / path.name)
            except FileNotFoundError:
                # Removed since listed: only the evidence sweep removes files, and
                # only those no event refers to, so the pinned log needs none.
                continue


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


# -- PostgreSQL tools --------------------------------------------------------------


def find_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: on PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return Path(found)

    def major(path: str) -> int:
        part = Path(path).parts[-3]
        return int(part) if part.isdigit() else 0

    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major, reverse=True
    )
    if candidates:
        return Path(candidates[0])
    raise BackupError(
        f"{name} not found on PATH nor in /usr/lib/postgresql/*/bin: install the "
        "PostgreSQL client programs (Debian: postgresql-client), of the server's "
        "major version or newer"
    )


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without its password, and the environment carrying it.

    The password goes through ``PGPASSWORD`` so that it never shows in the process
    list.
    """
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    env = dict(os.environ)
    netloc = parts.hostname or ""
    if parts.hostname and ":" in parts.hostname:
        netloc = f"[{parts.hostname}]"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{quote(unquote(parts.username), safe='')}@{netloc}"
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, "")), env


def run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = " ".join(result.stderr.split()) or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {reason}")


def _dump_postgres(url: str, target: Path) -> tuple[int, int, int]:
    """``pg_dump`` of the database from one snapshot: (last position, events,
    files kept in the database)."""
    pg_dump = find_tool("pg_dump")
    libpq_url, env = libpq(url)
    try:
        with psycopg.connect(libpq_url, password=env.get("PGPASSWORD")) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            # The transaction stays open while pg_dump runs: it reads the same
            # snapshot as the counts below, whatever the servers write meanwhile.
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0]) if row else ""
            exists = connection.execute(
                "SELECT to_regclass(%s) IS NOT NULL", (EVENTS_TABLE_POSTGRES,)
            ).fetchone()
            if not exists or not exists[0]:
                raise StoreUnreachable(
                    f"no event store in this database ({EVENTS_TABLE_POSTGRES} "
                    "is missing)"
                )
            counted = connection.execute(
                "SELECT coalesce(max(notification_id), 0), count(*) "  # noqa: S608  # nosec B608
                f"FROM {EVENTS_TABLE_POSTGRES}"
            ).fetchone()
            assert counted is not None  # noqa: S101 - an aggregate returns a row
            files = 0
            kept = connection.execute(
                "SELECT to_regclass(%s) IS NOT NULL", (STORED_FILES,)
            ).fetchone()
            if kept and kept[0]:
                found = connection.execute(
                    f"SELECT count(*) FROM {STORED_FILES}"  # noqa: S608  # nosec B608
                ).fetchone()
                files = int(found[0]) if found else 0
            run_tool(
                [
                    str(pg_dump),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={libpq_url}",
                ],
                env,
                "pg_dump",
            )
            return int(counted[0]), int(counted[1]), files
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        raise StoreUnreachable(f"cannot reach PostgreSQL: {reason}") from None
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        raise BackupError(f"cannot read PostgreSQL: {reason}") from None
