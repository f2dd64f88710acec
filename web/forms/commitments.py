"""The commitments' forms: a pledge, an amendment, a delivery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.values import ContributionKind, Funding, Pledge
from web.forms.fields import LONG, Fields


@dataclass(frozen=True)
class PledgeForm:
    """A commitment, as submitted."""

    partner_id: str
    pledge: Pledge


def parse_pledge(data: Mapping[str, str]) -> PledgeForm:
    """Parse the pledge form; raises ``FormErrors``.

    Shape only: what a pledge of each kind must say (a licence, a valuation
    method, a daily rate for staff time only) is ``Pledge.check``'s rule, which
    names the field it refuses.
    """
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    kind = f.choice("kind", ContributionKind)
    amount = f.amount("amount")
    daily_rate = f.amount("daily_rate", required=False)
    starts_on = f.day("starts_on", required=True)
    ends_on = f.day("ends_on", required=True)
    covers = f.text("covers", max_length=500)
    funding = f.choice("funding", Funding)
    licence = f.text("licence", max_length=200)
    method = f.text("valuation_method", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if (
        kind is None
        or amount is None
        or starts_on is None
        or ends_on is None
        or funding is None
    ):
        raise f.errors
    pledge = Pledge(
        kind,
        amount,
        starts_on,
        ends_on,
        covers,
        funding,
        daily_rate=daily_rate,
        licence=licence,
        valuation_method=method,
    )
    return PledgeForm(partner_id, pledge)


@dataclass(frozen=True)
class AmendmentForm:
    """A commitment's amendment, as submitted."""

    amount: Decimal
    starts_on: date
    ends_on: date
    reason: str


def parse_amendment(data: Mapping[str, str]) -> AmendmentForm:
    """Parse the amend form; raises ``FormErrors``."""
    f = Fields(data)
    amount = f.amount("amount")
    starts_on = f.day("starts_on", required=True)
    ends_on = f.day("ends_on", required=True)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if amount is None or starts_on is None or ends_on is None:
        raise f.errors
    return AmendmentForm(amount, starts_on, ends_on, reason)


@dataclass(frozen=True)
class DeliveryForm:
    """A delivered contribution, as submitted (the file is handled apart)."""

    delivered_on: date
    amount: Decimal
    description: str


def parse_delivery(data: Mapping[str, str], *, today: date) -> DeliveryForm:
    """Parse the delivery form; raises ``FormErrors``."""
    f = Fields(data)
    delivered_on = f.day("delivered_on") or today
    amount = f.amount("amount")
    description = f.text("description", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if amount is None:
        raise f.errors
    return DeliveryForm(delivered_on, amount, description)
