"""The file store for the commands that do not open every store (verifications,
the sweep, ``consortium files migrate``): the settings' choice, on an engine of its
own when the files are in the database, closed with the block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine

from web.evidence.database import metadata as files_metadata
from web.evidence.filestore import FileStore, open_file_store
from web.ops.storage import sqlalchemy_url, sqlite_engine
from web.settings import Settings


def files_engine(settings: Settings) -> Engine:
    """An engine on the database that holds the application's tables."""
    if settings.database_url:
        return create_engine(sqlalchemy_url(settings.database_url), pool_size=1)
    return sqlite_engine(settings.data_dir / "app.db")


@contextmanager
def file_store_of(
    settings: Settings, engine: Engine | None = None
) -> Iterator[FileStore]:
    """The settings' file store for the block; ``engine``, if given, is one the
    caller already has on the application's database (``audit verify``'s on
    PostgreSQL), used rather than a new one and left open."""
    owns = engine is None
    if settings.files_in_database:
        engine = engine or files_engine(settings)
        files_metadata.create_all(engine)
    store = open_file_store(settings, engine, owns_engine=owns)
    try:
        yield store
    finally:
        store.close()
