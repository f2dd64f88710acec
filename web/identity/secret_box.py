"""Secrets the server must read back (TOTP keys), sealed with a key kept outside the
database.

AES-256-GCM (``cryptography``) with a random 96-bit nonce per sealing, and the
owner's id as associated data: a sealed value copied onto another account's row does
not open. The 32-byte key lives in a file (``secrets_key`` in the data directory,
mode 0600, created on first use; ``CONSORTIUM_SECRETS_KEY_FILE`` names another
place), so a dump or a stolen copy of the database alone reveals no secret. Several
web processes on PostgreSQL must share the same file, as they share the audit key.

Losing the file makes the sealed secrets unreadable: the people concerned log in with
a recovery code (stored hashed, independent of this key) and set two-step login up
again.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import threading
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

logger = logging.getLogger(__name__)

KEY_FILENAME = "secrets_key"
KEY_BYTES = 32
NONCE_BYTES = 12
# Names the format of a sealed value, so that another one can follow it one day.
PREFIX = "aesgcm1:"


class UnreadableSecret(Exception):
    """Raised when a sealed value does not open (another key, or altered)."""


class SecretBox:
    """Seals and opens short secrets with one AES-256-GCM key.

    Given a path, the key is read (or created) there on first use only, so a process
    that never meets a second factor never creates the file.
    """

    def __init__(self, key: bytes | Path) -> None:
        self._path = key if isinstance(key, Path) else None
        self._lock = threading.Lock()
        self._cipher: AESGCM | None = None
        if isinstance(key, bytes):
            self._cipher = _cipher(key)

    @property
    def _aead(self) -> AESGCM:
        if self._cipher is None:
            with self._lock:
                if self._cipher is None:
                    assert self._path is not None  # noqa: S101 - set when no key
                    self._cipher = _cipher(load_or_create_key(self._path))
        return self._cipher

    def seal(self, secret: str, owner: str) -> str:
        """``secret`` encrypted and bound to ``owner`` (printable, ~90 characters)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), owner.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, owner: str) -> str:
        """The secret ``seal`` gave ``sealed`` for ``owner``; raises
        ``UnreadableSecret`` otherwise."""
        if not sealed.startswith(PREFIX):
            raise UnreadableSecret("not a sealed value")
        aead = self._aead  # outside the try: a bad key file is not a bad value
        try:
            raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :].encode())
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise UnreadableSecret("the sealed value does not open") from None
        return plain.decode()


def _cipher(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise ValueError(f"a secrets key is {KEY_BYTES} bytes, not {len(key)}")
    return AESGCM(key)


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``; created there (mode 0600) if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must not each write a key.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
                file.flush()
                os.fsync(file.fileno())
            logger.info("secrets.key_created path=%s", path)
    text = path.read_bytes().strip()
    for _ in range(50):
        if text:
            break
        # Another process created the file an instant ago and is still writing it.
        time.sleep(0.01)
        text = path.read_bytes().strip()
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError(f"{path} does not hold a base64 secrets key") from None
