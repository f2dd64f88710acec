"""A financing plan's content as JSON text, exact: the read model's storage of rules
and filed versions.

Decimals go as strings and come back exact, dates as ISO strings, enums by value.
Only the read side reads this text; the event store keeps its own encoding.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from governance.financing.values import (
    CommittedContribution,
    CostCategory,
    ExpenseLine,
    FundingRules,
    IndirectBase,
    PlanContent,
    PublicFunder,
    ResourceLine,
    ResourceSource,
)
from governance.values import ContributionKind, Funding


def _plain(record: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        if isinstance(value, Decimal | date):
            value = str(value) if isinstance(value, Decimal) else value.isoformat()
        elif isinstance(value, tuple):
            value = [v.value for v in value]
        elif isinstance(value, Enum):
            value = value.value
        out[f.name] = value
    return out


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def rules_to_json(rules: FundingRules) -> str:
    """Funding rules as JSON text."""
    return json.dumps(_plain(rules), sort_keys=True)


def _rules(data: dict[str, Any]) -> FundingRules:
    return FundingRules(
        max_funder_rate=_decimal(data["max_funder_rate"]),
        max_partner_rate=_decimal(data["max_partner_rate"]),
        min_cofinancing=_decimal(data["min_cofinancing"]),
        eligible_from=_day(data["eligible_from"]),
        eligible_until=_day(data["eligible_until"]),
        eligible_categories=tuple(CostCategory(c) for c in data["eligible_categories"]),
        indirect_rate=_decimal(data["indirect_rate"]),
        indirect_base=IndirectBase(data["indirect_base"]),
        equipment_cap=_decimal(data["equipment_cap"]),
        # Rules stored before the reallocation share existed keep its default.
        reallocation_share=Decimal(data.get("reallocation_share", "20")),
    )


def rules_from_json(text: str) -> FundingRules:
    """Funding rules back from ``rules_to_json``."""
    return _rules(json.loads(text))


def _expense(data: dict[str, Any]) -> ExpenseLine:

    return ExpenseLine(
        data["line_id"],
        data["partner_id"],
        CostCategory(data["category"]),
        data["label"],
        Decimal(data["amount"]),
        _decimal(data["person_days"]),
        _decimal(data["daily_rate"]),
        data["year"],
        data["work_package"],
    )


def _resource(data: dict[str, Any]) -> ResourceLine:

    funder = data["public_funder"]
    return ResourceLine(
        data["line_id"],
        data["partner_id"],
        ResourceSource(data["source"]),
        data["label"],
        Decimal(data["amount"]),
        PublicFunder(funder) if funder is not None else None,
        data["year"],
    )


def _contribution(data: dict[str, Any]) -> CommittedContribution:
    return CommittedContribution(
        data["commitment_id"],
        data["partner_id"],
        ContributionKind(data["kind"]),
        Funding(data["funding"]),
        _decimal(data["euros"]),
        data["covers"],
    )


def content_to_json(content: PlanContent) -> str:
    """A plan's content (a filed version) as JSON text."""
    return json.dumps(
        {
            "expenses": [_plain(line) for line in content.expenses],
            "resources": [_plain(line) for line in content.resources],
            "contributions": [_plain(c) for c in content.contributions],
            "rules": _plain(content.rules),
        },
        sort_keys=True,
    )


def content_from_json(text: str) -> PlanContent:
    """A plan's content back from ``content_to_json``."""
    data = json.loads(text)
    return PlanContent(
        tuple(_expense(d) for d in data["expenses"]),
        tuple(_resource(d) for d in data["resources"]),
        tuple(_contribution(d) for d in data["contributions"]),
        _rules(data["rules"]),
    )
