"""The expense statements' forms: a declared expense, a financer's refusal or
acceptance, a period to submit.

Shape only (required, numbers, dates, known choices); the statement's rules (a
fractional cent, VAT above the price, a date outside the period, days only for
staff) are the domain's, which names the input it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from governance.financing.statement_values import DeclaredExpense, RefusalReason
from governance.financing.values import CostCategory
from web.forms.fields import LONG, Fields
from web.i18n import N_


@dataclass(frozen=True)
class Declaration:
    """Which statement the expense goes to, and the expense (its file aside)."""

    obligation_id: UUID
    partner_id: str
    expense: DeclaredExpense


def _period(f: Fields, name: str = "obligation_id") -> UUID | None:
    text = f.text(name, required=True, max_length=36)
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        f.errors.add(name, N_("Choose one of the options."))
        return None


def parse_declaration(data: Mapping[str, str]) -> Declaration:
    """Parse the form of a declared expense; raises ``FormErrors``."""
    f = Fields(data)
    obligation_id = _period(f)
    partner_id = f.text("partner_id", required=True, max_length=36)
    category = f.choice("category", CostCategory)
    label = f.text("label", required=True)
    spent_on = f.day("spent_on", required=True)
    amount_excl = f.amount("amount_excl", required=False)
    amount_incl = f.amount("amount_incl", required=False)
    person_days = f.amount("person_days", required=False)
    daily_rate = f.amount("daily_rate", required=False)
    supplier = f.text("supplier")
    invoice_number = f.text("invoice_number")
    work_package = f.text("work_package")
    vat_recoverable = bool(data.get("vat_recoverable"))
    f.errors.raise_if_any()
    if obligation_id is None or category is None or spent_on is None:
        raise f.errors
    return Declaration(
        obligation_id,
        partner_id,
        DeclaredExpense(
            category=category,
            label=label,
            spent_on=spent_on,
            amount_excl=amount_excl,
            amount_incl=amount_incl,
            vat_recoverable=vat_recoverable,
            supplier=supplier,
            invoice_number=invoice_number,
            work_package=work_package,
            person_days=person_days,
            daily_rate=daily_rate,
        ),
    )


def parse_period(data: Mapping[str, str]) -> UUID:
    """The reporting period the coordinator submits; raises ``FormErrors``."""
    f = Fields(data)
    obligation_id = _period(f)
    f.errors.raise_if_any()
    if obligation_id is None:
        raise f.errors
    return obligation_id


def parse_refusal(data: Mapping[str, str]) -> tuple[RefusalReason, str]:
    """A financer's refusal of a line: the reason and a comment."""
    f = Fields(data)
    reason = f.choice("refusal", RefusalReason)
    comment = f.text("comment", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if reason is None:
        raise f.errors
    return reason, comment


def parse_acceptance(data: Mapping[str, str]) -> str:
    """A financer's acceptance: an optional comment."""
    f = Fields(data)
    comment = f.text("comment", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return comment
