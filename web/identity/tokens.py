"""Secret tokens: stored only as SHA-256 digests, so a leaked table opens nothing,
and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def digest(token: str) -> str:
    """The stored form of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
