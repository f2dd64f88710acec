"""Passwords: what a new one must be, its argon2id hash, and how many argon2id
computations run at once in this process.

Each verification (or hash) of a password takes ~100 ms of CPU and 64 MiB of memory
at the default cost. Run unbounded, 30 logins arriving together ran 30 at once and
took the server to 2 GB while answering none faster: the cores were the limit. The
slots below let as many run as there are cores (``CONSORTIUM_PASSWORD_CHECKS``
overrides); the others wait for a slot, at most ``WAIT_SECONDS``, then the request
is answered 503 "busy" with nothing counted by the throttle (nothing was checked).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Long enough for a burst within the throttles' limits to be served (20 checks over
# two cores take ~2 s), short enough that a flood does not hold request threads.
WAIT_SECONDS = 10.0


class PasswordChecksBusy(Exception):
    """Raised when no password check could start within ``WAIT_SECONDS``."""


def default_slots() -> int:
    """One slot per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class PasswordChecks:
    """A counting semaphore over argon2 work, with the figures tests read."""

    def __init__(self, slots: int | None = None, *, wait: float = WAIT_SECONDS) -> None:
        self.slots = slots or default_slots()
        self.wait = wait
        self._semaphore = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot while the block runs; raises ``PasswordChecksBusy``."""
        if not self._semaphore.acquire(timeout=self.wait):
            raise PasswordChecksBusy
        try:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._semaphore.release()


MIN_PASSWORD = 8
MAX_PASSWORD = 128
# A short deny-list of the passwords tried first by every attacker.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "azertyuiop",
        "iloveyou",
        "motdepasse",
        "11111111",
        "00000000",
        "abcdefgh",
        "letmein123",
        "welcome123",
        "admin123",
        "changeme",
        "sunshine",
    }
)


def password_problem(password: str) -> str | None:
    """Why a password is refused (a message key), or None if it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return "password.too_short"
    if len(password) > MAX_PASSWORD:
        return "password.too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "password.too_common"
    return None


class Passwords:
    """argon2id hashes of passwords, each computed in one of the process's slots."""

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_kib: int = 65536,
        checks: PasswordChecks | None = None,
    ) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=1 if memory_kib < 65536 else 4,
        )
        # Bounds the argon2 work running at once.
        self.checks = checks or PasswordChecks()
        # Verified against for unknown e-mails, so that timing reveals nothing.
        self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self.verifications = 0

    def verify(self, stored: str, password: str) -> bool:
        """Whether ``password`` matches the hash, in one of the process's slots."""
        with self.checks.slot():
            self.verifications += 1
            try:
                return bool(self.hasher.verify(stored, password))
            except (VerificationError, InvalidHashError):
                return False

    def hash(self, password: str) -> str:
        """A new argon2id hash of ``password``, in one of the process's slots."""
        with self.checks.slot():
            return str(self.hasher.hash(password))

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than today's."""
        return bool(self.hasher.check_needs_rehash(stored))
