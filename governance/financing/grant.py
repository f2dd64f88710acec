"""The Grant aggregate: the funder's grant to a consortium and the money it paid.

One grant per consortium (its id derived from the consortium's). The financer sets
it up with its schedule of tranches, then records each payment and, when accepted
expenses fall short, a recovery. Whether a tranche's condition holds is read from the
log by the service, which hands the aggregate what released the payment and the
figures it is checked against; the aggregate refuses a payment above what is due.
Nothing is overwritten: a recovery is a new event, never a payment undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.financing.funding_figures import FundingFigures
from governance.financing.grant_values import (
    MAX_TRANCHES,
    GrantTerms,
    Payment,
    PlannedTranche,
    Recovery,
    Release,
    Tranche,
    TrancheKind,
    check_paid_amount,
    grant_id,
)

MAX_REASON = 2000


class Grant(Aggregate):
    """The convention's grant (subvention) and its schedule of payments."""

    class Set(GovernanceCreated):
        consortium_id: str
        terms: GrantTerms
        tranches: tuple[Tranche, ...]

    class PaymentRecorded(GovernanceEvent):
        payment: Payment

    class RecoveryRecorded(GovernanceEvent):
        recovery: Recovery

    @staticmethod
    def create_id(consortium_id: str) -> UUID:
        """One grant per consortium."""
        return grant_id(consortium_id)

    @event(Set)
    def __init__(
        self, consortium_id: str, terms: GrantTerms, tranches: tuple[Tranche, ...]
    ) -> None:
        self.consortium_id = consortium_id
        self.terms = terms
        self.tranches = tuple(tranches)
        self.payments: list[Payment] = []
        self.recoveries: list[Recovery] = []

    @classmethod
    def set_up(
        cls,
        consortium_id: str,
        terms: GrantTerms,
        planned: Sequence[PlannedTranche],
        tranche_ids: Sequence[str],
    ) -> Grant:
        """The grant and its schedule, checked: at most one advance and one
        balance (the last), the tranches' amounts within the grant."""
        if not planned:
            raise RuleViolated("grant.no_tranche")
        if len(planned) > MAX_TRANCHES:
            raise RuleViolated("grant.too_many_tranches", limit=MAX_TRANCHES)
        checked = terms.checked()
        tranches = tuple(
            p.tranche(i) for p, i in zip(planned, tranche_ids, strict=True)
        )
        kinds = [t.kind for t in tranches]
        if kinds.count(TrancheKind.ADVANCE) > 1:
            raise RuleViolated("grant.one_advance")
        if kinds.count(TrancheKind.BALANCE) > 1:
            raise RuleViolated("grant.one_balance")
        if TrancheKind.BALANCE in kinds and kinds[-1] is not TrancheKind.BALANCE:
            raise RuleViolated("grant.balance_last")
        fixed = sum((t.amount for t in tranches), Decimal(0))
        if fixed > checked.amount:
            raise RuleViolated("grant.tranches_over_grant", field="amount")
        return cls(consortium_id=consortium_id, terms=checked, tranches=tranches)

    def tranche(self, tranche_id: str) -> Tranche:
        """A tranche of the schedule (refused when unknown)."""
        found = next((t for t in self.tranches if t.tranche_id == tranche_id), None)
        if found is None:
            raise RuleViolated("tranche.unknown", field="tranche_id")
        return found

    def record_payment(
        self,
        payment_id: str,
        tranche_id: str,
        amount: Decimal,
        paid_on: date,
        figures: FundingFigures,
        release: Release,
    ) -> None:
        """Record a payment of a tranche whose condition holds, up to what is due.

        ``figures`` are the grant's as the service computed them from the log (the
        tranches ready); ``release`` says what released the payment.
        """
        tranche = self.tranche(tranche_id)
        check_paid_amount(amount)
        row = figures.of(tranche.tranche_id)
        if row is None or not row.ready:
            raise RuleViolated("tranche.condition_not_met", field="tranche_id")
        if amount > row.due:
            raise RuleViolated("payment.above_due", field="amount", due=row.due)
        self._pay(
            payment=Payment(
                payment_id,
                tranche.tranche_id,
                amount,
                paid_on,
                release,
                figures.accepted_expenses,
            )
        )

    @event(PaymentRecorded)
    def _pay(self, payment: Payment) -> None:
        self.payments.append(payment)

    def record_recovery(
        self,
        recovery_id: str,
        amount: Decimal,
        recovered_on: date,
        reason: str,
        figures: FundingFigures,
        release: Release,
    ) -> None:
        """Record money taken back, up to what accepted expenses × rate leave due."""
        check_paid_amount(amount)
        if figures.recovery_due <= 0:
            raise RuleViolated("recovery.nothing_due")
        if amount > figures.recovery_due:
            raise RuleViolated(
                "recovery.above_due", field="amount", due=figures.recovery_due
            )
        text = reason.strip()
        if not text:
            raise RuleViolated("recovery.reason_required", field="reason")
        if len(text) > MAX_REASON:
            raise RuleViolated("plan.text_too_long", field="reason", limit=MAX_REASON)
        self._recover(
            recovery=Recovery(
                recovery_id,
                amount,
                recovered_on,
                text,
                figures.accepted_expenses,
                release,
            )
        )

    @event(RecoveryRecorded)
    def _recover(self, recovery: Recovery) -> None:
        self.recoveries.append(recovery)
