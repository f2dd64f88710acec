"""Personal access tokens for the JSON API: made, listed, revoked, used.

A token acts as its person (the same service checks the same permissions) within
what it was given: a scope (``read``, or ``write`` that also reads) and one
consortium or all of the person's. The secret is shown once and kept only as its
SHA-256 digest (``web/identity/tokens.py``), so a leaked table opens nothing.

Each use is one ``UPDATE … RETURNING`` on the token's row: it records the last use
and counts the call in the token's rate-limit window (a fixed window that restarts
when it is over). The count lives in the database, so every host of a PostgreSQL
deployment shares it; the row lock (PostgreSQL) or the write lock (SQLite) makes
concurrent calls count one after the other.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, insert, literal, select, update

from projections.base import UtcDateTime
from web.identity.accounts import Account, account_from_row
from web.identity.tables import accounts, api_tokens
from web.identity.tokens import digest

READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)
PREFIX = "clt_"
# Longer values are not tokens: refused before any digest or query.
MAX_SECRET = 100


@dataclass(frozen=True)
class RateLimit:
    """At most ``calls`` per token in each ``window``."""

    calls: int
    window: timedelta


DEFAULT_LIMIT = RateLimit(600, timedelta(minutes=1))


@dataclass(frozen=True)
class ApiToken:
    """One personal access token, without its secret."""

    token_id: str
    account_id: str
    name: str
    scope: str
    consortium_id: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def writes(self) -> bool:
        """Whether the token may change things (on top of reading)."""
        return self.scope == WRITE

    def live(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > now
        )


@dataclass(frozen=True)
class TokenUse:
    """A call made with a valid token: who, with what, and whether over the limit."""

    token: ApiToken
    account: Account
    # Seconds to wait before the next call is allowed (None: within the limit).
    retry_after: int | None


def _token(row: Any) -> ApiToken:
    return ApiToken(
        row.token_id,
        row.account_id,
        row.name,
        row.scope,
        row.consortium_id,
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


class ApiTokenStore:
    """The ``api_tokens`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        account_id: str,
        *,
        name: str,
        scope: str,
        consortium_id: str | None,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> tuple[str, ApiToken]:
        """A new token: its secret (to show once) and its record."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        secret = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            str(uuid.uuid4()),
            account_id,
            name,
            scope,
            consortium_id,
            now,
            expires_at,
            None,
            None,
        )
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    token_id=token.token_id,
                    token_hash=digest(secret),
                    account_id=account_id,
                    name=name,
                    scope=scope,
                    consortium_id=consortium_id,
                    created_at=now,
                    expires_at=expires_at,
                    window_count=0,
                )
            )
        return secret, token

    def tokens_of(self, account_id: str) -> list[ApiToken]:
        """The person's tokens not revoked, newest first (expired ones included)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(api_tokens)
                .where(
                    api_tokens.c.account_id == account_id,
                    api_tokens.c.revoked_at.is_(None),
                )
                .order_by(api_tokens.c.created_at.desc(), api_tokens.c.token_id)
            ).all()
        return [_token(r) for r in rows]

    def token_of(self, account_id: str, token_id: str) -> ApiToken | None:
        """One of the person's own tokens not revoked (another's is never found)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(api_tokens).where(
                    api_tokens.c.account_id == account_id,
                    api_tokens.c.token_id == token_id,
                    api_tokens.c.revoked_at.is_(None),
                )
            ).first()
        return _token(row) if row is not None else None

    def revoke(self, account_id: str, token_id: str, *, now: datetime) -> bool:
        """Revoke one of the person's tokens; False if there was none to revoke."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(api_tokens)
                .where(
                    api_tokens.c.account_id == account_id,
                    api_tokens.c.token_id == token_id,
                    api_tokens.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
        return bool(result.rowcount)

    def use(
        self, secret: str, *, now: datetime, limit: RateLimit = DEFAULT_LIMIT
    ) -> TokenUse | None:
        """The token this secret opens, counted as one call; None when the secret is
        unknown, revoked or expired, or its person disabled or erased."""
        if not secret.startswith(PREFIX) or len(secret) > MAX_SECRET:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                select(api_tokens).where(api_tokens.c.token_hash == digest(secret))
            ).first()
            if row is None or not _token(row).live(now):
                return None
            person = connection.execute(
                select(accounts).where(accounts.c.account_id == row.account_id)
            ).first()
        if person is None or person.disabled:
            return None
        token = _token(row)
        within = api_tokens.c.window_started_at.is_not(None) & (
            api_tokens.c.window_started_at > now - limit.window
        )
        with self.engine.begin() as connection:
            counted = connection.execute(
                update(api_tokens)
                .where(api_tokens.c.token_id == token.token_id)
                .values(
                    window_count=case(
                        (within, api_tokens.c.window_count + 1), else_=literal(1)
                    ),
                    window_started_at=case(
                        (within, api_tokens.c.window_started_at),
                        else_=literal(now, UtcDateTime()),
                    ),
                    last_used_at=now,
                )
                .returning(api_tokens.c.window_count, api_tokens.c.window_started_at)
            ).first()
        retry_after = None
        if counted is not None and counted.window_count > limit.calls:
            left = counted.window_started_at + limit.window - now
            retry_after = max(1, int(left.total_seconds() + 0.999))
        return TokenUse(token, account_from_row(person), retry_after)
