"""Password reset links: one-time secrets, stored hashed, alive ``RESET_LIFETIME``."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from governance.clock import Clock
from web.identity.accounts import Account, account_from_row
from web.identity.passwords import Passwords
from web.identity.pending_logins import end_pending_logins
from web.identity.tables import accounts, password_resets
from web.identity.throttle import LOGIN_ACCOUNT, Throttle
from web.identity.tokens import digest

RESET_LIFETIME = timedelta(hours=1)


class PasswordResetStore:
    """The ``password_resets`` table."""

    def __init__(
        self, engine: Engine, passwords: Passwords, throttle: Throttle, clock: Clock
    ) -> None:
        self.engine = engine
        self.passwords = passwords
        # Clears the failed-login count of a reset account; its clock times the links.
        self.throttle = throttle
        self.now = throttle.now
        # The store's clock: when a reset ends the account's sessions.
        self.clock = clock

    def new_reset_token(self, account_id: str) -> str:
        """A one-time reset link secret, valid ``RESET_LIFETIME``; stored hashed."""
        with self.engine.begin() as connection:
            return insert_reset_token(connection, account_id, now=self.now())

    def reset_account(self, token: str) -> Account | None:
        """The enabled account a live (unused, unexpired) reset link opens, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts)
                .join(
                    password_resets,
                    password_resets.c.account_id == accounts.c.account_id,
                )
                .where(
                    password_resets.c.token_hash == digest(token),
                    password_resets.c.used_at.is_(None),
                    password_resets.c.expires_at > self.now(),
                )
            ).first()
        if row is None or row.disabled:
            return None
        return account_from_row(row)

    def reset_password(self, token: str, password: str) -> Account | None:
        """Set a new password through a reset link, which then stops working.

        Every other reset link of the account dies too, every session ends, and the
        account's failed-login count is cleared. None if the link is not live.
        """
        account = self.reset_account(token)
        if account is None:
            return None
        password_hash = self.passwords.hash(password)
        now = self.now()
        with self.engine.begin() as connection:
            used = connection.execute(
                update(password_resets)
                .where(
                    password_resets.c.token_hash == digest(token),
                    password_resets.c.used_at.is_(None),
                    password_resets.c.expires_at > now,
                )
                .values(used_at=now)
            ).rowcount
            if used != 1:
                return None  # used meanwhile by another request
            connection.execute(
                update(password_resets)
                .where(
                    password_resets.c.account_id == account.account_id,
                    password_resets.c.used_at.is_(None),
                )
                .values(used_at=now)
            )
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account.account_id)
                .values(
                    password_hash=password_hash, sessions_valid_after=self.clock.now()
                )
            )
            end_pending_logins(connection, account.account_id)
        self.throttle.reset(LOGIN_ACCOUNT, account.email)
        return account


def insert_reset_token(
    connection: Connection, account_id: str, *, now: datetime
) -> str:
    """A new reset link secret in the caller's transaction (a use case that queues
    its e-mail in the same one), valid ``RESET_LIFETIME`` from ``now``."""
    token = secrets.token_urlsafe(32)
    connection.execute(
        insert(password_resets).values(
            token_hash=digest(token),
            account_id=account_id,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
            used_at=None,
        )
    )
    return token
