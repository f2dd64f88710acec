"""Whether servers or workers are using a store: a lock each holds while it runs.

Every ``consortium serve`` process (and each web process uvicorn starts from
``web.cli:app_factory``) and every ``consortium worker`` holds a *shared* lock for
as long as it runs; ``consortium restore`` takes the same lock *exclusively*, so it
is refused while any of them runs, and a server started during a restore refuses to
start instead of opening half-replaced files.

- SQLite: ``flock`` on ``DATA_DIR/in_use.lock``. The store's files are on this host
  (SQLite needs that anyway), so a lock of this host's kernel sees every process.
- PostgreSQL: a session-level advisory lock in the database, held on a dedicated
  connection: it sees processes of every host that connects to the database. A
  process whose connection is lost (the server restarted) holds it no more until it
  restarts: the check is a guard against the usual mistake, not a proof.

The lock is released by the kernel or the database when the process ends, however
it ends: a crashed server never leaves a store "in use".
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from web.settings import Settings

logger = logging.getLogger(__name__)

LOCK_FILE = "in_use.lock"
# Beside the creation lock (7438001) and the scheduler's leader lock (7438002).
IN_USE_KEY = 7438003


class StoreInUse(Exception):
    """Raised when the lock is held the other way (servers running, or a restore)."""


class InUse:
    """A held lock: a file descriptor (SQLite) or a connection (PostgreSQL)."""

    def __init__(
        self,
        descriptor: int | None = None,
        connection: psycopg.Connection[Any] | None = None,
    ) -> None:
        self._descriptor = descriptor
        self._connection = connection

    def release(self) -> None:
        """Give the lock up (closing is enough: the kernel or the server drops it)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
            self._connection = None


def hold_shared(settings: Settings) -> InUse:
    """Mark the store as used by this process until ``release`` or its end.

    Raises ``StoreInUse`` while a restore holds the store.
    """
    if settings.database_url:
        return _postgres(settings.database_url, shared=True)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _flock(settings.data_dir / LOCK_FILE, shared=True, create=True)


@contextlib.contextmanager
def exclusive_use(settings: Settings) -> Iterator[None]:
    """Hold the store alone for the block: refused (``StoreInUse``) while a server
    or a worker uses it. Creates nothing when no process ever used the store."""
    if settings.database_url:
        held = _postgres(settings.database_url, shared=False)
    else:
        path = settings.data_dir / LOCK_FILE
        if not path.exists():
            # No server or worker of this version ever ran on it: none runs now.
            yield
            return
        held = _flock(path, shared=False, create=False)
    try:
        yield
    finally:
        held.release()


def _flock(path: Path, *, shared: bool, create: bool) -> InUse:
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    descriptor = os.open(path, flags, 0o600)
    try:
        fcntl.flock(
            descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        )
    except BlockingIOError:
        os.close(descriptor)
        raise StoreInUse(_refusal(shared)) from None
    except BaseException:
        os.close(descriptor)
        raise
    return InUse(descriptor=descriptor)


def _postgres(url: str, *, shared: bool) -> InUse:
    connection = psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://", 1),
        autocommit=True,
        connect_timeout=5,
    )
    try:
        row = connection.execute(
            "SELECT pg_try_advisory_lock_shared(%s)"
            if shared
            else "SELECT pg_try_advisory_lock(%s)",
            (IN_USE_KEY,),
        ).fetchone()
    except BaseException:
        connection.close()
        raise
    if not row or not row[0]:
        connection.close()
        raise StoreInUse(_refusal(shared))
    return InUse(connection=connection)


def _refusal(shared: bool) -> str:
    if shared:
        return "a restore is replacing this store: start the server once it is done"
    return (
        "servers or workers are using this store: stop every `consortium serve` "
        "and `consortium worker` first"
    )
