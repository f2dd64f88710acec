"""Login sessions: a browser's server-side session, anonymous until login.

The cookie holds only an opaque id, stored as its SHA-256 digest. A session opened
before the account's ``sessions_valid_after`` (a password change, a disabling, a
change of second factor) is dead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from web.identity.accounts import Account, account_from_row
from web.identity.tables import accounts, pending_logins, sessions
from web.identity.tokens import digest


@dataclass(frozen=True)
class Session:
    """A browser's server-side session (anonymous until login)."""

    token: str
    account: Account | None
    csrf_token: str
    created_at: datetime


class SessionStore:
    """The ``sessions`` table."""

    def __init__(self, engine: Engine, lifetime: timedelta) -> None:
        self.engine = engine
        self.lifetime = lifetime

    def open_session(self, account: Account | None, *, now: datetime) -> Session:
        """A new session with a fresh id and CSRF token."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                insert(sessions).values(
                    session_hash=digest(token),
                    account_id=account.account_id if account else None,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                    expires_at=now + self.lifetime,
                )
            )
        return Session(token, account, csrf, now)

    def session(self, token: str, *, now: datetime) -> Session | None:
        """The live session for this cookie value, or None (expired, revoked…)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sessions).where(sessions.c.session_hash == digest(token))
            ).first()
            if row is None or row.expires_at <= now:
                return None
            account = None
            if row.account_id is not None:
                account_row = connection.execute(
                    select(accounts).where(accounts.c.account_id == row.account_id)
                ).first()
                if (
                    account_row is None
                    or account_row.disabled
                    or row.created_at < account_row.sessions_valid_after
                ):
                    return None
                account = account_from_row(account_row)
        return Session(token, account, row.csrf_token, row.created_at)

    def close_session(self, token: str) -> None:
        """End a session (logout, or rotation at login)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(sessions).where(sessions.c.session_hash == digest(token))
            )

    def purge_sessions(self, *, now: datetime) -> int:
        """Remove expired sessions (and expired half-finished logins); returns how
        many sessions."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(pending_logins).where(pending_logins.c.expires_at <= now)
            )
            result = connection.execute(
                delete(sessions).where(sessions.c.expires_at <= now)
            )
            return int(result.rowcount)
