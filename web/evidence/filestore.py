"""The one interface every writer and reader of stored files goes through.

Evidence, convention documents, deliverables, statements' supporting documents,
proposals' attachments: every file the application keeps is stored by its SHA-256
through a ``FileStore``. Two implementations, chosen from the settings
(``open_file_store``):

- ``EvidenceStore`` (``store.py``): a folder of the data directory, the SQLite
  default, since a SQLite store lives on one host anyway;
- ``DatabaseFileStore`` (``database.py``): tables of the database, in chunks, the
  PostgreSQL default: every host of one deployment sees the same files, and
  ``pg_dump`` (``consortium backup``) carries them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO, Protocol

from governance.values import Evidence
from web.evidence.store import Discarded, EvidenceStore, StoredFile
from web.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

EVIDENCE_FOLDER = "evidence"
UPLOADS_FOLDER = "uploads"


class FileStore(Protocol):
    """Files stored by their content's SHA-256."""

    def save(self, chunks: Iterable[bytes] | BinaryIO, filename: str) -> Evidence:
        """Store an upload (streamed) and describe it; raises ``EvidenceRejected``."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether a file with this SHA-256 is stored."""
        ...

    def opened(self, sha256: str) -> StoredFile | None:
        """The stored file to send (its size and chunks), or ``None``."""
        ...

    def verify(self, evidence: Evidence) -> bool:
        """Whether the stored file still has the recorded size and SHA-256.

        Reads the whole file: for the audit and the sweep, never for a page view.
        """
        ...

    def sizes(self, sha256s: Iterable[str]) -> dict[str, int]:
        """The size of each of these files that is stored, from the store's index
        (a directory entry, a row): reads no content, so a page may ask."""
        ...

    def stored_names(self) -> list[str]:
        """Every stored file's name (its SHA-256) and upload leftovers, sorted."""
        ...

    def discard(self, name: str, modified_before: float) -> Discarded | None:
        """Delete a file last saved before ``modified_before`` (the sweep's only)."""
        ...

    def close(self) -> None:
        """Release what the store holds (connections)."""
        ...


def open_file_store(
    settings: Settings, engine: Engine | None, *, owns_engine: bool = False
) -> FileStore:
    """The file store the settings choose. ``engine`` holds the application's
    tables (PostgreSQL, or SQLite's ``app.db``): the files' when they are kept in
    the database; ``owns_engine``: ``close`` disposes of it."""
    if not settings.files_in_database:
        return EvidenceStore(settings.data_dir / EVIDENCE_FOLDER)
    from web.evidence.database import DatabaseFileStore

    if engine is None:
        raise ValueError("files kept in the database need its engine")
    return DatabaseFileStore(
        engine, settings.data_dir / UPLOADS_FOLDER, owns_engine=owns_engine
    )
