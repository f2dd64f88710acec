"""The words of a funder's grant: its terms, its tranches, payments and recoveries.

The convention's grant is an amount, a rate (the share of the accepted expenses the
funder pays, a percent) and an eligible period; it is paid in tranches, each
released by a condition: the convention signed (the advance), an interim report and
its expense statements accepted (an interim payment), the final report and its
statements accepted (the balance). Money is ``Decimal`` euros in whole cents; every
record checks itself and raises ``RuleViolated`` naming the input it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID, uuid5

from governance.errors import RuleViolated
from governance.financing.values import MAX_TEXT, check_rate
from governance.values import check_amount

# Fixed forever: changing it would give every consortium a second, empty grant.
GRANT_NAMESPACE = UUID("9d3e6a1f-52c4-4b7e-a8d0-6c1f2e9b3a75")
MAX_TRANCHES = 24


def grant_id(consortium_id: str) -> UUID:
    """The id of a consortium's grant (one per consortium)."""
    return uuid5(GRANT_NAMESPACE, f"/consortia/{consortium_id}/grant")


class TrancheKind(Enum):
    """Which payment of the schedule a tranche is."""

    ADVANCE = "advance"
    INTERIM = "interim"
    BALANCE = "balance"


class TrancheCondition(Enum):
    """What must hold in the log before a tranche may be paid."""

    CONVENTION_SIGNED = "convention_signed"
    REPORT_ACCEPTED = "report_accepted"
    FINAL_REPORT_ACCEPTED = "final_report_accepted"


CONDITION_OF: dict[TrancheKind, TrancheCondition] = {
    TrancheKind.ADVANCE: TrancheCondition.CONVENTION_SIGNED,
    TrancheKind.INTERIM: TrancheCondition.REPORT_ACCEPTED,
    TrancheKind.BALANCE: TrancheCondition.FINAL_REPORT_ACCEPTED,
}
"""Each kind's condition: the advance at signature, an interim payment on an
accepted interim report, the balance on the accepted final report."""


@dataclass(frozen=True)
class GrantTerms:
    """The convention's grant: how much at most, at what rate, for which period."""

    amount: Decimal
    rate: Decimal
    eligible_from: date | None = None
    eligible_until: date | None = None

    def checked(self) -> GrantTerms:
        """The terms, checked."""
        check_amount(self.amount, "amount")
        check_rate(self.rate, "rate")
        if (
            self.eligible_from is not None
            and self.eligible_until is not None
            and self.eligible_until < self.eligible_from
        ):
            raise RuleViolated("period.ends_before_start", field="eligible_until")
        return self


@dataclass(frozen=True)
class Tranche:
    """One payment of the schedule, as recorded.

    ``amount`` is what the schedule plans (for the balance: what the grant leaves
    after the other tranches); ``obligation_id`` names the report whose acceptance
    releases it (empty for the advance).
    """

    tranche_id: str
    kind: TrancheKind
    label: str
    amount: Decimal
    obligation_id: str = ""

    @property
    def condition(self) -> TrancheCondition:
        return CONDITION_OF[self.kind]


@dataclass(frozen=True)
class PlannedTranche:
    """A tranche as the financer gives it (the balance's amount is computed)."""

    kind: TrancheKind
    label: str
    amount: Decimal | None = None
    obligation_id: str = ""

    def tranche(self, tranche_id: str) -> Tranche:
        """The tranche to record, checked (the balance's amount: zero for now)."""
        label = " ".join(self.label.split())
        if len(label) > MAX_TEXT:
            raise RuleViolated("plan.text_too_long", field="label", limit=MAX_TEXT)
        needs_report = self.kind is not TrancheKind.ADVANCE
        if needs_report and not self.obligation_id:
            raise RuleViolated("tranche.report_required", field="obligation_id")
        if not needs_report and self.obligation_id:
            raise RuleViolated("tranche.advance_has_no_report", field="obligation_id")
        if self.kind is TrancheKind.BALANCE:
            if self.amount is not None:
                raise RuleViolated("tranche.balance_is_computed", field="amount")
            return Tranche(tranche_id, self.kind, label, Decimal(0), self.obligation_id)
        if self.amount is None:
            raise RuleViolated("amount.required", field="amount")
        check_amount(self.amount, "amount")
        return Tranche(tranche_id, self.kind, label, self.amount, self.obligation_id)


@dataclass(frozen=True)
class Release:
    """What released a payment, as the log held it when the payment was recorded.

    For the advance: the convention signed (the consortium's phase). For an interim
    payment or the balance: the accepted report (its id and title) and its accepted
    expense statements (their ids and the amount accepted in them).
    """

    condition: TrancheCondition
    obligation_id: str = ""
    report_title: str = ""
    statement_ids: tuple[str, ...] = ()
    accepted_in_report: Decimal = Decimal(0)


@dataclass(frozen=True)
class Payment:
    """A payment the funder made, as recorded."""

    payment_id: str
    tranche_id: str
    amount: Decimal
    paid_on: date
    release: Release
    accepted_expenses: Decimal
    """Every accepted expense of the consortium when the payment was recorded."""


@dataclass(frozen=True)
class Recovery:
    """Money the funder takes back (a reversal) when accepted expenses fall short."""

    recovery_id: str
    amount: Decimal
    recovered_on: date
    reason: str
    accepted_expenses: Decimal
    release: Release


def check_paid_amount(amount: Decimal) -> None:
    """A payment or a recovery is positive, in whole cents."""
    check_amount(amount, "amount")
