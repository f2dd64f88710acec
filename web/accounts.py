"""Accounts, login sessions, invitation tokens, preferences: state kept in SQL.

None of this is event-sourced on purpose: e-mail addresses and password hashes are
personal data that must be erasable, and sessions and tokens are secrets. Tokens and
session ids are stored only as SHA-256 digests, so a leaked table opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)

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

MIN_PASSWORD = 8
MAX_PASSWORD = 128
# A short deny-list of the passwords tried first by every attacker.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "azertyuiop",
        "iloveyou",
        "motdepasse",
        "11111111",
        "00000000",
        "abcdefgh",
        "letmein123",
        "welcome123",
        "admin123",
        "changeme",
        "sunshine",
    }
)


def digest(token: str) -> str:
    """The stored form of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without outer spaces."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Why a password is refused (a message key), or None if it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return "password.too_short"
    if len(password) > MAX_PASSWORD:
        return "password.too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "password.too_common"
    return None


@dataclass(frozen=True)
class Account:
    """A person who can log in."""

    account_id: str
    email: str
    display_name: str
    is_admin: bool
    disabled: bool


@dataclass(frozen=True)
class Session:
    """A browser's server-side session (anonymous until login)."""

    token: str
    account: Account | None
    csrf_token: str
    created_at: datetime


@dataclass(frozen=True)
class InvitationToken:
    """What a one-time invitation link stands for."""

    invitation_id: str
    consortium_id: str
    email: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Preferences:
    """How a person wants to be told: e-mail language, delivery, last look."""

    language: str | None
    delivery: str
    notifications_seen_at: datetime | None


class EmailTaken(Exception):
    """Raised when an account with this e-mail address exists already."""


class Accounts:
    """The accounts store over one SQLAlchemy engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        time_cost: int = 3,
        memory_kib: int = 65536,
        session_hours: int = 12,
    ) -> None:
        self.engine = engine
        self.hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=1 if memory_kib < 65536 else 4,
        )
        self.session_lifetime = timedelta(hours=session_hours)
        # Verified against for unknown e-mails, so that timing reveals nothing.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self.verifications = 0

    def create_tables(self) -> None:
        """Create missing tables (idempotent)."""
        metadata.create_all(self.engine)

    # -- accounts -------------------------------------------------------------------

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
        password_hash = self.hasher.hash(password)
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
        stored = row.password_hash if row is not None else self._dummy_hash
        self.verifications += 1
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row.disabled:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.engine.begin() as connection:
                connection.execute(
                    update(accounts)
                    .where(accounts.c.account_id == row.account_id)
                    .values(password_hash=self.hasher.hash(password))
                )
        return _account(row)

    def by_email(self, email: str) -> Account | None:
        """The account with this e-mail address, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.email == normalise_email(email))
            ).first()
        return _account(row) if row is not None else None

    def by_id(self, account_id: str) -> Account | None:
        """The account with this id, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.account_id == account_id)
            ).first()
        return _account(row) if row is not None else None

    def names(self, account_ids: set[str]) -> dict[str, str]:
        """Display names of the given accounts (unknown ids are left out)."""
        if not account_ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts.c.account_id, accounts.c.display_name).where(
                    accounts.c.account_id.in_(account_ids)
                )
            )
            return {r.account_id: r.display_name for r in rows}

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
        """Disable (or enable) an account; disabling ends its sessions at once."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(disabled=disabled, sessions_valid_after=now)
            )

    def change_password(self, account_id: str, password: str, *, now: datetime) -> None:
        """Set a new password; every existing session of the account ends."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(
                    password_hash=self.hasher.hash(password), sessions_valid_after=now
                )
            )

    # -- sessions -------------------------------------------------------------------

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
                    expires_at=now + self.session_lifetime,
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
                account = _account(account_row)
        return Session(token, account, row.csrf_token, row.created_at)

    def close_session(self, token: str) -> None:
        """End a session (logout, or rotation at login)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(sessions).where(sessions.c.session_hash == digest(token))
            )

    def purge_sessions(self, *, now: datetime) -> int:
        """Remove expired sessions; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(sessions).where(sessions.c.expires_at <= now)
            )
            return int(result.rowcount)

    # -- invitations and outbox -------------------------------------------------------

    def store_invitation(
        self,
        *,
        invitation_id: str,
        consortium_id: str,
        email: str,
        expires_at: datetime,
        now: datetime,
    ) -> str:
        """Keep an invitation's e-mail and token; returns the token for the link."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                insert(invitation_tokens).values(
                    token_hash=digest(token),
                    invitation_id=invitation_id,
                    consortium_id=consortium_id,
                    email=normalise_email(email),
                    created_at=now,
                    expires_at=expires_at,
                    used_at=None,
                )
            )
        return token

    def invitation(self, token: str) -> InvitationToken | None:
        """What this invitation token stands for, if it exists."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(invitation_tokens).where(
                    invitation_tokens.c.token_hash == digest(token)
                )
            ).first()
        if row is None:
            return None
        return InvitationToken(
            row.invitation_id, row.consortium_id, row.email, row.expires_at, row.used_at
        )

    def invitation_emails(self, invitation_ids: set[str]) -> dict[str, str]:
        """The e-mail each invitation was sent to."""
        if not invitation_ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    invitation_tokens.c.invitation_id, invitation_tokens.c.email
                ).where(invitation_tokens.c.invitation_id.in_(invitation_ids))
            )
            return {r.invitation_id: r.email for r in rows}

    def use_invitation(self, token: str, *, now: datetime) -> bool:
        """Mark the token used; False if it was used already (one-time link)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(invitation_tokens)
                .where(
                    invitation_tokens.c.token_hash == digest(token),
                    invitation_tokens.c.used_at.is_(None),
                )
                .values(used_at=now)
            )
            return result.rowcount == 1

    def new_calendar_token(self, account_id: str, *, now: datetime) -> str:
        """A fresh secret for the account's calendar feed; the old one stops working."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                delete(calendar_feeds).where(calendar_feeds.c.account_id == account_id)
            )
            connection.execute(
                insert(calendar_feeds).values(
                    token_hash=digest(token), account_id=account_id, created_at=now
                )
            )
        return token

    def calendar_account(self, token: str) -> Account | None:
        """The enabled account whose calendar feed this secret opens, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts)
                .join(
                    calendar_feeds, calendar_feeds.c.account_id == accounts.c.account_id
                )
                .where(calendar_feeds.c.token_hash == digest(token))
            ).first()
        if row is None or row.disabled:
            return None
        return _account(row)

    def has_calendar_feed(self, account_id: str) -> bool:
        """Whether the account has made a calendar feed address."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(calendar_feeds.c.token_hash).where(
                        calendar_feeds.c.account_id == account_id
                    )
                )
                is not None
            )

    # -- preferences ------------------------------------------------------------------

    def preferences(self, account_id: str) -> Preferences:
        """A person's preferences (defaults when never set)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(preferences).where(preferences.c.account_id == account_id)
            ).first()
        if row is None:
            return Preferences(None, "immediate", None)
        return Preferences(row.language, row.delivery, row.notifications_seen_at)

    def update_preferences(self, account_id: str, **values: object) -> None:
        """Change some of a person's preferences (language, delivery, seen at)."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(preferences)
                .where(preferences.c.account_id == account_id)
                .values(**values)
            ).rowcount
            if not changed:
                connection.execute(
                    insert(preferences).values(account_id=account_id, **values)
                )

    def recipients(self, account_ids: set[str]) -> list[tuple[Account, Preferences]]:
        """Accounts with their preferences (unknown ids are left out)."""
        if not account_ids:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts, preferences.c.language, preferences.c.delivery)
                .outerjoin(
                    preferences, preferences.c.account_id == accounts.c.account_id
                )
                .where(accounts.c.account_id.in_(account_ids))
            )
            return [
                (_account(r), Preferences(r.language, r.delivery or "immediate", None))
                for r in rows
            ]


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _account(row: object) -> Account:
    m = row._mapping  # type: ignore[attr-defined]
    return Account(
        m["account_id"],
        m["email"],
        m["display_name"],
        bool(m["is_admin"]),
        bool(m["disabled"]),
    )


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
