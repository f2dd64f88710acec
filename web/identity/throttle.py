"""Counting attempts in a sliding window, in the database, to slow guessing down.

Login failures are counted per account (the e-mail address as typed, so an unknown
address is limited exactly like a known one) and per client address; second-factor
codes per account; password-reset requests per address and per e-mail. The counts
live in a table beside the accounts (``app.db``, or the PostgreSQL database), so
several web processes share them. Keys are stored as SHA-256 digests: the table
holds neither e-mail addresses nor IP addresses.

An attempt is *reserved* before anything is verified: one transaction inserts its
row and counts the rows before it, so attempts sent at once see each other and at
most the limit of them go on to the ~100 ms password verification (counting first
keeps the login form from being a CPU lever). The reservation is serialised per key:
on SQLite the insert takes the database's write lock until the commit, on
PostgreSQL a transaction-scoped advisory lock per key is taken first (under READ
COMMITTED two transactions would otherwise each count without the other's row). An
attempt over the limit rolls its insert back, so a refused attempt is not counted
and a lock lasts at most one window after the first failure in it (ASVS 6.1.1: a
malicious lockout ends by itself, and a password reset clears the account's count).
A reserved attempt that proves right is released (its rows deleted): only failures
stay counted.

A reserved attempt is *pending* until its outcome is known; one that proved wrong is
*settled*. A success clears its key's settled failures only (``reset``): attempts
still being checked stay counted, so a right password sent among many wrong ones
never lets more than the limit of them through. Pending rows live under the bucket's
name with ``PENDING`` in front, so the table needs no extra column.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

from governance.clock import Clock, SystemClock
from projections.base import UtcDateTime

metadata = MetaData()

attempts = Table(
    "throttle_attempts",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("bucket", String(100), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("throttle_attempts_bucket_at", "bucket", "at"),
)


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` in any ``window``, per key."""

    name: str
    attempts: int
    window: timedelta


WINDOW = timedelta(minutes=15)
# Wrong passwords for one e-mail address, known or not.
LOGIN_ACCOUNT = Limit("login-account", 5, WINDOW)
# Wrong passwords from one client address, whatever the e-mail.
LOGIN_ADDRESS = Limit("login-address", 20, WINDOW)
# Wrong second-factor codes for one account.
SECOND_FACTOR = Limit("second-factor", 5, WINDOW)
# Wrong current passwords typed on the account pages (change, disable 2FA, erase).
REAUTHENTICATE = Limit("reauthenticate", 5, WINDOW)
# "Forgot password" requests: per e-mail address and per client address.
RESET_EMAIL = Limit("reset-email", 3, timedelta(hours=1))
RESET_ADDRESS = Limit("reset-address", 10, timedelta(hours=1))
# Reset links that are wrong, used or expired, per client address.
RESET_TOKEN = Limit("reset-token", 20, WINDOW)

LONGEST_WINDOW = timedelta(hours=1)


def bucket(limit: Limit, key: str) -> str:
    """The stored name of one key's counter (a digest: no address is kept)."""
    return f"{limit.name}:{hashlib.sha256(key.encode()).hexdigest()[:64]}"


PENDING = "pending:"


def minutes(delay: timedelta) -> int:
    """A delay in whole minutes, rounded up (at least one)."""
    return max(1, math.ceil(delay.total_seconds() / 60))


@dataclass(frozen=True)
class Reservation:
    """One attempt, counted (``rows``: limit, row id, bucket) or refused (``wait``:
    how long until allowed)."""

    rows: tuple[tuple[Limit, int, str], ...]
    wait: timedelta | None

    @property
    def granted(self) -> bool:
        """Whether the attempt may go on to be checked."""
        return self.wait is None


def _lock_key(name: str) -> int:
    """A bucket's PostgreSQL advisory lock: 64 bits of its digest, signed."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _delay(
    connection: Connection, limit: Limit, name: str, now: datetime, attempt_id: int
) -> timedelta | None:
    """How long until ``limit`` allows the attempt ``attempt_id`` (None: now)."""
    recent: list[datetime] = list(
        connection.scalars(
            select(attempts.c.at)
            .where(
                attempts.c.bucket.in_((name, PENDING + name)),
                attempts.c.at > now - limit.window,
                attempts.c.attempt_id != attempt_id,
            )
            .order_by(attempts.c.at.desc())
            .limit(limit.attempts)
        )
    )
    if len(recent) < limit.attempts:
        return None
    # Allowed again once the oldest of the last N leaves the window.
    return recent[-1] + limit.window - now


class Throttle:
    """Sliding-window counters over one SQLAlchemy engine."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()

    def create_tables(self) -> None:
        """Create missing tables (idempotent)."""
        metadata.create_all(self.engine)

    def now(self) -> datetime:
        """The throttle's time (tests move it by hand)."""
        return self.clock.now()

    def reserve(self, *checks: tuple[Limit, str]) -> Reservation:
        """Count one attempt for every ``(limit, key)`` if each allows another now.

        One transaction inserts the attempt's rows, then counts the rows before
        them in each window; over any limit, the inserts are rolled back and the
        reservation says how long to wait (nothing was counted). Reservations of
        one key are serialised (see the module docstring), so N attempts sent at
        once get at most the limit of grants.
        """
        now = self.now()
        named = [(limit, bucket(limit, key)) for limit, key in checks]
        with self.engine.connect() as connection, connection.begin() as transaction:
            if connection.dialect.name == "postgresql":
                # Sorted: two reservations over the same keys never wait on each
                # other in a cycle.
                for lock in sorted({_lock_key(name) for _, name in named}):
                    connection.execute(select(func.pg_advisory_xact_lock(lock)))
            rows: list[tuple[Limit, int, str]] = []
            for limit, name in named:
                # Insert first: on SQLite this takes the write lock at once, so no
                # other reservation counts until this one commits or rolls back.
                attempt_id = connection.scalar(
                    insert(attempts)
                    .values(bucket=PENDING + name, at=now)
                    .returning(attempts.c.attempt_id)
                )
                rows.append((limit, int(attempt_id or 0), name))
            longest: timedelta | None = None
            for limit, attempt_id, name in rows:
                delay = _delay(connection, limit, name, now, attempt_id)
                if delay is not None and (longest is None or delay > longest):
                    longest = delay
            if longest is not None:
                transaction.rollback()
                return Reservation((), longest)
        return Reservation(tuple(rows), None)

    def release(self, reservation: Reservation, *limits: Limit) -> None:
        """Uncount a reserved attempt (all its limits, or only ``limits``): it
        proved right, or was never checked."""
        ids = [
            attempt_id
            for limit, attempt_id, _ in reservation.rows
            if not limits or limit in limits
        ]
        if not ids:
            return
        with self.engine.begin() as connection:
            connection.execute(delete(attempts).where(attempts.c.attempt_id.in_(ids)))

    def settle(self, reservation: Reservation) -> None:
        """Record a reserved attempt as a failure: it stays counted, and a later
        success of its key (``reset``) may now clear it."""
        if not reservation.rows:
            return
        with self.engine.begin() as connection:
            for _, attempt_id, name in reservation.rows:
                connection.execute(
                    update(attempts)
                    .where(attempts.c.attempt_id == attempt_id)
                    .values(bucket=name)
                )

    def reset(self, limit: Limit, key: str) -> None:
        """Forget a key's settled failures (a successful login clears its
        account's count); attempts still being checked stay counted."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(attempts).where(attempts.c.bucket == bucket(limit, key))
            )

    def forget(self, limit: Limit, key: str) -> None:
        """Forget every attempt of a key, pending ones included (an erased account)."""
        name = bucket(limit, key)
        with self.engine.begin() as connection:
            connection.execute(
                delete(attempts).where(attempts.c.bucket.in_((name, PENDING + name)))
            )

    def count(self, limit: Limit, key: str) -> int:
        """Attempts of a key inside its window."""
        now = self.now()
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).where(
                        attempts.c.bucket.in_(
                            (bucket(limit, key), PENDING + bucket(limit, key))
                        ),
                        attempts.c.at > now - limit.window,
                    )
                )
                or 0
            )

    def purge(self, now: datetime | None = None) -> int:
        """Drop every attempt older than the longest window; returns how many.

        Run by the scheduler on every tick (``web/ops/jobs.py``).
        """
        cutoff = (now or self.now()) - LONGEST_WINDOW
        with self.engine.begin() as connection:
            result = connection.execute(delete(attempts).where(attempts.c.at <= cutoff))
            return int(result.rowcount)
