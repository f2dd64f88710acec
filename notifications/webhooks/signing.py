"""The signature of a delivery, as a receiver checks it (``docs/webhooks.md``).

``X-Consortium-Signature: sha256=<hex>`` where ``<hex>`` is the HMAC-SHA256, keyed
with the subscription's secret (its UTF-8 bytes, as shown once), of the ASCII
timestamp of ``X-Consortium-Timestamp`` (Unix seconds), a dot, and the raw body
bytes. A receiver recomputes it over the bytes it received, compares in constant
time, and refuses a timestamp too far from its own clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Consortium-Signature"
TIMESTAMP_HEADER = "X-Consortium-Timestamp"
DELIVERY_HEADER = "X-Consortium-Delivery"
POSITION_HEADER = "X-Consortium-Position"
KIND_HEADER = "X-Consortium-Event"
# A prefix that names what the secret is for, not a secret.
SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105
# How far a receiver should accept a timestamp from its own clock.
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret (shown once to the person who registers)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``X-Consortium-Signature`` for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, header: str, *, now: float
) -> bool:
    """Whether ``header`` signs ``body`` at ``timestamp``, within the tolerance."""
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)
