"""An upload streamed into a private temporary file, hashed, counted and judged.

Both file stores (``store.py`` on disk, ``database.py`` in the database) take an
upload through here: the bytes are written to a temporary file while their SHA-256
and size are computed (reading stops past ``MAX_EVIDENCE_BYTES``), then the media
type is decided from the content (``sniff`` needs a file: office documents are
judged from their ZIP central directory). Never more than one chunk in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from governance.values import Evidence
from web.evidence.names import safe_filename
from web.evidence.sniff import CHUNK_BYTES, SNIFF_BYTES, EvidenceRejected, sniff

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
"""The largest evidence file accepted, in bytes."""

UPLOAD_PREFIX = ".upload-"
UPLOAD_SUFFIX = ".part"


def chunks_of(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    """The upload as chunks, whether it is a file object or an iterable of bytes."""
    read = getattr(source, "read", None)
    if callable(read):
        yield from iter(lambda: read(CHUNK_BYTES), b"")
    else:
        yield from source


@dataclass(frozen=True)
class Spooled:
    """An accepted upload in its temporary file, and what an event will record."""

    path: Path
    evidence: Evidence


@contextlib.contextmanager
def spooled(
    directory: Path, chunks: Iterable[bytes] | BinaryIO, filename: str
) -> Iterator[Spooled]:
    """The upload in a temporary file of ``directory`` (created 0600), judged.

    Raises ``EvidenceRejected`` (too large, empty, a type refused). The temporary
    file is removed when the block ends, unless the block moved it away.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=UPLOAD_PREFIX, suffix=UPLOAD_SUFFIX, dir=directory
    )
    temporary = Path(temporary_name)
    try:
        digest = hashlib.sha256()
        size = 0
        head = bytearray()
        with os.fdopen(descriptor, "wb") as file:
            for chunk in chunks_of(chunks):
                size += len(chunk)
                if size > MAX_EVIDENCE_BYTES:
                    raise EvidenceRejected("evidence.too_large")
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        if size == 0:
            raise EvidenceRejected("evidence.empty")
        media_type = sniff(bytes(head), filename, temporary)
        yield Spooled(
            temporary,
            Evidence(
                sha256=digest.hexdigest(),
                size=size,
                media_type=media_type,
                filename=safe_filename(filename),
            ),
        )
    finally:
        temporary.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()
