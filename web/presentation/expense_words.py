"""Words of the expense statements: statuses, refusal reasons, refusals of bad input
and the checks, in the request's language.

Strings are marked with ``N_`` for Babel; ``labels.py`` merges ``EXPENSE_LABELS``
and ``EXPENSE_RULES`` into its tables, so every enum member and rule code is found
where the others are (and the tests that check them see these too).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from governance.financing.statement_values import RefusalReason, StatementStatus
from governance.financing.values import CostCategory
from governance.warnings import Warning
from web.i18n import N_, format_day, format_money, format_rate, gettext_
from web.presentation.budget_words import BUDGET_LABELS

EXPENSE_LABELS: dict[Enum, str] = {
    StatementStatus.DRAFT: N_("Being declared"),
    StatementStatus.SUBMITTED: N_("Submitted to the funder"),
    StatementStatus.ACCEPTED: N_("Accepted by the funder"),
    RefusalReason.INELIGIBLE: N_("Not eligible"),
    RefusalReason.OUTSIDE_PERIOD: N_("Outside the period"),
    RefusalReason.UNSUPPORTED: N_("No supporting document"),
}

EXPENSE_RULES: dict[str, str] = {
    "amount_excl.not_positive": N_("Enter an amount greater than zero."),
    "amount_excl.too_large": N_("This amount is too large (at most a billion)."),
    "amount_excl.too_precise": N_("Use at most two decimals (whole cents)."),
    "amount_incl.not_positive": N_("Enter an amount greater than zero."),
    "amount_incl.too_large": N_("This amount is too large (at most a billion)."),
    "amount_incl.too_precise": N_("Use at most two decimals (whole cents)."),
    "statement.amount_excl_required": N_("Give the amount excluding VAT."),
    "statement.incl_below_excl": N_(
        "The amount including VAT cannot be less than the amount excluding VAT."
    ),
    "statement.vat_over_hundred": N_(
        "VAT cannot be more than the amount excluding VAT itself: check both amounts."
    ),
    "statement.outside_period": N_(
        "Give a date within the statement's period, %(start)s – %(end)s."
    ),
    "statement.label_required": N_("Say what the expense is for."),
    "statement.supplier_required": N_("Give the supplier."),
    "statement.invoice_number_required": N_("Give the invoice number."),
    "statement.work_package_required": N_("Give the work package."),
    "statement.duplicate_line": N_("This line exists already."),
    "statement.line_unknown": N_("This line is not in the statement."),
    "statement.empty": N_("Declare at least one expense before submitting."),
    "statement.not_draft": N_(
        "This statement has been submitted to the funder: it takes no more changes."
    ),
    "statement.not_submitted": N_(
        "Only a statement submitted to the funder can be reviewed."
    ),
    "statement.line_already_refused": N_("This line is refused already."),
    "statement.nothing_to_accept": N_(
        "No statement of this period awaits the funder's review."
    ),
    "statement.nothing_to_submit": N_(
        "No partner has declared expenses for this period yet."
    ),
}

CHECKS: dict[str, str] = {
    "expenses.outside_eligible_period": N_(
        "%(partner)s declared “%(label)s” on %(on)s, outside the eligible period (%(period)s)."
    ),
    "expenses.same_invoice_twice": N_(
        "Invoice %(number)s of %(supplier)s is declared %(count)s times."
    ),
    "expenses.same_file_twice": N_(
        "The same supporting document (%(file)s) backs %(count)s lines."
    ),
    "expenses.category_over_budget": N_(
        "%(partner)s: %(category)s come to %(realised)s, over the %(planned)s budgeted."
    ),
    "expenses.needs_amendment": N_(
        "%(partner)s moved %(moved)s between categories, more than the %(share)s of its budget the convention allows (%(allowed)s): this needs an amendment."
    ),
}

_MONEY = {"realised", "planned", "moved", "allowed"}


def _period(params: dict[str, Any]) -> str:
    start, end = (params.get(key) for key in ("from", "until"))
    if start and end:
        return f"{format_day(start)} – {format_day(end)}"
    if start:
        return gettext_(N_("from %(day)s")) % {"day": format_day(start)}
    return gettext_(N_("until %(day)s")) % {"day": format_day(end)}


def expense_check(warning: Warning, names: dict[str, str]) -> str:
    """The sentence of one of the expense checks (``names``: partners' names)."""
    code, params = warning.code, warning.params
    values: dict[str, Any] = {"partner": names.get(warning.partner_id or "", "?")}
    for key, value in params.items():
        if key in _MONEY:
            values[key] = format_money(value)  # type: ignore[arg-type]
        elif key == "share":
            values[key] = format_rate(value)  # type: ignore[arg-type]
        elif key == "category":
            values[key] = gettext_(BUDGET_LABELS[CostCategory(value)])
        elif key == "on":
            values[key] = format_day(value)  # type: ignore[arg-type]
        else:
            values[key] = value
    if code == "expenses.outside_eligible_period":
        values["period"] = _period(params)
    return gettext_(CHECKS[code]) % values
