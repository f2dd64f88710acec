"""The arithmetic of a grant's tranches: paid, due and remaining, balance, recovery.

Pure functions over the grant's terms, schedule, payments and recoveries, the
consortium's accepted expenses and which tranches' conditions hold: the service uses
them to refuse a payment above what is due, the read side to show the schedule.

- An advance or an interim payment is due, once its condition holds, up to its
  planned amount less what was paid on it (never beyond the grant).
- The balance: the accepted expenses × the rate, capped at the grant, less what was
  paid (net of recoveries) on every tranche.
- A recovery is due when the final report is accepted and the accepted expenses ×
  the rate fall short of what was paid.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from governance.financing.grant_values import (
    GrantTerms,
    Payment,
    Recovery,
    Tranche,
    TrancheKind,
)
from governance.financing.values import HUNDRED, to_cents

ZERO = Decimal(0)


@dataclass(frozen=True)
class TrancheFigures:
    """One tranche: what the schedule plans, what was paid, what is due now."""

    tranche: Tranche
    planned: Decimal
    paid: Decimal
    due: Decimal
    ready: bool
    """Whether its condition holds in the log."""

    @property
    def remaining(self) -> Decimal:
        """What is left of the tranche to pay (never below zero)."""
        return max(self.planned - self.paid, ZERO)


@dataclass(frozen=True)
class FundingFigures:
    """The whole grant: per tranche, and the totals."""

    terms: GrantTerms
    tranches: tuple[TrancheFigures, ...]
    accepted_expenses: Decimal
    entitled: Decimal
    """Accepted expenses × rate, capped at the grant."""
    paid: Decimal
    recovered: Decimal
    recovery_due: Decimal

    @property
    def received(self) -> Decimal:
        """What the consortium holds of the grant: paid less recovered."""
        return self.paid - self.recovered

    @property
    def remaining(self) -> Decimal:
        """What the grant still may pay."""
        return max(self.terms.amount - self.received, ZERO)

    def of(self, tranche_id: str) -> TrancheFigures | None:
        return next(
            (t for t in self.tranches if t.tranche.tranche_id == tranche_id), None
        )


def entitled_to(terms: GrantTerms, accepted_expenses: Decimal) -> Decimal:
    """Accepted expenses × rate, to the cent, capped at the grant."""
    return min(to_cents(accepted_expenses * terms.rate / HUNDRED), terms.amount)


def planned_amounts(terms: GrantTerms, tranches: Sequence[Tranche]) -> list[Decimal]:
    """What each tranche plans; the balance is what the grant leaves after the rest."""
    fixed = sum((t.amount for t in tranches if t.kind is not TrancheKind.BALANCE), ZERO)
    left = max(terms.amount - fixed, ZERO)
    return [left if t.kind is TrancheKind.BALANCE else t.amount for t in tranches]


def funding_figures(
    terms: GrantTerms,
    tranches: Sequence[Tranche],
    payments: Sequence[Payment],
    recoveries: Sequence[Recovery],
    accepted_expenses: Decimal,
    ready: Collection[str],
) -> FundingFigures:
    """Every tranche's figures; ``ready`` names the tranches whose condition holds."""
    paid_on: dict[str, Decimal] = {}
    for payment in payments:
        paid_on[payment.tranche_id] = (
            paid_on.get(payment.tranche_id, ZERO) + payment.amount
        )
    paid = sum(paid_on.values(), ZERO)
    recovered = sum((r.amount for r in recoveries), ZERO)
    received = paid - recovered
    room = max(terms.amount - received, ZERO)
    entitled = entitled_to(terms, accepted_expenses)
    rows = []
    final_ready = False
    for tranche, planned in zip(
        tranches, planned_amounts(terms, tranches), strict=True
    ):
        is_ready = tranche.tranche_id in ready
        already = paid_on.get(tranche.tranche_id, ZERO)
        due = ZERO
        if is_ready and tranche.kind is TrancheKind.BALANCE:
            final_ready = True
            due = max(entitled - received, ZERO)
        elif is_ready:
            due = min(max(planned - already, ZERO), room)
        rows.append(TrancheFigures(tranche, planned, already, due, is_ready))
    recovery_due = max(received - entitled, ZERO) if final_ready else ZERO
    return FundingFigures(
        terms,
        tuple(rows),
        accepted_expenses,
        entitled,
        paid,
        recovered,
        recovery_due,
    )
