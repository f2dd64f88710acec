"""Time-based one-time codes (RFC 6238) with pyotp, the QR code to set them up, and
the recovery codes that stand in for a lost phone.

Codes are six digits over 30-second steps; one step either side is accepted for
clock drift. The caller keeps the last accepted step so a code is never accepted
twice (``Accounts.use_code``).

Recovery codes are 16 characters of Crockford's base32 (80 random bits), shown as
``xxxx-xxxx-xxxx-xxxx``; typing ignores case, spaces and dashes, and reads o as 0 and
i or l as 1. They are stored as plain SHA-256 digests, not argon2: a slow hash
protects secrets people choose (passwords), whereas 80 random bits cannot be
enumerated whatever the hash (2^80 SHA-256 computations), and a fast digest lets the
login look a code up by its digest instead of running ten argon2 verifications per
attempt (which would make the code form a CPU lever).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

ISSUER = "Consortium Ledger"
DIGITS = 6
# Steps accepted around the current one: the code just past and the next one.
DRIFT = (0, -1, 1)

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford: no i, l, o, u
RECOVERY_LENGTH = 16
_LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def new_secret() -> str:
    """A fresh random secret (base32, 160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator application reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The provisioning address as an SVG QR code, inline (CSP allows ``data:``)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def code_at(secret: str, moment: datetime) -> str:
    """The code valid at ``moment`` (what an authenticator shows then)."""
    return str(pyotp.TOTP(secret).at(moment))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is (now, or one step either side); None if
    it matches none."""
    code = "".join(code.split())
    if not is_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in DRIFT:
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


def is_code(text: str) -> bool:
    """Whether ``text`` (spaces ignored) has a code's shape: six digits 0-9.

    ASCII only: "١٢٣٤٥٦", "１２３４５６" or "12345²" are digits to ``str.isdigit``,
    but no authenticator shows them, and ``hmac.compare_digest`` refuses non-ASCII
    text (it raised a TypeError: a 500).
    """
    code = "".join(text.split())
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def may_be_code(text: str, *, recovery: bool) -> bool:
    """Whether ``text`` could be a code (or, with ``recovery``, a recovery code)."""
    return is_code(text) or (recovery and recovery_code_digest(text) is not None)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, as shown to the person (``xxxx-xxxx-xxxx-xxxx``)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def recovery_code_digest(text: str) -> str | None:
    """The stored form of a recovery code as typed; None if it cannot be one."""
    raw = "".join(text.split()).replace("-", "").lower().translate(_LOOK_ALIKES)
    if len(raw) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in raw):
        return None
    return hashlib.sha256(raw.encode()).hexdigest()
