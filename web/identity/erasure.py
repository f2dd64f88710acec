"""Erasing an account (GDPR), the accounts store's part: its rows about a person go,
its id stays as a pseudonym.

Every row that holds the person's personal data is deleted and only the id is kept
in ``erased_accounts``: the event log, which holds ids and never names, stays
untouched (so the audit chain still verifies), and pages name the erased person
"Former member #N", N derived from the id. The use case that erases
(``web/usecases/erasure.py``) runs this in one transaction with the outbox's part
(the e-mails queued to the person) and then clears the throttle's counts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from web.i18n import N_, gettext_
from web.identity.tables import (
    accounts,
    api_tokens,
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


def former_member_number(account_id: str) -> int:
    """A stable short number for an erased person, derived from the account id."""
    return int(hashlib.sha256(account_id.encode()).hexdigest()[:8], 16) % 1_000_000


def former_member_name(account_id: str) -> str:
    """How pages name an erased person: "Former member #N"."""
    return gettext_(N_("Former member #%(number)d")) % {
        "number": former_member_number(account_id)
    }


def erase_person(
    connection: Connection, account_id: str, *, now: datetime
) -> str | None:
    """Delete the account's rows and keep its id as erased, in the caller's
    transaction; returns the account's e-mail address (for the other stores to
    forget), None if there is no such account (erased already, or never was).

    Deleted: the account (e-mail, name, password hash), its sessions and
    half-finished logins, preferences, calendar feed, reset links, second factor,
    personal access tokens (so none of them opens anything any more) and the
    invitations sent to its address.
    """
    email = connection.scalar(
        select(accounts.c.email).where(accounts.c.account_id == account_id)
    )
    if email is None:
        return None
    _erase_rows(connection, account_id, email)
    connection.execute(
        insert(erased_accounts).values(account_id=account_id, erased_at=now)
    )
    return str(email)


def _erase_rows(connection: Connection, account_id: str, email: str) -> None:
    """Delete every row of the accounts store about one person (one transaction)."""
    tokens = select(sessions.c.session_hash).where(sessions.c.account_id == account_id)
    connection.execute(
        delete(pending_logins).where(
            (pending_logins.c.account_id == account_id)
            | pending_logins.c.session_hash.in_(tokens)
        )
    )
    for table in (sessions, preferences, calendar_feeds, password_resets, api_tokens):
        connection.execute(delete(table).where(table.c.account_id == account_id))
    for table in (totp_factors, recovery_codes):
        connection.execute(delete(table).where(table.c.account_id == account_id))
    connection.execute(
        delete(invitation_tokens).where(invitation_tokens.c.email == email)
    )
    connection.execute(delete(accounts).where(accounts.c.account_id == account_id))
