"""Time-based one-time codes (RFC 6238) with pyotp, and the QR code to set them up.

Codes are six digits over 30-second steps; one step either side is accepted for
clock drift. The caller keeps the last accepted step so a code is never accepted
twice (``Accounts.use_code``).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

ISSUER = "Consortium Ledger"
DIGITS = 6
# Steps accepted around the current one: the code just past and the next one.
DRIFT = (0, -1, 1)


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
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in DRIFT:
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
