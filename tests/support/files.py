"""What tests do to stored files whichever store keeps them (a folder or the
database): list them, age them, alter them behind the application's back."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, update

from web.evidence.database import DatabaseFileStore, stored_file_chunks, stored_files
from web.evidence.filestore import FileStore
from web.evidence.store import EvidenceStore


def folder_of(store: FileStore) -> Path:
    """The folder of this host the store writes to (files, or upload spools)."""
    if isinstance(store, EvidenceStore):
        return store.directory
    assert isinstance(store, DatabaseFileStore)
    return store.spool


def everything_in(store: FileStore) -> set[str]:
    """The stored files' names and whatever lies in the store's folder."""
    folder = folder_of(store)
    found = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    return found | set(store.stored_names())


def age(store: FileStore, sha256: str, days: int) -> None:
    """Make a stored file look last saved ``days`` ago."""
    then = (datetime.now(UTC) - timedelta(days=days)).timestamp()
    if isinstance(store, EvidenceStore):
        os.utime(store.directory / sha256, (then, then))
        return
    assert isinstance(store, DatabaseFileStore)
    with store.engine.begin() as connection:
        connection.execute(
            update(stored_files)
            .where(stored_files.c.sha256 == sha256)
            .values(saved_at=then)
        )


def overwrite(store: FileStore, sha256: str, content: bytes) -> None:
    """Replace a stored file's bytes (an insider at the disk or the database)."""
    if isinstance(store, EvidenceStore):
        (store.directory / sha256).write_bytes(content)
        return
    assert isinstance(store, DatabaseFileStore)
    with store.engine.begin() as connection:
        connection.execute(
            update(stored_file_chunks)
            .where(stored_file_chunks.c.sha256 == sha256)
            .values(data=content[:1])
        )


def remove(store: FileStore, sha256: str) -> None:
    """Delete a stored file behind the application's back (a lost disk, a bad
    restore)."""
    if isinstance(store, EvidenceStore):
        (store.directory / sha256).unlink()
        return
    assert isinstance(store, DatabaseFileStore)
    with store.engine.begin() as connection:
        connection.execute(
            delete(stored_file_chunks).where(stored_file_chunks.c.sha256 == sha256)
        )
        connection.execute(delete(stored_files).where(stored_files.c.sha256 == sha256))
