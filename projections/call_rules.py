"""The call's rules read model: each consortium's rules in force, as exact JSON text.

Feeds the call's page, its checks and the application file. The rulebook's id is
derived from the consortium's (``call_rules_id``); the row is keyed by the
consortium. Amounts go as strings and come back exact on every backend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, String, Table, Text, select

from governance import events
from governance.call.values import CallRules
from governance.values import PartnerKind
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.budget_json import rules_from_json, rules_to_json
from projections.buffer import add_row, update_rows

call_rules = Table(
    "call_rules",
    metadata,
    Column("rulebook_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, unique=True),
    Column("rules", Text),
    Column("recorded_at", UtcDateTime),
)


@dataclass(frozen=True)
class CallRulesRow:
    """The rules in force and when they were recorded."""

    rules: CallRules
    recorded_at: datetime


def call_rules_to_json(rules: CallRules) -> str:
    """The call's rules as JSON text (the funding part as the plan's rules are)."""

    def text(value: object) -> str | None:
        if value is None:
            return None
        return value.isoformat() if isinstance(value, date) else str(value)

    return json.dumps(
        {
            "eligible_kinds": [k.value for k in rules.eligible_kinds],
            "lead_kinds": [k.value for k in rules.lead_kinds],
            "budget_floor": text(rules.budget_floor),
            "budget_ceiling": text(rules.budget_ceiling),
            "max_duration_months": rules.max_duration_months,
            "selection_committee_on": text(rules.selection_committee_on),
            "contact_name": rules.contact_name,
            "contact_email": rules.contact_email,
            "funding": rules_to_json(rules.funding),
        },
        sort_keys=True,
    )


def call_rules_from_json(text: str) -> CallRules:
    """The call's rules back from ``call_rules_to_json``."""
    data: dict[str, Any] = json.loads(text)

    def amount(name: str) -> Decimal | None:
        return Decimal(data[name]) if data.get(name) is not None else None

    committee = data.get("selection_committee_on")
    return CallRules(
        eligible_kinds=tuple(PartnerKind(k) for k in data["eligible_kinds"]),
        lead_kinds=tuple(PartnerKind(k) for k in data["lead_kinds"]),
        budget_floor=amount("budget_floor"),
        budget_ceiling=amount("budget_ceiling"),
        max_duration_months=data.get("max_duration_months"),
        selection_committee_on=date.fromisoformat(committee) if committee else None,
        contact_name=data.get("contact_name", ""),
        contact_email=data.get("contact_email", ""),
        funding=rules_from_json(data["funding"]),
    )


class CallRulesProjection(Projection):
    """The call's rules of each consortium."""

    name: ClassVar[str] = "call_rules"
    tables: ClassVar[tuple[Table, ...]] = (call_rules,)

    @on(events.CallRulebookOpened)
    def opened(
        self, connection: Connection, envelope: Envelope[events.CallRulebookOpened]
    ) -> None:
        add_row(
            connection,
            call_rules,
            {
                "rulebook_id": envelope.originator_id,
                "consortium_id": envelope.event.consortium_id,
                "rules": None,
                "recorded_at": None,
            },
        )

    @on(events.CallRulesRecorded)
    def recorded(
        self, connection: Connection, envelope: Envelope[events.CallRulesRecorded]
    ) -> None:
        update_rows(
            connection,
            call_rules,
            {"rulebook_id": envelope.originator_id},
            {
                "rules": call_rules_to_json(envelope.event.rules),
                "recorded_at": envelope.recorded_at,
            },
        )


def call_rules_of(connection: Connection, consortium_id: str) -> CallRulesRow | None:
    """The consortium's call rules in force, or None when none were recorded."""
    row = connection.execute(
        select(call_rules.c.rules, call_rules.c.recorded_at).where(
            call_rules.c.consortium_id == consortium_id
        )
    ).first()
    if row is None or row.rules is None:
        return None
    return CallRulesRow(call_rules_from_json(row.rules), row.recorded_at)
