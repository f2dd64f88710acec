"""Stored files kept in the database, by SHA-256, in chunks: several hosts, one store.

``stored_files`` names each file (its SHA-256, size, chunk count, when last saved)
and ``stored_file_chunks`` holds its bytes, ``CHUNK_BYTES`` a row. A file is
written in one transaction with its row, so no host ever sees half a file; it is
read back one chunk per query, so neither side ever holds a whole file in memory
(a slow download holds no connection between chunks). ``pg_dump`` carries both
tables: ``consortium backup`` on PostgreSQL includes the files.

The same rules as the folder (``store.py``): an upload is judged before it is kept
(``spool.py``); the same bytes saved again are stored once and made young again
(``saved_at``), which is what the sweep's grace period reads; only the sweep
deletes, and only a file older than its cutoff, in one statement that a concurrent
save of the same bytes either precedes (the file is young: kept) or follows (it
stores the file again).

``import_folder`` copies the files of a data directory's ``evidence`` folder in
(``consortium files migrate``, and every start on PostgreSQL): what a deployment
kept on disk before its files moved to the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from governance.values import Evidence
from web.evidence.spool import UPLOAD_PREFIX, UPLOAD_SUFFIX, spooled
from web.evidence.store import Discarded, StoredFile

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
"""The bytes of one chunk row: a 10 MB file is ten rows."""
_SHA256 = re.compile(r"[0-9a-f]{64}")

metadata = MetaData()

stored_files = Table(
    "stored_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("chunks", Integer, nullable=False),
    # When the file was last saved (stored, or the same bytes uploaded again), in
    # seconds since the epoch: the sweep keeps what was saved within its grace.
    Column("saved_at", Float, nullable=False),
)

stored_file_chunks = Table(
    "stored_file_chunks",
    metadata,
    Column(
        "sha256",
        String(64),
        ForeignKey("stored_files.sha256", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)


@dataclass
class ImportReport:
    """What ``import_folder`` did: files copied in, already there, refused."""

    copied: int = 0
    present: int = 0
    copied_bytes: int = 0
    altered: list[str] | None = None

    def summary(self) -> str:
        altered = len(self.altered or [])
        return (
            f"copied={self.copied} bytes={self.copied_bytes} present={self.present} "
            f"altered={altered}"
        )


class DatabaseFileStore:
    """Files in two tables of the database, each named by its content's SHA-256.

    ``spool`` is a private folder of this host where an upload waits while it is
    judged (its type is decided from the file: ``sniff``); nothing stays there.
    """

    def __init__(self, engine: Engine, spool: Path, *, owns_engine: bool = False):
        self.engine = engine
        self.spool = spool
        self._owns_engine = owns_engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # -- writing ---------------------------------------------------------------

    def save(self, chunks: Iterable[bytes] | BinaryIO, filename: str) -> Evidence:
        """Store an upload and describe it; raises ``EvidenceRejected`` if refused.

        The same content saved twice is stored once (and made young again).
        """
        with (
            spooled(self.spool, chunks, filename) as upload,
            upload.path.open("rb") as file,
        ):
            self._keep(upload.evidence.sha256, upload.evidence.size, file)
        return upload.evidence

    def _keep(self, sha256: str, size: int, file: BinaryIO) -> bool:
        """Insert the file, or touch it when the same bytes are there; whether
        it was inserted. One transaction: a file is seen whole or not at all."""
        with self.engine.begin() as connection:
            inserted = connection.execute(
                self._insert(connection)
                .values(sha256=sha256, size=size, chunks=0, saved_at=time.time())
                .on_conflict_do_nothing(index_elements=["sha256"])
                .returning(stored_files.c.sha256)
            ).first()
            if inserted is None:
                connection.execute(
                    update(stored_files)
                    .where(stored_files.c.sha256 == sha256)
                    .values(saved_at=time.time())
                )
                return False
            count = _write_chunks(connection, sha256, file)
            connection.execute(
                update(stored_files)
                .where(stored_files.c.sha256 == sha256)
                .values(chunks=count)
            )
        return True

    @staticmethod
    def _insert(connection: Connection) -> Any:
        if connection.dialect.name == "postgresql":
            return postgres_insert(stored_files)
        return sqlite_insert(stored_files)

    # -- reading ---------------------------------------------------------------

    def _row(self, sha256: str) -> Any:
        if not _SHA256.fullmatch(sha256):
            return None
        with self.engine.connect() as connection:
            return connection.execute(
                select(stored_files.c.size, stored_files.c.chunks).where(
                    stored_files.c.sha256 == sha256
                )
            ).first()

    def exists(self, sha256: str) -> bool:
        """Whether a file with this SHA-256 is stored."""
        return self._row(sha256) is not None

    def sizes(self, sha256s: Iterable[str]) -> dict[str, int]:
        """The size of each of these files that is stored: one query of the
        ``stored_files`` index, no chunk read."""
        wanted = sorted({s for s in sha256s if _SHA256.fullmatch(s)})
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(stored_files.c.sha256, stored_files.c.size).where(
                    stored_files.c.sha256.in_(wanted)
                )
            ).all()
        return {str(row.sha256): int(row.size) for row in rows}

    def opened(self, sha256: str) -> StoredFile | None:
        """The stored file for a SHA-256, to send; ``None`` when there is none."""
        row = self._row(sha256)
        if row is None:
            return None
        return StoredFile(int(row.size), self._chunks(sha256, int(row.chunks)))

    def _chunks(self, sha256: str, count: int) -> Generator[bytes, None, None]:
        """The file's chunks, one query each (no connection held in between)."""
        for seq in range(count):
            with self.engine.connect() as connection:
                data = connection.execute(
                    select(stored_file_chunks.c.data).where(
                        stored_file_chunks.c.sha256 == sha256,
                        stored_file_chunks.c.seq == seq,
                    )
                ).scalar()
            if data is None:
                # Swept while being read: only files no event refers to are.
                raise FileNotFoundError(f"stored file {sha256} chunk {seq}")
            yield bytes(data)

    def verify(self, evidence: Evidence) -> bool:
        """Whether the stored file still has the recorded size and SHA-256."""
        stored = self.opened(evidence.sha256)
        if stored is None or stored.size != evidence.size:
            return False
        digest = hashlib.sha256()
        size = 0
        try:
            for chunk in stored.chunks:
                digest.update(chunk)
                size += len(chunk)
        except FileNotFoundError:
            return False
        return size == evidence.size and digest.hexdigest() == evidence.sha256

    def stored_names(self) -> list[str]:
        """The stored files' names, and this host's upload leftovers, sorted."""
        with self.engine.connect() as connection:
            names = list(connection.execute(select(stored_files.c.sha256)).scalars())
        if self.spool.is_dir():
            names += [
                path.name
                for path in self.spool.iterdir()
                if path.name.startswith(UPLOAD_PREFIX)
                and path.name.endswith(UPLOAD_SUFFIX)
            ]
        return sorted(names)

    def discard(self, name: str, modified_before: float) -> Discarded | None:
        """Delete a file last saved before ``modified_before`` (an epoch).

        For the sweep only (``web.ops.evidence_sweep``). One statement checks the
        age and deletes: a save of the same bytes that commits first makes it
        young (kept); one that comes after stores it again.
        """
        if name.startswith(UPLOAD_PREFIX) and name.endswith(UPLOAD_SUFFIX):
            return _discard_leftover(self.spool / name, modified_before)
        if not _SHA256.fullmatch(name):
            return None
        with self.engine.begin() as connection:
            # The chunks after (the foreign key's cascade is off in SQLite).
            row = connection.execute(
                delete(stored_files)
                .where(
                    stored_files.c.sha256 == name,
                    stored_files.c.saved_at < modified_before,
                )
                .returning(stored_files.c.size, stored_files.c.saved_at)
            ).first()
            if row is None:
                return None
            connection.execute(
                delete(stored_file_chunks).where(stored_file_chunks.c.sha256 == name)
            )
        return Discarded(name, int(row.size), float(row.saved_at))

    def count(self) -> tuple[int, int]:
        """How many files are stored, and their bytes."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(func.count(), func.coalesce(func.sum(stored_files.c.size), 0))
            ).one()
        return int(row[0]), int(row[1])

    # -- importing a folder ----------------------------------------------------

    def import_folder(self, folder: Path) -> ImportReport:
        """Copy in the files of a folder named by their SHA-256 that are missing.

        A file whose content does not match its name is left out (and listed):
        ``consortium audit verify`` names the event it belonged to. The folder is
        left as it is.
        """
        report = ImportReport(altered=[])
        if not folder.is_dir():
            return report
        names = sorted(p.name for p in folder.iterdir() if _SHA256.fullmatch(p.name))
        with self.engine.connect() as connection:
            present = (
                set(
                    connection.execute(
                        select(stored_files.c.sha256).where(
                            stored_files.c.sha256.in_(names)
                        )
                    ).scalars()
                )
                if names
                else set()
            )
        for name in names:
            path = folder / name
            if name in present:
                report.present += 1
                continue
            if path.is_symlink() or not path.is_file():
                continue
            if not self._import_one(name, path):
                assert report.altered is not None  # noqa: S101 - set above
                report.altered.append(name)
                logger.warning("files.import_altered name=%s", name)
                continue
            report.copied += 1
            report.copied_bytes += path.stat().st_size
        return report

    def _import_one(self, name: str, path: Path) -> bool:
        """Copy one file in, its hash checked while it streams; whether it was."""
        try:
            return self._import_checked(name, path)
        except _Altered:
            return False

    def _import_checked(self, name: str, path: Path) -> bool:
        with self.engine.begin() as connection:
            inserted = connection.execute(
                self._insert(connection)
                .values(sha256=name, size=0, chunks=0, saved_at=path.stat().st_mtime)
                .on_conflict_do_nothing(index_elements=["sha256"])
                .returning(stored_files.c.sha256)
            ).first()
            if inserted is None:
                return True  # copied in meanwhile by another host
            digest = hashlib.sha256()
            with path.open("rb") as file:
                count = _write_chunks(connection, name, file, digest)
            if digest.hexdigest() != name:
                raise _Altered(name)  # rolls the copy back
            connection.execute(
                update(stored_files)
                .where(stored_files.c.sha256 == name)
                .values(chunks=count, size=path.stat().st_size)
            )
        return True


class _Altered(Exception):
    """A file whose content is not its name's: its copy is rolled back."""


def _write_chunks(
    connection: Connection,
    sha256: str,
    file: BinaryIO,
    digest: Any = None,
) -> int:
    """Write ``file`` as chunk rows, one chunk in memory at a time; their count."""
    count = 0
    for block in iter(lambda: file.read(CHUNK_BYTES), b""):
        if digest is not None:
            digest.update(block)
        connection.execute(
            stored_file_chunks.insert().values(sha256=sha256, seq=count, data=block)
        )
        count += 1
    return count


def _discard_leftover(path: Path, modified_before: float) -> Discarded | None:
    """An upload temporary a killed process left in the spool, once old."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    if status.st_mtime >= modified_before:
        return None
    path.unlink(missing_ok=True)
    return Discarded(path.name, status.st_size, status.st_mtime)
