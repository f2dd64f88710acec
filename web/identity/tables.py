"""The tables of the accounts store (``app.db`` on SQLite), in one metadata.

None of this is event-sourced on purpose: e-mail addresses and password hashes are
personal data that must be erasable, and sessions and tokens are secrets. Tokens and
session ids are stored only as SHA-256 digests (``web/identity/tokens.py``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text

from projections.base import UtcDateTime

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("sessions_valid_after", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("account_id", String(36)),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

invitation_tokens = Table(
    "invitation_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("invitation_id", String(36), nullable=False, unique=True),
    Column("consortium_id", String(36), nullable=False),
    Column("email", String(254), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", String(36), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

preferences = Table(
    "preferences",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("language", String(8)),
    Column("delivery", String(16), nullable=False, default="immediate"),
    Column("notifications_seen_at", UtcDateTime),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

# A TOTP secret, sealed with the secrets key (``web/identity/secret_box.py``): the
# database alone does not reveal it. ``enabled_at`` stays empty until the person
# confirmed a first code. ``last_step`` is the time step of the last code accepted: an
# older or equal one is refused, so a code cannot be used twice within its window.
totp_factors = Table(
    "totp_factors",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("sealed_secret", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("enabled_at", UtcDateTime),
    Column("last_step", Integer, nullable=False, default=0),
)

# Single-use recovery codes, stored as SHA-256 digests (each code carries 80 random
# bits: see ``web/identity/totp.py``). ``used_at`` is set when one is spent.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

# Before secrets were sealed they were kept in clear in this table. It is not
# created any more: ``seal_clear_secrets`` moves its rows to ``totp_factors`` and
# drops it.
legacy_metadata = MetaData()
clear_second_factors = Table(
    "second_factors",
    legacy_metadata,
    Column("account_id", String(36), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("enabled_at", UtcDateTime),
    Column("last_step", Integer, nullable=False, default=0),
)

# Half-authenticated browsers: the password was right, the code is awaited. The
# session itself stays anonymous (no rights) until the code is given.
pending_logins = Table(
    "pending_logins",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("next_path", Text, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

erased_accounts = Table(
    "erased_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("erased_at", UtcDateTime, nullable=False),
)

# Personal access tokens for the JSON API (``web/identity/api_tokens.py``): the secret
# is shown once and kept only as its digest. ``consortium_id`` empty: every consortium
# of the person. ``window_started_at``/``window_count`` are the token's rate-limit
# window, counted in the database so every host sees the same count.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("scope", String(8), nullable=False),
    Column("consortium_id", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Column("window_started_at", UtcDateTime),
    Column("window_count", Integer, nullable=False, default=0),
)
