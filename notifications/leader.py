"""One leader for the periodic jobs, however many processes were started.

PostgreSQL: a session-level advisory lock held on a dedicated connection; losing the
connection loses the lead, and another worker takes over at its next tick. SQLite: a
lease row renewed by a conditional update, taken over when it expires. The jobs are
idempotent, so even a brief overlap of two leaders would only cost a refused
duplicate, never a second e-mail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from notifications.outbox import leases

logger = logging.getLogger(__name__)

LOCK_KEY = 7438002
LEASE = timedelta(minutes=3)


class Leadership:
    """Whether this process leads the periodic jobs (asked at every tick)."""

    def __init__(self, engine: Engine, name: str = "scheduler") -> None:
        self.engine = engine
        self.name = name
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self._connection: Connection | None = None
        self.leading = False
        self._announced: bool | None = None  # what the log said last

    def acquire(self, now: datetime) -> bool:
        """Take or keep the lead; False means stand by until the next tick."""
        was = self._announced
        if self.engine.dialect.name == "postgresql":
            self.leading = self._advisory_lock()
        else:
            self.leading = self._lease(now)
        if self.leading != was:
            self._announced = self.leading
            logger.info(
                "leader.%s holder=%s",
                "leading" if self.leading else "standing_by",
                self.holder,
            )
        return self.leading

    def release(self) -> None:
        """Give the lead up (at shutdown), so a standby takes over at once."""
        if self._connection is not None:
            # Unlock, then really close (a pooled connection would keep the lock).
            with contextlib.suppress(DBAPIError):
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            with contextlib.suppress(DBAPIError):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
        elif self.leading:
            with self.engine.begin() as connection:
                connection.execute(
                    update(leases)
                    .where(leases.c.name == self.name, leases.c.holder == self.holder)
                    .values(expires_at=datetime(1970, 1, 1).astimezone())
                )
        self.leading = False

    def _advisory_lock(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
                self._connection.execution_options(isolation_level="AUTOCOMMIT")
            if self.leading:
                self._connection.execute(text("SELECT 1"))
                return True
            return bool(
                self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
            )
        except DBAPIError:
            logger.warning("leader.connection_lost holder=%s", self.holder)
            if self._connection is not None:
                with contextlib.suppress(DBAPIError):
                    self._connection.invalidate()
            self._connection = None
            return False

    def _lease(self, now: datetime) -> bool:
        expires = now + LEASE
        with self.engine.begin() as connection:
            renewed = connection.execute(
                update(leases)
                .where(
                    leases.c.name == self.name,
                    (leases.c.holder == self.holder) | (leases.c.expires_at < now),
                )
                .values(holder=self.holder, expires_at=expires)
            ).rowcount
            if renewed:
                return True
            if connection.scalar(
                select(leases.c.holder).where(leases.c.name == self.name)
            ):
                return False
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(leases).values(
                        name=self.name, holder=self.holder, expires_at=expires
                    )
                )
        except IntegrityError:
            return False
        return True
