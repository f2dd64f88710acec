"""Words of the financing plan: its categories, sources and rules, its refusals and
its checks, in the request's language.

Strings are marked with ``N_`` for Babel; ``labels.py`` merges ``BUDGET_LABELS`` and
``BUDGET_RULES`` into its tables, so every enum member and rule code of the plan is
found where the others are (and the tests that check them see these too).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from governance.financing.values import (
    CostCategory,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
)
from web.i18n import N_, format_day, format_money, format_rate, gettext_

BUDGET_LABELS: dict[Enum, str] = {
    CostCategory.STAFF: N_("Staff"),
    CostCategory.TRAVEL: N_("Travel"),
    CostCategory.EQUIPMENT: N_("Equipment and investment"),
    CostCategory.EXTERNAL_SERVICES: N_("External services and subcontracting"),
    CostCategory.OTHER_DIRECT: N_("Other direct costs"),
    CostCategory.INDIRECT: N_("Indirect costs (flat rate)"),
    ResourceSource.REQUESTED: N_("Grant requested from this funder"),
    ResourceSource.OTHER_PUBLIC: N_("Other public funding"),
    ResourceSource.OWN_FUNDS: N_("Own funds"),
    ResourceSource.REVENUE: N_("Revenue"),
    ResourceSource.IN_KIND: N_("Contributions in kind"),
    PublicFunder.STATE: N_("State"),
    PublicFunder.REGION: N_("Region"),
    PublicFunder.DEPARTMENT: N_("Department"),
    PublicFunder.INTERCOMMUNALITY: N_("Intercommunality"),
    PublicFunder.MUNICIPALITY: N_("Municipality"),
    PublicFunder.EU_FUNDS: N_("EU funds"),
    PublicFunder.OTHER: N_("Other public body"),
    IndirectBase.STAFF: N_("of staff costs"),
    IndirectBase.DIRECT_COSTS: N_("of eligible direct costs"),
    PlanVersionKind.APPLICATION: N_("Application"),
    PlanVersionKind.CONVENTION: N_("Convention"),
    PlanVersionKind.AMENDMENT: N_("Amendment"),
}

BUDGET_RULES: dict[str, str] = {
    "rate.not_positive": N_("Enter a rate greater than zero."),
    "rate.over_hundred": N_("A rate is a percentage: at most 100."),
    "rate.too_precise": N_("Use at most two decimals for a rate."),
    "person_days.not_positive": N_("Enter a number of person-days greater than zero."),
    "person_days.too_large": N_("This number of person-days is too large."),
    "person_days.too_precise": N_("Use at most two decimals for person-days."),
    "plan.text_too_long": N_("This text is too long (%(limit)s characters at most)."),
    "plan.year_out_of_range": N_("Give a year between %(first)s and %(last)s."),
    "plan.partner_not_active": N_(
        "Choose a partner of the consortium that has not withdrawn."
    ),
    "plan.duplicate_line": N_("This line exists already."),
    "plan.line_unknown": N_("This line is no longer in the plan."),
    "plan.empty": N_("Plan at least one expense before filing the plan."),
    "plan.version_already_filed": N_("This version of the plan is filed already."),
    "plan.amendment_needs_approval": N_(
        "An amendment is filed once the funder approves it."
    ),
    "plan.locked_by_convention": N_(
        "The plan of the signed convention is locked: a change needs an amendment."
    ),
    "expense.label_required": N_("Say what the expense is for."),
    "expense.indirect_is_computed": N_(
        "Indirect costs are computed at the call's flat rate: they are not typed."
    ),
    "expense.days_only_for_staff": N_(
        "Person-days and a daily rate only apply to staff."
    ),
    "expense.amount_required": N_("Give the amount."),
    "expense.amount_or_days": N_(
        "Give either an amount or person-days and a daily rate, not both."
    ),
    "expense.person_days_required": N_("Give the number of person-days."),
    "expense.daily_rate_required": N_("Give the daily rate."),
    "resource.from_the_ledger": N_(
        "Own funds and contributions in kind come from the partners' commitments: pledge them on the Contributions page."
    ),
    "resource.public_funder_required": N_("Say which public body grants it."),
    "resource.public_funder_only_for_public": N_(
        "Only other public funding names a public body."
    ),
    "rules.indirect_by_rate": N_(
        "Indirect costs are eligible through their flat rate."
    ),
    "rules.no_eligible_category": N_("Tick at least one eligible category."),
}

CHECKS: dict[str, str] = {
    "budget.not_balanced": N_(
        "The plan is not balanced: expenses come to %(expenses)s and resources to %(resources)s (a difference of %(difference)s)."
    ),
    "budget.funder_rate_above_max": N_(
        "The grant requested covers %(rate)s of the costs, above the %(max)s the call allows."
    ),
    "budget.partner_rate_above_max": N_(
        "The grant requested for %(partner)s covers %(rate)s of its costs, above the %(max)s allowed per partner."
    ),
    "budget.cofinancing_below_min": N_(
        "Co-financing covers %(share)s of the costs, below the %(min)s the call requires."
    ),
    "budget.expenses_without_resources": N_(
        "%(partner)s has expenses but no resources in the plan."
    ),
    "budget.category_excluded": N_(
        "%(category)s (%(amount)s) is not eligible under the call's rules."
    ),
    "budget.equipment_above_cap": N_(
        "Equipment comes to %(share)s of the costs, above the %(cap)s cap."
    ),
    "budget.year_outside_period": N_(
        "Lines planned in %(year)s fall outside the eligible period (%(period)s)."
    ),
    "budget.partner_withdrawn": N_(
        "%(partner)s has withdrawn from the consortium but still has lines in the plan."
    ),
    "budget.requested_commitments_not_covered": N_(
        "%(partner)s pledged %(pledged)s to be requested from the funder, but the plan requests %(planned)s for it."
    ),
    "budget.staff_time_not_valued": N_(
        "%(partner)s pledged staff time without a daily rate: it is not counted in the plan."
    ),
}

_RATES = {"rate", "max", "share", "min", "cap"}
_MONEY = {"expenses", "resources", "difference", "amount", "pledged", "planned"}


def _period(params: dict[str, Any]) -> str:
    start, end = (params.get(key) for key in ("from", "until"))
    if start and end:
        return f"{format_day(start)} – {format_day(end)}"
    if start:
        return gettext_(N_("from %(day)s")) % {"day": format_day(start)}
    return gettext_(N_("until %(day)s")) % {"day": format_day(end)}


def check_message(code: str, params: dict[str, Any]) -> str:
    """The sentence of one of the plan's checks."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key in _RATES:
            values[key] = format_rate(value)
        elif key in _MONEY:
            values[key] = format_money(value)
        elif key == "category":
            values[key] = gettext_(BUDGET_LABELS[CostCategory(value)])
        else:
            values[key] = value
    if code == "budget.year_outside_period":
        values["period"] = _period(params)
    return gettext_(CHECKS[code]) % values
