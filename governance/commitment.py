"""The Commitment aggregate: what one partner pledged, its amendments, its deliveries.

One aggregate per commitment keeps histories short. Nothing is overwritten: an
amendment or a withdrawal is a new event with its reason. Money and quantities are
``Decimal``; the unit is fixed by the kind. Who may act for which partner is the
service's business (it needs the consortium's memberships).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.values import (
    UNIT_OF_KIND,
    ContributionKind,
    Evidence,
    Funding,
    Pledge,
    Unit,
    check_amount,
    check_period,
)


@dataclass
class Delivery:
    """A contribution delivered against the commitment."""

    contribution_id: str
    delivered_on: date
    amount: Decimal
    description: str
    evidence: Evidence | None


class Commitment(Aggregate):
    """One partner's pledge of money, time, equipment, logistics or data."""

    class Pledged(GovernanceCreated):
        consortium_id: str
        partner_id: str
        kind: ContributionKind
        unit: Unit
        amount: Decimal
        daily_rate: Decimal | None
        starts_on: date
        ends_on: date
        covers: str
        funding: Funding
        licence: str
        valuation_method: str

    class Amended(GovernanceEvent):
        amount: Decimal
        starts_on: date
        ends_on: date
        reason: str

    class Withdrawn(GovernanceEvent):
        on: date
        reason: str

    class ContributionDelivered(GovernanceEvent):
        contribution_id: str
        delivered_on: date
        amount: Decimal
        description: str
        evidence: Evidence | None

    @event(Pledged)
    def __init__(
        self,
        consortium_id: str,
        partner_id: str,
        kind: ContributionKind,
        unit: Unit,
        amount: Decimal,
        daily_rate: Decimal | None,
        starts_on: date,
        ends_on: date,
        covers: str,
        funding: Funding,
        licence: str,
        valuation_method: str,
    ) -> None:
        self.consortium_id = consortium_id
        self.partner_id = partner_id
        self.kind = kind
        self.unit = unit
        self.amount = amount
        self.daily_rate = daily_rate
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.covers = covers
        self.funding = funding
        self.licence = licence
        self.valuation_method = valuation_method
        self.withdrawn_on: date | None = None
        self.deliveries: list[Delivery] = []

    @classmethod
    def pledge(cls, consortium_id: str, partner_id: str, pledge: Pledge) -> Commitment:
        """Record a partner's commitment."""
        pledge.check()
        return cls(
            consortium_id=consortium_id,
            partner_id=partner_id,
            kind=pledge.kind,
            unit=UNIT_OF_KIND[pledge.kind],
            amount=pledge.amount,
            daily_rate=pledge.daily_rate,
            starts_on=pledge.starts_on,
            ends_on=pledge.ends_on,
            covers=pledge.covers.strip(),
            funding=pledge.funding,
            licence=pledge.licence.strip(),
            valuation_method=pledge.valuation_method.strip(),
        )

    def amend(
        self, amount: Decimal, starts_on: date, ends_on: date, reason: str
    ) -> None:
        """Change the amount or period; the reason is mandatory."""
        self._check_open()
        check_amount(amount)
        check_period(starts_on, ends_on)
        if not reason.strip():
            raise RuleViolated("commitment.reason_required", field="reason")
        if (amount, starts_on, ends_on) == (self.amount, self.starts_on, self.ends_on):
            # Shown next to the amount, the first thing an amendment changes.
            raise RuleViolated("commitment.unchanged", field="amount")
        self._amend(
            amount=amount, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
        )

    @event(Amended)
    def _amend(
        self, amount: Decimal, starts_on: date, ends_on: date, reason: str
    ) -> None:
        self.amount, self.starts_on, self.ends_on = amount, starts_on, ends_on

    def withdraw(self, on: date, reason: str) -> None:
        """Withdraw the commitment; what was delivered stays delivered."""
        self._check_open()
        if not reason.strip():
            raise RuleViolated("commitment.reason_required", field="reason")
        self._withdraw(on=on, reason=reason.strip())

    @event(Withdrawn)
    def _withdraw(self, on: date, reason: str) -> None:
        self.withdrawn_on = on

    def deliver(
        self,
        contribution_id: str,
        delivered_on: date,
        amount: Decimal,
        description: str,
        evidence: Evidence | None,
    ) -> None:
        """Record what was delivered; delivering beyond the pledge is allowed."""
        self._check_open()
        check_amount(amount)
        if not description.strip():
            raise RuleViolated("contribution.description_required", field="description")
        if delivered_on < self.starts_on:
            raise RuleViolated(
                "contribution.before_period",
                field="delivered_on",
                starts_on=self.starts_on,
            )
        if any(d.contribution_id == contribution_id for d in self.deliveries):
            raise RuleViolated("contribution.duplicate_id")
        self._deliver(
            contribution_id=contribution_id,
            delivered_on=delivered_on,
            amount=amount,
            description=description.strip(),
            evidence=evidence,
        )

    @event(ContributionDelivered)
    def _deliver(
        self,
        contribution_id: str,
        delivered_on: date,
        amount: Decimal,
        description: str,
        evidence: Evidence | None,
    ) -> None:
        self.deliveries.append(
            Delivery(contribution_id, delivered_on, amount, description, evidence)
        )

    @property
    def delivered(self) -> Decimal:
        """Everything delivered so far, in the commitment's unit."""
        return sum((d.amount for d in self.deliveries), Decimal(0))

    def _check_open(self) -> None:
        if self.withdrawn_on is not None:
            raise RuleViolated("commitment.withdrawn")
