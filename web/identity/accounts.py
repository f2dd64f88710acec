"""Accounts, login sessions, invitation tokens, preferences: state kept in SQL.

None of this is event-sourced on purpose: e-mail addresses and password hashes are
personal data that must be erasable, and sessions and tokens are secrets. Tokens and
session ids are stored only as SHA-256 digests, so a leaked table opens nothing.

Erasing an account (GDPR) deletes every row that holds its personal data and keeps
only its id in ``erased_accounts``: the event log, which holds ids and never names,
stays untouched (so the audit chain still verifies), and pages name the erased
person "Former member #N", N derived from the id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)

from notifications.outbox import outbox as outbox_table
from notifications.outbox import outbox_reminders
from projections.base import UtcDateTime
from web.clock import utcnow
from web.i18n import N_, gettext_
from web.identity import totp
from web.identity.passwords import PasswordChecks
from web.identity.secret_box import SecretBox, UnreadableSecret
from web.identity.throttle import (
    LOGIN_ACCOUNT,
    REAUTHENTICATE,
    RESET_EMAIL,
    SECOND_FACTOR,
    Throttle,
)

logger = logging.getLogger(__name__)

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

RESET_LIFETIME = timedelta(hours=1)
PENDING_LOGIN_LIFETIME = timedelta(minutes=5)
# From this many recovery codes left (or fewer), the security pages warn.
FEW_RECOVERY_CODES = 3
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


@dataclass(frozen=True)
class SecondFactor:
    """A person's TOTP second factor (enabled once a first code was confirmed).

    ``secret`` is None when the stored secret does not open with the secrets key
    (the key file was lost or replaced): codes are then refused, recovery codes
    still work.
    """

    secret: str | None
    enabled: bool
    last_step: int


@dataclass(frozen=True)
class PendingLogin:
    """A browser whose password was right and whose code is awaited."""

    account_id: str
    next_path: str


def former_member_number(account_id: str) -> int:
    """A stable short number for an erased person, derived from the account id."""
    return int(hashlib.sha256(account_id.encode()).hexdigest()[:8], 16) % 1_000_000


def former_member_name(account_id: str) -> str:
    """How pages name an erased person: "Former member #N"."""
    return gettext_(N_("Former member #%(number)d")) % {
        "number": former_member_number(account_id)
    }


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
        secrets_box: SecretBox,
        password_checks: PasswordChecks | None = None,
    ) -> None:
        self.engine = engine
        # Seals TOTP secrets with a key kept outside the database.
        self.box = secrets_box
        self.hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=1 if memory_kib < 65536 else 4,
        )
        self.session_lifetime = timedelta(hours=session_hours)
        # Bounds the argon2 work running at once (``web/identity/passwords.py``).
        self.checks = password_checks or PasswordChecks()
        # Counts failed attempts; its clock also times reset links and TOTP codes.
        self.throttle = Throttle(engine)
        # Verified against for unknown e-mails, so that timing reveals nothing.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self.verifications = 0

    def create_tables(self) -> None:
        """Create missing tables and seal secrets kept in clear (idempotent)."""
        metadata.create_all(self.engine)
        self.throttle.create_tables()
        seal_clear_secrets(self.engine, self.box)

    def now(self) -> datetime:
        """The time for throttling, reset links and codes (tests move it by hand)."""
        return self.throttle.now()

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
        password_hash = self._hash(password)
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
        if not self._verify(stored, password):
            return None
        if row is None or row.disabled:
            return None
        if self.hasher.check_needs_rehash(stored):
            rehashed = self._hash(password)
            with self.engine.begin() as connection:
                connection.execute(
                    update(accounts)
                    .where(accounts.c.account_id == row.account_id)
                    .values(password_hash=rehashed)
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
            _end_pending_logins(connection, account_id)

    def end_sessions(self, account_id: str, *, now: datetime) -> None:
        """End every session and half-finished login of the account (after a change
        of its second factor: whoever is logged in must log in again)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(sessions_valid_after=now)
            )
            _end_pending_logins(connection, account_id)

    def change_password(self, account_id: str, password: str, *, now: datetime) -> None:
        """Set a new password; every existing session of the account ends, and every
        login waiting for its code (the old password opened it)."""
        password_hash = self._hash(password)
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(password_hash=password_hash, sessions_valid_after=now)
            )
            _end_pending_logins(connection, account_id)

    def verify_password(self, account_id: str, password: str) -> bool:
        """Whether ``password`` is the account's (asked again before grave changes)."""
        with self.engine.connect() as connection:
            stored = connection.scalar(
                select(accounts.c.password_hash).where(
                    accounts.c.account_id == account_id
                )
            )
        return self._verify(stored or self._dummy_hash, password) and bool(stored)

    def _verify(self, stored: str, password: str) -> bool:
        """Whether ``password`` matches the hash, in one of the process's slots."""
        with self.checks.slot():
            self.verifications += 1
            try:
                return bool(self.hasher.verify(stored, password))
            except (VerificationError, InvalidHashError):
                return False

    def _hash(self, password: str) -> str:
        """A new argon2id hash of ``password``, in one of the process's slots."""
        with self.checks.slot():
            return str(self.hasher.hash(password))

    # -- password reset ---------------------------------------------------------------

    def new_reset_token(self, account_id: str) -> str:
        """A one-time reset link secret, valid ``RESET_LIFETIME``; stored hashed."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        with self.engine.begin() as connection:
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
        return _account(row)

    def reset_password(self, token: str, password: str) -> Account | None:
        """Set a new password through a reset link, which then stops working.

        Every other reset link of the account dies too, every session ends, and the
        account's failed-login count is cleared. None if the link is not live.
        """
        account = self.reset_account(token)
        if account is None:
            return None
        password_hash = self._hash(password)
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
                .values(password_hash=password_hash, sessions_valid_after=utcnow())
            )
            _end_pending_logins(connection, account.account_id)
        self.throttle.reset(LOGIN_ACCOUNT, account.email)
        return account

    # -- second factor (TOTP) ---------------------------------------------------------

    def second_factor(self, account_id: str) -> SecondFactor | None:
        """The account's TOTP secret and whether it is enabled, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(totp_factors).where(totp_factors.c.account_id == account_id)
            ).first()
        if row is None:
            return None
        try:
            secret: str | None = self.box.open(row.sealed_secret, account_id)
        except UnreadableSecret:
            # Not a 500: the person can still log in with a recovery code.
            logger.error("two_factor.secret_unreadable account=%s", account_id)
            secret = None
        return SecondFactor(secret, row.enabled_at is not None, row.last_step)

    def has_second_factor(self, account_id: str) -> bool:
        """Whether login asks this account for a code after the password."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(totp_factors.c.enabled_at).where(
                        totp_factors.c.account_id == account_id
                    )
                )
                is not None
            )

    def start_second_factor(self, account_id: str) -> str:
        """A new secret awaiting its first code (replaces an unconfirmed one)."""
        secret = totp.new_secret()
        with self.engine.begin() as connection:
            connection.execute(
                delete(totp_factors).where(
                    totp_factors.c.account_id == account_id,
                    totp_factors.c.enabled_at.is_(None),
                )
            )
            connection.execute(
                insert(totp_factors).values(
                    account_id=account_id,
                    sealed_secret=self.box.seal(secret, account_id),
                    created_at=self.now(),
                    enabled_at=None,
                    last_step=0,
                )
            )
        return secret

    def use_code(self, account_id: str, code: str, *, enable: bool = False) -> bool:
        """Accept a TOTP code once: right now (±30 s) and newer than the last one.

        With ``enable``, a right code also switches the factor on (first code).
        """
        factor = self.second_factor(account_id)
        if factor is None or factor.secret is None or factor.enabled == enable:
            return False
        step = totp.matching_step(factor.secret, code, self.now())
        if step is None or step <= factor.last_step:
            return False
        values: dict[str, object] = {"last_step": step}
        if enable:
            values["enabled_at"] = self.now()
        with self.engine.begin() as connection:
            # Compare-and-set: two requests with the same code, only one wins.
            accepted = connection.execute(
                update(totp_factors)
                .where(
                    totp_factors.c.account_id == account_id,
                    totp_factors.c.last_step < step,
                )
                .values(**values)
            ).rowcount
        return accepted == 1

    def use_second_factor(self, account_id: str, text: str) -> str | None:
        """Accept what was typed at the second step: a TOTP code, or a recovery code
        (which is then spent). Returns ``"code"`` or ``"recovery"``, None if refused.

        Both go through the same call so that one throttle counts both.
        """
        if not self.has_second_factor(account_id):
            return None
        if totp.recovery_code_digest(text) is not None:
            return "recovery" if self.use_recovery_code(account_id, text) else None
        return "code" if self.use_code(account_id, text) else None

    def use_recovery_code(self, account_id: str, text: str) -> bool:
        """Spend one of the account's unused recovery codes; False if it is none."""
        code_hash = totp.recovery_code_digest(text)
        if code_hash is None:
            return False
        with self.engine.begin() as connection:
            # Compare-and-set: the same code sent twice at once is spent once.
            spent = connection.execute(
                update(recovery_codes)
                .where(
                    recovery_codes.c.code_hash == code_hash,
                    recovery_codes.c.account_id == account_id,
                    recovery_codes.c.used_at.is_(None),
                )
                .values(used_at=self.now())
            ).rowcount
        return spent == 1

    def new_recovery_codes(self, account_id: str) -> list[str]:
        """Ten fresh recovery codes (returned once, stored hashed); the account's
        former codes, used or not, stop working."""
        codes = totp.new_recovery_codes()
        now = self.now()
        with self.engine.begin() as connection:
            connection.execute(
                delete(recovery_codes).where(recovery_codes.c.account_id == account_id)
            )
            connection.execute(
                insert(recovery_codes),
                [
                    {
                        "code_hash": totp.recovery_code_digest(code),
                        "account_id": account_id,
                        "created_at": now,
                        "used_at": None,
                    }
                    for code in codes
                ],
            )
        return codes

    def recovery_codes_left(self, account_id: str) -> int:
        """How many of the account's recovery codes are still unused."""
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count())
                    .select_from(recovery_codes)
                    .where(
                        recovery_codes.c.account_id == account_id,
                        recovery_codes.c.used_at.is_(None),
                    )
                )
                or 0
            )

    def remove_second_factor(self, account_id: str) -> None:
        """Switch the second factor off (forgetting its secret and recovery codes)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(totp_factors).where(totp_factors.c.account_id == account_id)
            )
            connection.execute(
                delete(recovery_codes).where(recovery_codes.c.account_id == account_id)
            )

    def begin_pending_login(self, token: str, account_id: str, next_path: str) -> None:
        """Remember that this (anonymous) session gave the right password."""
        with self.engine.begin() as connection:
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

    # -- erasure and export (GDPR) ----------------------------------------------------

    def erase(self, account_id: str) -> bool:
        """Remove the account's personal data, keeping its id as a pseudonym.

        Deleted: the account (e-mail, name, password hash), its sessions and
        half-finished logins, preferences, calendar feed, reset links, second
        factor, the invitations sent to its address, the e-mails queued to it and
        its failed-attempt counters. False if there was no such account.
        """
        with self.engine.begin() as connection:
            email = connection.scalar(
                select(accounts.c.email).where(accounts.c.account_id == account_id)
            )
            if email is None:
                return False
            _erase_rows(connection, account_id, email)
            connection.execute(
                insert(erased_accounts).values(
                    account_id=account_id, erased_at=utcnow()
                )
            )
        for limit in (LOGIN_ACCOUNT, RESET_EMAIL):
            self.throttle.reset(limit, email)
        for limit in (SECOND_FACTOR, REAUTHENTICATE):
            self.throttle.reset(limit, account_id)
        return True

    def personal_data(self, account_id: str) -> dict[str, object]:
        """What the accounts store holds about a person (for their export)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.account_id == account_id)
            ).first()
            if row is None:
                return {}
            prefs = connection.execute(
                select(preferences).where(preferences.c.account_id == account_id)
            ).first()
            factor = connection.execute(
                select(totp_factors.c.enabled_at).where(
                    totp_factors.c.account_id == account_id
                )
            ).first()
            codes_left = connection.scalar(
                select(func.count())
                .select_from(recovery_codes)
                .where(
                    recovery_codes.c.account_id == account_id,
                    recovery_codes.c.used_at.is_(None),
                )
            )
            open_sessions = connection.execute(
                select(
                    sessions.c.created_at, sessions.c.last_seen, sessions.c.expires_at
                )
                .where(
                    sessions.c.account_id == account_id,
                    sessions.c.created_at >= row.sessions_valid_after,
                )
                .order_by(sessions.c.created_at)
            ).all()
            invited = connection.execute(
                select(
                    invitation_tokens.c.invitation_id,
                    invitation_tokens.c.consortium_id,
                    invitation_tokens.c.created_at,
                    invitation_tokens.c.used_at,
                ).where(invitation_tokens.c.email == row.email)
            ).all()
            mails = connection.execute(
                select(
                    outbox_table.c.message_id,
                    outbox_table.c.subject,
                    outbox_table.c.created_at,
                    outbox_table.c.sent_at,
                ).where(outbox_table.c.recipient == row.email)
            ).all()
            has_feed = connection.scalar(
                select(calendar_feeds.c.created_at).where(
                    calendar_feeds.c.account_id == account_id
                )
            )
        return {
            "account": {
                "account_id": row.account_id,
                "email": row.email,
                "display_name": row.display_name,
                "platform_admin": bool(row.is_admin),
                "disabled": bool(row.disabled),
                "created_at": row.created_at,
                "note": "The password is kept only as an argon2id hash: not exported.",
            },
            "preferences": {
                "language": prefs.language if prefs else None,
                "delivery": prefs.delivery if prefs else "immediate",
                "notifications_seen_at": prefs.notifications_seen_at if prefs else None,
            },
            "second_factor": {
                "enabled": bool(factor and factor.enabled_at),
                "enabled_at": factor.enabled_at if factor else None,
                "recovery_codes_left": int(codes_left or 0),
                "note": "The TOTP secret and the recovery codes are not exported: "
                "the secret is kept encrypted, the codes only as SHA-256 digests.",
            },
            "calendar_feed_created_at": has_feed,
            "sessions": [dict(s._mapping) for s in open_sessions],
            "invitations_received": [dict(i._mapping) for i in invited],
            "emails": [dict(m._mapping) for m in mails],
        }

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


def _erase_rows(connection: Connection, account_id: str, email: str) -> None:
    """Delete every row of the accounts store about one person (one transaction)."""
    tokens = select(sessions.c.session_hash).where(sessions.c.account_id == account_id)
    connection.execute(
        delete(pending_logins).where(
            (pending_logins.c.account_id == account_id)
            | pending_logins.c.session_hash.in_(tokens)
        )
    )
    for table in (sessions, preferences, calendar_feeds, password_resets):
        connection.execute(delete(table).where(table.c.account_id == account_id))
    for table in (totp_factors, recovery_codes):
        connection.execute(delete(table).where(table.c.account_id == account_id))
    connection.execute(
        delete(invitation_tokens).where(invitation_tokens.c.email == email)
    )
    mails = select(outbox_table.c.message_id).where(outbox_table.c.recipient == email)
    connection.execute(
        delete(outbox_reminders).where(outbox_reminders.c.message_id.in_(mails))
    )
    connection.execute(delete(outbox_table).where(outbox_table.c.recipient == email))
    connection.execute(delete(accounts).where(accounts.c.account_id == account_id))


def _end_pending_logins(connection: Connection, account_id: str) -> None:
    connection.execute(
        delete(pending_logins).where(pending_logins.c.account_id == account_id)
    )


def seal_clear_secrets(engine: Engine, box: SecretBox) -> int:
    """Move TOTP secrets kept in clear (the former ``second_factors`` table) into
    ``totp_factors``, sealed, then drop the old table. Returns how many moved.

    Idempotent: without the old table it does nothing. On PostgreSQL the caller
    holds the table-creation lock, so two processes never move the same rows.
    """
    if not inspect(engine).has_table(clear_second_factors.name):
        return 0
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # Overwrite the deleted rows' bytes instead of leaving them in free pages.
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        rows = connection.execute(select(clear_second_factors)).all()
        present = set(connection.scalars(select(totp_factors.c.account_id)))
        moved = [
            {
                "account_id": row.account_id,
                "sealed_secret": box.seal(row.secret, row.account_id),
                "created_at": row.created_at,
                "enabled_at": row.enabled_at,
                "last_step": row.last_step,
            }
            for row in rows
            if row.account_id not in present
        ]
        if moved:
            connection.execute(insert(totp_factors), moved)
        connection.execute(delete(clear_second_factors))
        clear_second_factors.drop(connection)
    logger.info("two_factor.secrets_sealed count=%d", len(moved))
    return len(moved)


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
