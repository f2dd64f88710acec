"""The grant's forms: the grant and its schedule, a payment, a recovery.

Shape only (numbers, dates, known reports); the grant's rules (a rate above 100 %,
a fractional cent, tranches over the grant, a payment above what is due or whose
condition does not hold) are the domain's and the service's, which name the input
they refuse.

The schedule is given in fixed rows, so the form works without JavaScript: an
advance (its amount, or empty), up to ``INTERIM_ROWS`` interim payments (each a
report and an amount; an empty row is skipped) and the balance (the final report,
or empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.financing.grant_values import GrantTerms, PlannedTranche, TrancheKind
from web.forms.fields import LONG, Fields
from web.i18n import N_

INTERIM_ROWS = 4


@dataclass(frozen=True)
class GrantForm:
    """The grant's terms and its schedule, as the financer gives them."""

    terms: GrantTerms
    tranches: list[PlannedTranche]


def _report(f: Fields, name: str, reports: Mapping[str, str]) -> str:
    value = f.text(name, max_length=36)
    if value and value not in reports:
        f.errors.add(name, N_("Choose one of the options."))
        return ""
    return value


def parse_grant(data: Mapping[str, str], reports: Mapping[str, str]) -> GrantForm:
    """Parse the grant's form; ``reports`` are the consortium's (id: title).
    Raises ``FormErrors``."""
    f = Fields(data)
    amount = f.amount("amount")
    rate = f.amount("rate")
    eligible_from = f.day("eligible_from")
    eligible_until = f.day("eligible_until")
    tranches = []
    advance = f.amount("advance", required=False)
    if advance is not None:
        tranches.append(PlannedTranche(TrancheKind.ADVANCE, "", advance))
    for row in range(1, INTERIM_ROWS + 1):
        report = _report(f, f"interim_{row}_report", reports)
        interim = f.amount(f"interim_{row}_amount", required=False)
        if report or interim is not None:
            if not report:
                f.errors.add(f"interim_{row}_report", N_("This field is required."))
            if interim is None:
                f.errors.add(f"interim_{row}_amount", N_("This field is required."))
            tranches.append(PlannedTranche(TrancheKind.INTERIM, "", interim, report))
    balance = _report(f, "balance_report", reports)
    if balance:
        tranches.append(PlannedTranche(TrancheKind.BALANCE, "", None, balance))
    f.errors.raise_if_any()
    if amount is None or rate is None:
        raise f.errors
    return GrantForm(GrantTerms(amount, rate, eligible_from, eligible_until), tranches)


def parse_payment(data: Mapping[str, str]) -> tuple[Decimal, date]:
    """A payment: its amount and the day it was made; raises ``FormErrors``."""
    f = Fields(data)
    amount = f.amount("amount")
    paid_on = f.day("paid_on", required=True)
    f.errors.raise_if_any()
    if amount is None or paid_on is None:
        raise f.errors
    return amount, paid_on


def parse_recovery(data: Mapping[str, str]) -> tuple[Decimal, date, str]:
    """A recovery: amount, day, reason; raises ``FormErrors``."""
    f = Fields(data)
    amount = f.amount("amount")
    recovered_on = f.day("recovered_on", required=True)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if amount is None or recovered_on is None:
        raise f.errors
    return amount, recovered_on, reason
