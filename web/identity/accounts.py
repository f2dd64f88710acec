"""Accounts: who can log in, under which e-mail address and name, with which password.

Pages name an erased person "Former member #N" (``web/identity/erasure.py``): the
names asked for here come back that way for erased ids.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Engine,
    Row,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
    update,
)

from projections.json_list import DIALECTS, json_list, json_values
from projections.reading import without_transaction
from web.identity.erasure import former_member_name
from web.identity.passwords import Passwords
from web.identity.pending_logins import end_pending_logins
from web.identity.tables import accounts, erased_accounts, totp_factors
from web.identity.transactions import write_rerunning_duplicates

# An address as the invitation form accepts it: one @, a dot in the domain, no space.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_EMAIL = 254
MAX_NAME = 100
# Characters that end a line for someone: a name is shown in pages and e-mail headers.
LINE_BREAK = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class AccountRefused(ValueError):
    """Raised when an account's details cannot be stored; the reason in words."""


def check_new_account(email: str, display_name: str) -> None:
    """Refuse (``AccountRefused``) an address that is not one, or a name that is
    empty, on several lines or too long. The forms say the same to people; this is
    the last check, for every way an account is created (the CLI among them)."""
    email = normalise_email(email)
    name = display_name.strip()
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        raise AccountRefused(f"{email!r} is not an e-mail address")
    if not name:
        raise AccountRefused("the name is empty: give the name people will see")
    if LINE_BREAK.search(name):
        raise AccountRefused("the name must fit on one line")
    if len(name) > MAX_NAME:
        raise AccountRefused(f"the name is longer than {MAX_NAME} characters")


def _escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (``%`` and ``_`` too)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


@dataclass(frozen=True)
class AccountRow:
    """An account in the administrators' list."""

    account_id: str
    email: str
    display_name: str
    is_admin: bool
    disabled: bool
    two_factor: bool
    created_at: datetime


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


def _names_statement(dialect: str) -> CompoundSelect[str, str, int]:
    """The accounts' names and the erased among them: one statement, its text the
    same whatever the ids (bound as one JSON list), built once per database."""
    named = select(
        accounts.c.account_id,
        accounts.c.display_name,
        literal_column("0").label("erased"),
    ).where(accounts.c.account_id.in_(json_values("ids", dialect)))
    gone = select(
        erased_accounts.c.account_id,
        literal_column("''").label("display_name"),
        literal_column("1").label("erased"),
    ).where(erased_accounts.c.account_id.in_(json_values("ids", dialect)))
    return union_all(named, gone)


_NAMES = {dialect: _names_statement(dialect) for dialect in DIALECTS}


class AccountStore:
    """The ``accounts`` table: create, authenticate, look up, disable, passwords."""

    def __init__(self, engine: Engine, passwords: Passwords) -> None:
        self.engine = engine
        # Look-ups only (names on every page of steps, the sign-in): no transaction.
        self.reads = without_transaction(engine)
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
        """Create an account; raises ``AccountRefused`` for an address or a name
        that cannot be one (``check_new_account``), ``EmailTaken`` when the address
        is in use."""
        check_new_account(email, display_name)
        email = normalise_email(email)
        account = Account(
            str(uuid.uuid4()), email, display_name.strip(), is_admin, False
        )
        password_hash = self.passwords.hash(password)

        def write(connection: Connection) -> None:
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

        write_rerunning_duplicates(self.engine, write)
        return account

    def authenticate(self, email: str, password: str) -> Account | None:
        """The account if the password matches and the account is enabled.

        A hash is verified in every case (a dummy one for unknown addresses).
        """
        row = self._row_by_email(email)
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
        row = self._row_by_email(email)
        return account_from_row(row) if row is not None else None

    def _row_by_email(self, email: str) -> Row[Any] | None:
        """The accounts row of an address as typed; none for a NUL character, which
        no stored address holds and PostgreSQL refuses in a query."""
        if "\x00" in email:
            return None
        with self.reads.connect() as connection:
            return connection.execute(
                select(accounts).where(accounts.c.email == normalise_email(email))
            ).first()

    def by_id(self, account_id: str) -> Account | None:
        """The account with this id, if any."""
        with self.reads.connect() as connection:
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
        found: dict[str, str] = {}
        erased: list[str] = []
        with self.reads.connect() as connection:
            rows = connection.execute(
                _NAMES[connection.dialect.name], {"ids": json_list(account_ids)}
            )
            for account_id, display_name, gone in rows:
                if gone:
                    erased.append(account_id)
                else:
                    found[account_id] = display_name
        for account_id in erased:
            found[account_id] = former_member_name(account_id)
        return found

    def is_erased(self, account_id: str) -> bool:
        """Whether this account was erased (its id survives as a pseudonym)."""
        with self.reads.connect() as connection:
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
        with self.reads.connect() as connection:
            rows = connection.execute(
                select(accounts.c.account_id, accounts.c.email).where(
                    accounts.c.account_id.in_(account_ids)
                )
            )
            return {r.account_id: r.email for r in rows}

    def count(self) -> int:
        """How many accounts exist."""
        with self.reads.connect() as connection:
            return int(
                connection.scalar(select(func.count()).select_from(accounts)) or 0
            )

    def listed(
        self, *, search: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[list[AccountRow], int]:
        """A page of accounts by e-mail address, and how many match ``search`` (a
        part of the address or the name, any case)."""
        where = []
        if search.strip():
            pattern = "%" + _escape_like(search.strip().lower()) + "%"
            where.append(
                or_(
                    accounts.c.email.like(pattern, escape="\\"),
                    func.lower(accounts.c.display_name).like(pattern, escape="\\"),
                )
            )
        two_factor = exists().where(
            totp_factors.c.account_id == accounts.c.account_id,
            totp_factors.c.enabled_at.is_not(None),
        )
        with self.reads.connect() as connection:
            total = int(
                connection.scalar(
                    select(func.count()).select_from(accounts).where(*where)
                )
                or 0
            )
            rows = connection.execute(
                select(
                    accounts.c.account_id,
                    accounts.c.email,
                    accounts.c.display_name,
                    accounts.c.is_admin,
                    accounts.c.disabled,
                    two_factor.label("two_factor"),
                    accounts.c.created_at,
                )
                .where(*where)
                .order_by(accounts.c.email)
                .offset(offset)
                .limit(limit)
            )
            return [
                AccountRow(
                    r.account_id,
                    r.email,
                    r.display_name,
                    bool(r.is_admin),
                    bool(r.disabled),
                    bool(r.two_factor),
                    r.created_at,
                )
                for r in rows
            ], total

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
        with self.reads.connect() as connection:
            stored = connection.scalar(
                select(accounts.c.password_hash).where(
                    accounts.c.account_id == account_id
                )
            )
        return self.passwords.verify(
            stored or self.passwords.dummy_hash, password
        ) and bool(stored)
