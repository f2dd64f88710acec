"""The words of an expense statement: its lines, its status, a financer's refusal.

A statement line is one expense a partner paid during a reporting period: an
invoice (supplier, number, amounts excluding and including VAT) or staff time
(person-days × daily rate). What counts is the eligible amount: excluding VAT when
the partner recovers it, including VAT otherwise. Money is ``Decimal`` euros with at
most two decimals; every record checks itself and raises ``RuleViolated`` naming
the input it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID, uuid5

from governance.errors import RuleViolated
from governance.financing.values import (
    MAX_TEXT,
    CostCategory,
    check_person_days,
    to_cents,
)
from governance.values import Evidence, check_amount

# Fixed forever: changing it would give every partner a second, empty statement.
STATEMENT_NAMESPACE = UUID("6f1d2c3b-8a47-4e59-9b0c-2d7e1f3a5c84")


def statement_id(consortium_id: str, obligation_id: str, partner_id: str) -> UUID:
    """The id of a partner's statement for one reporting period (one each)."""
    return uuid5(
        STATEMENT_NAMESPACE,
        f"/consortia/{consortium_id}/reports/{obligation_id}/partners/{partner_id}",
    )


class StatementStatus(Enum):
    """Where a statement is: being written, with the financer, or accepted."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


class RefusalReason(Enum):
    """Why a financer refuses a declared expense."""

    INELIGIBLE = "ineligible"
    OUTSIDE_PERIOD = "outside_period"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class StatementLine:
    """One declared expense, as recorded."""

    line_id: str
    category: CostCategory
    label: str
    spent_on: date
    amount_excl: Decimal
    amount_incl: Decimal
    vat_recoverable: bool
    supplier: str = ""
    invoice_number: str = ""
    work_package: str = ""
    person_days: Decimal | None = None
    daily_rate: Decimal | None = None
    document: Evidence | None = None

    @property
    def eligible(self) -> Decimal:
        """What the line counts for: VAT is left out when the partner recovers it."""
        return self.amount_excl if self.vat_recoverable else self.amount_incl


def _text(value: str, name: str, *, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise RuleViolated(f"statement.{name}_required", field=name)
    if len(text) > MAX_TEXT:
        raise RuleViolated("plan.text_too_long", field=name, limit=MAX_TEXT)
    return text


@dataclass(frozen=True)
class DeclaredExpense:
    """An expense as a partner's member gives it.

    Staff is given as person-days × daily rate (no VAT on salaries); anything else
    as an amount excluding VAT and, when VAT was paid, the amount including it.
    """

    category: CostCategory
    label: str
    spent_on: date
    amount_excl: Decimal | None = None
    amount_incl: Decimal | None = None
    vat_recoverable: bool = False
    supplier: str = ""
    invoice_number: str = ""
    work_package: str = ""
    person_days: Decimal | None = None
    daily_rate: Decimal | None = None
    document: Evidence | None = None

    def line(
        self, line_id: str, period: tuple[date | None, date | None] = (None, None)
    ) -> StatementLine:
        """The line to record, checked against the statement's period."""
        if self.category is CostCategory.INDIRECT:
            raise RuleViolated("expense.indirect_is_computed", field="category")
        label = _text(self.label, "label", required=True)
        start, end = period
        if (start is not None and self.spent_on < start) or (
            end is not None and self.spent_on > end
        ):
            raise RuleViolated(
                "statement.outside_period", field="spent_on", start=start, end=end
            )
        excl, incl = self._amounts()
        return StatementLine(
            line_id,
            self.category,
            label,
            self.spent_on,
            excl,
            incl,
            self.vat_recoverable,
            _text(self.supplier, "supplier"),
            _text(self.invoice_number, "invoice_number"),
            _text(self.work_package, "work_package"),
            self.person_days,
            self.daily_rate,
            self.document,
        )

    def _amounts(self) -> tuple[Decimal, Decimal]:
        by_days = self.person_days is not None or self.daily_rate is not None
        if by_days:
            return self._staff()
        if self.amount_excl is None:
            raise RuleViolated("statement.amount_excl_required", field="amount_excl")
        check_amount(self.amount_excl, "amount_excl")
        incl = self.amount_incl if self.amount_incl is not None else self.amount_excl
        check_amount(incl, "amount_incl")
        if incl < self.amount_excl:
            raise RuleViolated("statement.incl_below_excl", field="amount_incl")
        if incl > 2 * self.amount_excl:
            # VAT above 100 % of the price is a typing mistake, not a tax.
            raise RuleViolated("statement.vat_over_hundred", field="amount_incl")
        return self.amount_excl, incl

    def _staff(self) -> tuple[Decimal, Decimal]:
        if self.category is not CostCategory.STAFF:
            name = "person_days" if self.person_days is not None else "daily_rate"
            raise RuleViolated("expense.days_only_for_staff", field=name)
        if self.amount_excl is not None or self.amount_incl is not None:
            raise RuleViolated("expense.amount_or_days", field="amount_excl")
        if self.person_days is None:
            raise RuleViolated("expense.person_days_required", field="person_days")
        if self.daily_rate is None:
            raise RuleViolated("expense.daily_rate_required", field="daily_rate")
        check_person_days(self.person_days)
        check_amount(self.daily_rate, "daily_rate")
        amount = to_cents(self.person_days * self.daily_rate)
        check_amount(amount, "daily_rate")
        return amount, amount


@dataclass(frozen=True)
class Refusal:
    """A financer's refusal of one line: why, in a category and in words."""

    reason: RefusalReason
    comment: str = ""
