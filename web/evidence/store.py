"""Evidence files: accept an upload safely, store it by content hash, verify it later.

What this module is for:

- ``EvidenceStore.save`` streams an upload into a temporary file in the evidence
  directory while hashing and counting it, refuses it past ``MAX_EVIDENCE_BYTES``
  (without reading the rest), decides its media type from its *content* (``sniff``)
  and then moves it atomically to ``<directory>/<sha256>``. The returned
  ``Evidence`` (hash, size, media type, sanitised name) is what an event records, so
  that funders can later check with ``verify`` that a file was not swapped.
- ``safe_filename`` and ``content_disposition`` (``names.py``) make the uploader's
  file name fit for display and for a download header.

What it must not do:

- Never use the uploader's file name as a storage path: files live under their
  SHA-256 only, and ``path_of`` accepts nothing but 64 lowercase hex digits.
- Never trust the file name for the type (only CSV, which has no magic bytes, needs
  its ``.csv`` name *and* text content), and never accept HTML, SVG, scripts or
  executables.
- Never extract an archive: office documents (ZIP) are judged from their central
  directory; only an OpenDocument ``mimetype`` entry is read, at most a few bytes.
- Never leave a temporary file behind, whatever fails.
- Never delete a file because a command was refused: the same bytes may be another
  record's file (another consortium's minutes, a delivery accepted at the same
  moment). Files no event refers to are removed only by ``web.ops.evidence_sweep``,
  through ``discard``; ``save`` and ``discard`` take a lock on the directory so that
  a file being saved again is never discarded under it.
- It serves nothing: the download route must answer with ``content_disposition``
  (of ``download_name``), ``X-Content-Type-Options: nosniff`` and
  ``Content-Security-Policy: sandbox``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import stat
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from governance.values import Evidence
from web.evidence.sniff import CHUNK_BYTES
from web.evidence.spool import (
    MAX_EVIDENCE_BYTES as MAX_EVIDENCE_BYTES,
)
from web.evidence.spool import (
    UPLOAD_PREFIX,
    UPLOAD_SUFFIX,
    spooled,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sweepable(name: str) -> bool:
    """A stored file (its SHA-256) or an upload temporary: nothing else is touched."""
    return bool(_SHA256.fullmatch(name)) or (
        name.startswith(UPLOAD_PREFIX) and name.endswith(UPLOAD_SUFFIX)
    )


@dataclass(frozen=True)
class StoredFile:
    """A stored file to send: its size, its chunks, and its path when on disk."""

    size: int
    chunks: Generator[bytes, None, None]
    path: Path | None = None


@dataclass(frozen=True)
class Discarded:
    """A file the sweep removed: its name, size and last modification (epoch)."""

    name: str
    size: int
    modified: float


class EvidenceStore:
    """Evidence files in one directory, each named by its content's SHA-256.

    The directory must not be served statically: downloads go through a route that
    checks access, using ``path_of``.

    A file's modification time is when it was last *saved* (stored, or the same
    bytes uploaded again): the sweep keeps files saved within its grace period,
    because an event may be about to refer to them.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, chunks: Iterable[bytes] | BinaryIO, filename: str) -> Evidence:
        """Store an upload and describe it; raises ``EvidenceRejected`` if refused.

        ``chunks`` is an iterable of bytes or a binary file object (for instance
        Starlette's ``UploadFile.file``). Reading stops as soon as the upload passes
        ``MAX_EVIDENCE_BYTES``. The same content saved twice is stored once.
        """
        with spooled(self.directory, chunks, filename) as upload:
            self._keep(upload.path, self.directory / upload.evidence.sha256)
        return upload.evidence

    def exists(self, sha256: str) -> bool:
        """Whether a file with this SHA-256 is stored."""
        return self.path_of(sha256) is not None

    def opened(self, sha256: str) -> StoredFile | None:
        """The stored file for a SHA-256, to send; ``None`` when there is none."""
        path = self.path_of(sha256)
        if path is None:
            return None
        return StoredFile(path.stat().st_size, _read(path), path)

    def sizes(self, sha256s: Iterable[str]) -> dict[str, int]:
        """The size of each of these files that is stored (``stat``: no content)."""
        found: dict[str, int] = {}
        for sha256 in sha256s:
            path = self.path_of(sha256)
            if path is not None:
                found[sha256] = path.stat().st_size
        return found

    def close(self) -> None:
        """Nothing to release: the files are on disk."""

    def path_of(self, sha256: str) -> Path | None:
        """The stored file for a SHA-256 (64 lowercase hex digits), or ``None``."""
        if not _SHA256.fullmatch(sha256):
            return None
        path = self.directory / sha256
        if path.is_symlink() or not path.is_file():
            return None
        return path

    def _keep(self, temporary: Path, target: Path) -> bool:
        """Make ``target`` hold the upload, fresh; whether ``temporary`` moved there.

        Under the shared lock, so the sweep cannot discard the file between this
        and the event that will refer to it: an existing file (the same bytes) is
        touched, which makes it young again; a missing one is moved into place.
        """
        with self._locked(fcntl.LOCK_SH):
            try:
                os.utime(target, follow_symlinks=False)
                return False
            except FileNotFoundError:
                pass
            except PermissionError:
                pass  # someone else's file (a restore as root?): ours replaces it
            os.replace(temporary, target)
            self._sync_directory()
            return True

    def stored_names(self) -> list[str]:
        """The names of the stored files and of upload temporaries, sorted."""
        if not self.directory.is_dir():
            return []
        with os.scandir(self.directory) as entries:
            return sorted(entry.name for entry in entries if _sweepable(entry.name))

    def discard(self, name: str, modified_before: float) -> Discarded | None:
        """Delete a file last saved before ``modified_before`` (an epoch), if it is.

        For the sweep only (``web.ops.evidence_sweep``), which decides that no event
        refers to the file. The age is checked and the file deleted under the
        exclusive lock, so a ``save`` of the same bytes either came first (the file
        is young: kept) or comes after (and stores the file again). Returns what was
        deleted, or ``None`` when the file is young, gone or not a regular file.
        """
        if not _sweepable(name):
            return None
        path = self.directory / name
        with self._locked(fcntl.LOCK_EX):
            try:
                status = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                return None
            if not stat.S_ISREG(status.st_mode) or status.st_mtime >= modified_before:
                return None
            path.unlink(missing_ok=True)
        return Discarded(name, status.st_size, status.st_mtime)

    @contextlib.contextmanager
    def _locked(self, operation: int) -> Iterator[None]:
        """Hold ``flock`` on the directory itself (shared or exclusive).

        ``flock`` locks belong to an open file description, so two threads of one
        process exclude each other as two processes do.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, operation)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def verify(self, evidence: Evidence) -> bool:
        """Whether the stored file still has the recorded size and SHA-256."""
        path = self.path_of(evidence.sha256)
        if path is None or path.stat().st_size != evidence.size:
            return False
        digest = hashlib.sha256()
        for block in _read(path):
            digest.update(block)
        return digest.hexdigest() == evidence.sha256

    def _sync_directory(self) -> None:
        """Make the rename durable where the platform allows it (not Windows)."""
        with contextlib.suppress(OSError):
            descriptor = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def _read(path: Path) -> Generator[bytes, None, None]:
    with path.open("rb") as file:
        yield from iter(lambda: file.read(CHUNK_BYTES), b"")
