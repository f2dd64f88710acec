"""Erasing an account (GDPR): its personal data goes, its id stays as a pseudonym.

Every row that holds the person's personal data is deleted and only the id is kept
in ``erased_accounts``: the event log, which holds ids and never names, stays
untouched (so the audit chain still verifies), and pages name the erased person
"Former member #N", N derived from the id. The e-mails queued to the person are the
outbox's rows: it forgets them itself (``notifications.outbox.forget_recipient``),
in the same transaction.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine, delete, insert, select

from governance.clock import Clock
from notifications.outbox import forget_recipient
from web.i18n import N_, gettext_
from web.identity.tables import (
    accounts,
    calendar_feeds,
    erased_accounts,
    invitation_tokens,
    password_resets,
    pending_logins,
    preferences,
    recovery_codes,
    sessions,
    totp_factors,
)
from web.identity.throttle import (
    LOGIN_ACCOUNT,
    REAUTHENTICATE,
    RESET_EMAIL,
    SECOND_FACTOR,
    Throttle,
)


def former_member_number(account_id: str) -> int:
    """A stable short number for an erased person, derived from the account id."""
    return int(hashlib.sha256(account_id.encode()).hexdigest()[:8], 16) % 1_000_000


def former_member_name(account_id: str) -> str:
    """How pages name an erased person: "Former member #N"."""
    return gettext_(N_("Former member #%(number)d")) % {
        "number": former_member_number(account_id)
    }


class Erasure:
    """Erases accounts from the accounts store, the outbox and the throttle."""

    def __init__(self, engine: Engine, throttle: Throttle, clock: Clock) -> None:
        self.engine = engine
        self.throttle = throttle
        self.clock = clock

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
                    account_id=account_id, erased_at=self.clock.now()
                )
            )
        for limit in (LOGIN_ACCOUNT, RESET_EMAIL):
            self.throttle.forget(limit, email)
        for limit in (SECOND_FACTOR, REAUTHENTICATE):
            self.throttle.forget(limit, account_id)
        return True


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
    forget_recipient(connection, email)
    connection.execute(delete(accounts).where(accounts.c.account_id == account_id))
