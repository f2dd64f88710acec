"""A person's data, gathered for them (GDPR access and portability) as JSON.

What the accounts store holds (account, preferences, second factor, sessions, the
invitations and e-mails sent to their address, their API tokens and the webhooks
they registered, never a secret), the roles they hold in each
consortium (from the members read model), and every event of the log they authored.
The events are read straight from the log, so nothing a read model forgot is missed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, func, select

from notifications.outbox import messages_to
from notifications.webhooks.tables import subscriptions
from projections.event_log import EventLog
from projections.members import memberships_of_account
from projections.runtime import ReadSide
from web.identity.tables import (
    accounts,
    api_tokens,
    calendar_feeds,
    invitation_tokens,
    preferences,
    recovery_codes,
    sessions,
    totp_factors,
)

BATCH = 500
# Bookkeeping every event has, reported in the envelope rather than in "data".
ENVELOPE_FIELDS = {"originator_id", "originator_version", "timestamp", "actor_id"}


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates in ISO 8601, enums by value…)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID | Decimal | Fraction):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def events_by(log: EventLog, account_id: str) -> Iterator[dict[str, Any]]:
    """Every event of the log whose author is ``account_id``, oldest first."""
    after = 0
    while True:
        batch = log.read(after, BATCH)
        if not batch:
            return
        for envelope in batch:
            event = envelope.event
            if getattr(event, "actor_id", None) != account_id:
                continue
            yield {
                "position": envelope.position,
                "type": type(event).__qualname__,
                "aggregate_id": str(event.originator_id),
                "aggregate_version": event.originator_version,
                "recorded_at": plain(event.timestamp),
                "data": {
                    k: plain(v)
                    for k, v in vars(event).items()
                    if k not in ENVELOPE_FIELDS
                },
            }
        after = batch[-1].position


def personal_data(
    accounts: Engine, read_side: ReadSide, account_id: str, *, now: datetime
) -> dict[str, Any]:
    """Everything the platform holds about one person, ready for ``json.dumps``.

    ``accounts`` is the accounts store's engine (which also holds the outbox).
    """
    with read_side.engine.connect() as connection:
        roles = memberships_of_account(connection, account_id)
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "about": "Consortium Ledger: personal data export (GDPR articles 15 and 20)",
        **plain(held_about(accounts, account_id)),
        "memberships": [plain(dataclasses.asdict(m)) for m in roles],
        "events_authored": list(events_by(read_side.log, account_id)),
    }
    return data


def held_about(engine: Engine, account_id: str) -> dict[str, object]:
    """What the accounts store holds about a person (for their export)."""
    with engine.connect() as connection:
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
            select(sessions.c.created_at, sessions.c.last_seen, sessions.c.expires_at)
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
        mails = messages_to(connection, row.email)
        tokens = connection.execute(
            select(
                api_tokens.c.name,
                api_tokens.c.scope,
                api_tokens.c.consortium_id,
                api_tokens.c.created_at,
                api_tokens.c.last_used_at,
                api_tokens.c.revoked_at,
            )
            .where(api_tokens.c.account_id == account_id)
            .order_by(api_tokens.c.created_at)
        ).all()
        hooks = connection.execute(
            select(
                subscriptions.c.scope,
                subscriptions.c.owner_id,
                subscriptions.c.url,
                subscriptions.c.kinds,
                subscriptions.c.paused,
                subscriptions.c.created_at,
                subscriptions.c.secret_rotated_at,
            )
            .where(subscriptions.c.created_by == account_id)
            .order_by(subscriptions.c.created_at)
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
        # Names only: the secrets are kept as SHA-256 digests and never exported.
        "api_tokens": [dict(t._mapping) for t in tokens],
        # The signing secrets are sealed and never exported.
        "webhooks_registered": [
            {**h._mapping, "kinds": h.kinds.split(), "paused": bool(h.paused)}
            for h in hooks
        ],
        "invitations_received": [dict(i._mapping) for i in invited],
        "emails": mails,
    }


def as_json(data: dict[str, Any]) -> bytes:
    """The export as indented UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode()
