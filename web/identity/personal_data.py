"""A person's data, gathered for them (GDPR access and portability) as JSON.

What the accounts store holds (account, preferences, second factor, sessions, the
invitations and e-mails sent to their address), the roles they hold in each
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
from typing import Any
from uuid import UUID

from projections.members import memberships_of_account
from projections.runtime import EventLog
from web.ops.storage import Stores

BATCH = 500
# Bookkeeping every event has, reported in the envelope rather than in "data".
ENVELOPE_FIELDS = {"originator_id", "originator_version", "timestamp", "actor_id"}


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates in ISO 8601, enums by value…)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID | Decimal):
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


def personal_data(stores: Stores, account_id: str, *, now: datetime) -> dict[str, Any]:
    """Everything the platform holds about one person, ready for ``json.dumps``."""
    with stores.read_side.engine.connect() as connection:
        roles = memberships_of_account(connection, account_id)
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "about": "Consortium Ledger: personal data export (GDPR articles 15 and 20)",
        **plain(stores.accounts.personal_data(account_id)),
        "memberships": [plain(dataclasses.asdict(m)) for m in roles],
        "events_authored": list(events_by(stores.read_side.log, account_id)),
    }
    return data


def as_json(data: dict[str, Any]) -> bytes:
    """The export as indented UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode()
