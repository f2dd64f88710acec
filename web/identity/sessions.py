"""Login sessions: a browser's server-side session, anonymous until login.

The cookie holds only an opaque id, stored as its SHA-256 digest. A session opened
before the account's ``sessions_valid_after`` (a password change, a disabling, a
change of second factor) is dead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, Table, bindparam, delete, insert, select

from projections.driver_reads import DriverRead
from projections.reading import without_transaction
from web.identity.accounts import Account
from web.identity.preferences import DEFAULT_PREFERENCES, Preferences
from web.identity.tables import accounts, pending_logins, preferences, sessions
from web.identity.tokens import digest


def session_query(
    tables: tuple[Table, Table, Table] = (sessions, accounts, preferences),
) -> Select[Any]:
    """The session of the bound ``hash``, its account and the account's preferences
    (``session_from_row`` reads a row), from ``tables`` (the sessions, accounts and
    preferences: another connection may reach them under a schema of their own)."""
    session, account, preference = tables
    return (
        select(
            session.c.account_id,
            session.c.csrf_token,
            session.c.created_at,
            session.c.expires_at,
            account.c.account_id.label("account"),
            account.c.email,
            account.c.display_name,
            account.c.is_admin,
            account.c.disabled,
            account.c.sessions_valid_after,
            preference.c.account_id.label("has_preferences"),
            preference.c.language,
            preference.c.delivery,
            preference.c.notifications_seen_at,
        )
        .select_from(
            session.outerjoin(
                account, account.c.account_id == session.c.account_id
            ).outerjoin(preference, preference.c.account_id == session.c.account_id)
        )
        .where(session.c.session_hash == bindparam("hash"))
    )


_SESSION_AND_ACCOUNT = DriverRead(session_query())


@dataclass(frozen=True)
class Session:
    """A browser's server-side session (anonymous until login)."""

    token: str
    account: Account | None
    csrf_token: str
    created_at: datetime
    # The account's preferences as the session was looked up (every page's layout
    # reads them: one statement with the session); None for an anonymous one.
    preferences: Preferences | None = None


def session_from_row(token: str, row: Any | None, *, now: datetime) -> Session | None:
    """The live session of a row of ``session_query`` for this cookie value, or
    None (no such session, expired, its account gone, disabled, or the session
    opened before the account's ``sessions_valid_after``)."""
    if row is None or row.expires_at <= now:
        return None
    account = None
    if row.account_id is not None:
        if (
            row.account is None  # the account row is gone
            or row.disabled
            or row.created_at < row.sessions_valid_after
        ):
            return None
        account = Account(
            row.account_id,
            row.email,
            row.display_name,
            bool(row.is_admin),
            bool(row.disabled),
        )
        return Session(
            token,
            account,
            row.csrf_token,
            row.created_at,
            Preferences(row.language, row.delivery, row.notifications_seen_at)
            if row.has_preferences is not None
            else DEFAULT_PREFERENCES,
        )
    return Session(token, account, row.csrf_token, row.created_at)


class SessionStore:
    """The ``sessions`` table."""

    def __init__(self, engine: Engine, lifetime: timedelta) -> None:
        self.engine = engine
        self.reads = without_transaction(engine)
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
        # One statement, the session and its account (every request asks).
        with self.reads.connect() as connection:
            row = _SESSION_AND_ACCOUNT.first(connection, {"hash": digest(token)})
        return session_from_row(token, row, now=now)

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
