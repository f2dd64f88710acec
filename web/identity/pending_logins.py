"""Half-authenticated browsers: the password was right, the second factor's code is
awaited. The session itself stays anonymous (no rights) until the code is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select

from web.identity.tables import pending_logins
from web.identity.tokens import digest
from web.identity.transactions import write_rerunning_duplicates

PENDING_LOGIN_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class PendingLogin:
    """A browser whose password was right and whose code is awaited."""

    account_id: str
    next_path: str


class PendingLoginStore:
    """The ``pending_logins`` table."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine = engine
        # The accounts store's clock (tests move it by hand).
        self.now = now

    def begin_pending_login(self, token: str, account_id: str, next_path: str) -> None:
        """Remember that this (anonymous) session gave the right password."""

        def write(connection: Connection) -> None:
            connection.execute(
                delete(pending_logins).where(
                    pending_logins.c.session_hash == digest(token)
                )
            )
            connection.execute(
                insert(pending_logins).values(
                    session_hash=digest(token),
                    account_id=account_id,
                    next_path=next_path,
                    expires_at=self.now() + PENDING_LOGIN_LIFETIME,
                )
            )

        write_rerunning_duplicates(self.engine, write)

    def pending_login(self, token: str) -> PendingLogin | None:
        """The login this session is completing, if any and still fresh."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(pending_logins).where(
                    pending_logins.c.session_hash == digest(token),
                    pending_logins.c.expires_at > self.now(),
                )
            ).first()
        return PendingLogin(row.account_id, row.next_path) if row else None

    def end_pending_login(self, token: str) -> None:
        """Forget a half-finished login (completed or abandoned)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(pending_logins).where(
                    pending_logins.c.session_hash == digest(token)
                )
            )


def end_pending_logins(connection: Connection, account_id: str) -> None:
    """End the account's half-finished logins (in the caller's transaction)."""
    connection.execute(
        delete(pending_logins).where(pending_logins.c.account_id == account_id)
    )
