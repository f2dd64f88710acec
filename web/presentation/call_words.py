"""Words of the consortium's checks against its call's rules, in the request's
language.

``call_check`` is a template global (``app.py``), as the plan's ``budget_check`` is;
the refusals' words are in ``call_refusals`` (which ``labels.py`` merges).
"""

from __future__ import annotations

from typing import Any

from governance.financing.values import CostCategory
from governance.values import PartnerKind
from web.i18n import N_, format_day, format_money, format_rate, gettext_
from web.presentation.budget_words import BUDGET_LABELS
from web.presentation.labels import label

CALL_CHECKS: dict[str, str] = {
    "call.partner_kind_excluded": N_(
        "%(partner)s is a partner of a kind the call does not accept (%(kind)s)."
    ),
    "call.lead_kind_excluded": N_(
        "The lead partner %(partner)s is of a kind the call does not accept as lead (%(kind)s)."
    ),
    "call.budget_below_floor": N_(
        "The project's costs come to %(total)s, below the call's floor of %(floor)s."
    ),
    "call.budget_above_ceiling": N_(
        "The project's costs come to %(total)s, above the call's ceiling of %(ceiling)s."
    ),
    "call.funder_rate_above_cap": N_(
        "The grant requested covers %(rate)s of the costs, above the call's cap of %(max)s."
    ),
    "call.partner_rate_above_cap": N_(
        "The grant requested for %(partner)s covers %(rate)s of its costs, above the call's cap of %(max)s per partner."
    ),
    "call.category_excluded": N_(
        "%(category)s (%(amount)s) is not a cost the call pays for."
    ),
    "call.duration_too_long": N_(
        "The project's calendar spans %(months)s months, longer than the %(max)s months the call allows."
    ),
    "call.calendar_after_period": N_(
        "Something of the project's calendar falls due on %(last)s, after the call's eligible period ends on %(until)s."
    ),
    "call.plan_rules_differ": N_(
        "The financing plan is checked against other funding rules than the call's: save the call's rules again to apply them to the plan."
    ),
}


def call_check(code: str, params: dict[str, Any]) -> str:
    """The sentence of one of the call's checks."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key in {"rate", "max"} and code != "call.duration_too_long":
            values[key] = format_rate(value)
        elif key in {"total", "floor", "ceiling", "amount"}:
            values[key] = format_money(value)
        elif key in {"last", "until"}:
            values[key] = format_day(value)
        elif key == "category" and isinstance(value, CostCategory):
            values[key] = gettext_(BUDGET_LABELS[value])
        elif key == "kind" and isinstance(value, PartnerKind):
            values[key] = label(value)
        else:
            values[key] = value
    return gettext_(CALL_CHECKS[code]) % values
