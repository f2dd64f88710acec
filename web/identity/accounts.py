"""Accounts: who can log in, under which e-mail address and name, with which password.

Pages name an erased person "Former member #N" (``web/identity/erasure.py``): the
names asked for here come back that way for erased ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select, update

from web.identity.erasure import former_member_name
from web.identity.passwords import Passwords
from web.identity.pending_logins import end_pending_logins
from web.identity.tables import accounts, erased_accounts


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without outer spaces."""
    return email.strip().lower()


@dataclass(frozen=True)
class Account:
    """A person who can log in."""

    account_id: str
    email: str
    display_name: str
    is_admin: bool
    disabled: bool


class EmailTaken(Exception):
    """Raised when an account with this e-mail address exists already."""


def account_from_row(row: Row[Any]) -> Account:
    """The ``Account`` of a row of the ``accounts`` table."""
    m = row._mapping
    return Account(
        m["account_id"],
        m["email"],
        m["display_name"],
        bool(m["is_admin"]),
        bool(m["disabled"]),
    )


class AccountStore:
    """The ``accounts`` table: create, authenticate, look up, disable, passwords."""

    def __init__(self, engine: Engine, passwords: Passwords) -> None:
        self.engine = engine
        self.passwords = passwords

    def create_account(
        self,
        email: str,
        display_name: str,
        password: str,
        *,
        is_admin: bool = False,
        now: datetime,
    ) -> Account:
        """Create an account; raises ``EmailTaken`` when the address is in use."""
        email = normalise_email(email)
        account = Account(
            str(uuid.uuid4()), email, display_name.strip(), is_admin, False
        )
        password_hash = self.passwords.hash(password)
        with self.engine.begin() as connection:
            if connection.scalar(
                select(accounts.c.account_id).where(accounts.c.email == email)
            ):
                raise EmailTaken(email)
            connection.execute(
                insert(accounts).values(
                    account_id=account.account_id,
                    email=email,
                    display_name=account.display_name,
                    password_hash=password_hash,
                    is_admin=is_admin,
                    disabled=False,
                    sessions_valid_after=now,
                    created_at=now,
                )
            )
        return account

    def authenticate(self, email: str, password: str) -> Account | None:
        """The account if the password matches and the account is enabled.

        A hash is verified in every case (a dummy one for unknown addresses).
        """
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.email == normalise_email(email))
            ).first()
        stored = row.password_hash if row is not None else self.passwords.dummy_hash
        if not self.passwords.verify(stored, password):
            return None
        if row is None or row.disabled:
            return None
        if self.passwords.needs_rehash(stored):
            rehashed = self.passwords.hash(password)
            with self.engine.begin() as connection:
                connection.execute(
                    update(accounts)
                    .where(accounts.c.account_id == row.account_id)
                    .values(password_hash=rehashed)
                )
        return account_from_row(row)

    def by_email(self, email: str) -> Account | None:
        """The account with this e-mail address, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.email == normalise_email(email))
            ).first()
        return account_from_row(row) if row is not None else None

    def by_id(self, account_id: str) -> Account | None:
        """The account with this id, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.account_id == account_id)
            ).first()
        return account_from_row(row) if row is not None else None

    def names(self, account_ids: set[str]) -> dict[str, str]:
        """Display names of the given accounts; erased ones as "Former member #N".

        Unknown ids are left out.
        """
        if not account_ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts.c.account_id, accounts.c.display_name).where(
                    accounts.c.account_id.in_(account_ids)
                )
            )
            found = {r.account_id: r.display_name for r in rows}
            erased = connection.scalars(
                select(erased_accounts.c.account_id).where(
                    erased_accounts.c.account_id.in_(account_ids)
                )
            )
            for account_id in erased:
                found[account_id] = former_member_name(account_id)
            return found

    def is_erased(self, account_id: str) -> bool:
        """Whether this account was erased (its id survives as a pseudonym)."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(erased_accounts.c.account_id).where(
                        erased_accounts.c.account_id == account_id
                    )
                )
                is not None
            )

    def emails(self, account_ids: set[str]) -> dict[str, str]:
        """E-mail addresses of the given accounts."""
        if not account_ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts.c.account_id, accounts.c.email).where(
                    accounts.c.account_id.in_(account_ids)
                )
            )
            return {r.account_id: r.email for r in rows}

    def count(self) -> int:
        """How many accounts exist."""
        with self.engine.connect() as connection:
            return int(
                connection.scalar(select(func.count()).select_from(accounts)) or 0
            )

    def set_disabled(self, account_id: str, disabled: bool, *, now: datetime) -> None:
        """Disable (or enable) an account; disabling ends its sessions at once, and
        its half-finished logins."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(disabled=disabled, sessions_valid_after=now)
            )
            end_pending_logins(connection, account_id)

    def end_sessions(self, account_id: str, *, now: datetime) -> None:
        """End every session and half-finished login of the account (after a change
        of its second factor: whoever is logged in must log in again)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(sessions_valid_after=now)
            )
            end_pending_logins(connection, account_id)

    def change_password(self, account_id: str, password: str, *, now: datetime) -> None:
        """Set a new password; every existing session of the account ends, and every
        login waiting for its code (the old password opened it)."""
        password_hash = self.passwords.hash(password)
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(password_hash=password_hash, sessions_valid_after=now)
            )
            end_pending_logins(connection, account_id)

    def verify_password(self, account_id: str, password: str) -> bool:
        """Whether ``password`` is the account's (asked again before grave changes)."""
        with self.engine.connect() as connection:
            stored = connection.scalar(
                select(accounts.c.password_hash).where(
                    accounts.c.account_id == account_id
                )
            )
        return self.passwords.verify(
            stored or self.passwords.dummy_hash, password
        ) and bool(stored)
