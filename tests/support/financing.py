"""Builders of financing-plan values: an expense, a resource, funding rules, a
commitment as the plan counts it. Fictional figures; one knob per thing a test
varies."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from governance.financing.values import (
    CommittedContribution,
    CostCategory,
    Expense,
    FundingRules,
    ResourceSource,
)
from governance.financing.values import Resource as PlannedResource
from governance.values import ContributionKind, Funding

LEAD = "p-lead"
LAB = "p-lab"


def an_expense(**overrides: Any) -> Expense:
    """Travel of the lead partner: 1,000 € in 2026, work package 1."""
    expense = Expense(
        partner_id=LEAD,
        category=CostCategory.TRAVEL,
        label="Déplacements des médiateurs",
        amount=Decimal("1000.00"),
        year=2026,
        work_package="Lot 1",
    )
    return replace(expense, **overrides)


def staff_days(days: str, rate: str, **overrides: Any) -> Expense:
    """Staff of the lead partner given as person-days × daily rate."""
    given: dict[str, Any] = {
        "category": CostCategory.STAFF,
        "label": "Chef de projet",
        "amount": None,
        "person_days": Decimal(days),
        "daily_rate": Decimal(rate),
    }
    return an_expense(**{**given, **overrides})


def a_resource(**overrides: Any) -> PlannedResource:
    """The grant requested from the call's funder for the lead partner."""
    resource = PlannedResource(
        partner_id=LEAD,
        source=ResourceSource.REQUESTED,
        amount=Decimal("700.00"),
        label="Subvention sollicitée",
    )
    return replace(resource, **overrides)


def rules(**overrides: Any) -> FundingRules:
    """Funding rules with nothing set but what the test sets."""
    return replace(FundingRules(), **overrides)


def committed(
    euros: str | None,
    *,
    partner_id: str = LEAD,
    kind: ContributionKind = ContributionKind.IN_KIND,
    funding: Funding = Funding.CO_FINANCING,
    commitment_id: str = "c-1",
) -> CommittedContribution:
    """A partner's commitment, valued (None: staff time without a rate)."""
    return CommittedContribution(
        commitment_id,
        partner_id,
        kind,
        funding,
        Decimal(euros) if euros is not None else None,
        "Salles",
    )
