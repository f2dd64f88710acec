"""Counting attempts in a sliding window, in the database, to slow guessing down.

Login failures are counted per account (the e-mail address as typed, so an unknown
address is limited exactly like a known one) and per client address; second-factor
codes per account; password-reset requests per address and per e-mail. The counts
live in a table beside the accounts (``app.db``, or the PostgreSQL database), so
several web processes share them. Keys are stored as SHA-256 digests: the table
holds neither e-mail addresses nor IP addresses.

A limited request is refused *before* any password is verified (a verification costs
~100 ms of CPU: counting first keeps the login form from being a CPU lever), and a
refused request is not counted, so a lock lasts at most one window after the first
failure in it (ASVS 6.1.1: a malicious lockout ends by itself, and a password reset
clears the account's count).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
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


def minutes(delay: timedelta) -> int:
    """A delay in whole minutes, rounded up (at least one)."""
    return max(1, math.ceil(delay.total_seconds() / 60))


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

    def wait(self, *checks: tuple[Limit, str]) -> timedelta | None:
        """How long until every ``(limit, key)`` allows another attempt (None: now)."""
        now = self.now()
        longest: timedelta | None = None
        with self.engine.connect() as connection:
            for limit, key in checks:
                recent = list(
                    connection.scalars(
                        select(attempts.c.at)
                        .where(
                            attempts.c.bucket == bucket(limit, key),
                            attempts.c.at > now - limit.window,
                        )
                        .order_by(attempts.c.at.desc())
                        .limit(limit.attempts)
                    )
                )
                if len(recent) < limit.attempts:
                    continue
                # Allowed again once the oldest of the last N leaves the window.
                delay = recent[-1] + limit.window - now
                if longest is None or delay > longest:
                    longest = delay
        return longest

    def record(self, *hits: tuple[Limit, str]) -> None:
        """Count one attempt for each ``(limit, key)``; old ones are dropped."""
        now = self.now()
        with self.engine.begin() as connection:
            for limit, key in hits:
                name = bucket(limit, key)
                connection.execute(
                    delete(attempts).where(
                        attempts.c.bucket == name, attempts.c.at <= now - limit.window
                    )
                )
                connection.execute(insert(attempts).values(bucket=name, at=now))

    def reset(self, limit: Limit, key: str) -> None:
        """Forget a key's attempts (a successful login clears its account's count)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(attempts).where(attempts.c.bucket == bucket(limit, key))
            )

    def count(self, limit: Limit, key: str) -> int:
        """Attempts of a key inside its window."""
        now = self.now()
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).where(
                        attempts.c.bucket == bucket(limit, key),
                        attempts.c.at > now - limit.window,
                    )
                )
                or 0
            )

    def purge(self) -> int:
        """Drop every attempt older than the longest window; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(attempts).where(attempts.c.at <= self.now() - LONGEST_WINDOW)
            )
            return int(result.rowcount)
