"""Invitation tokens: the e-mail an invitation was sent to and its one-time link.

The invitation itself is an event of the consortium; only what is personal (the
address) or secret (the token, stored hashed) is kept here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from web.identity.accounts import normalise_email
from web.identity.tables import invitation_tokens
from web.identity.tokens import digest


@dataclass(frozen=True)
class InvitationToken:
    """What a one-time invitation link stands for."""

    invitation_id: str
    consortium_id: str
    email: str
    expires_at: datetime
    used_at: datetime | None


class InvitationStore:
    """The ``invitation_tokens`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        with self.engine.begin() as connection:
            return insert_invitation_token(
                connection,
                invitation_id=invitation_id,
                consortium_id=consortium_id,
                email=email,
                expires_at=expires_at,
                now=now,
            )

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
            return spend_invitation_token(connection, token, now=now)


def insert_invitation_token(
    connection: Connection,
    *,
    invitation_id: str,
    consortium_id: str,
    email: str,
    expires_at: datetime,
    now: datetime,
) -> str:
    """Keep an invitation's e-mail and a new token in the caller's transaction (a use
    case that queues its e-mail in the same one); returns the token for the link."""
    token = secrets.token_urlsafe(32)
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


def spend_invitation_token(
    connection: Connection, token: str, *, now: datetime
) -> bool:
    """Mark the token used in the caller's transaction; False if it was used already.

    The row stays locked until the transaction ends: a copy of the request waits,
    then finds it used.
    """
    result = connection.execute(
        update(invitation_tokens)
        .where(
            invitation_tokens.c.token_hash == digest(token),
            invitation_tokens.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1
