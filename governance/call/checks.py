"""The consortium checked against its call's rules: pure checks, codes and values.

Like the ledger's warnings and the plan's checks, each reads plain facts and
returns warnings with a code and the values a sentence needs; the web words them.
They warn, they do not refuse: a consortium being set up is short of many rules.

- ``call.partner_kind_excluded``: an active partner of a kind the call excludes;
- ``call.lead_kind_excluded``: the lead partner of a kind the call excludes as lead;
- ``call.budget_below_floor`` / ``call.budget_above_ceiling``: the plan's total
  costs outside the call's floor and ceiling;
- ``call.funder_rate_above_cap`` / ``call.partner_rate_above_cap``: the grant
  requested above the call's maximum rate, overall or for a partner;
- ``call.category_excluded``: costs planned in a category the call does not pay;
- ``call.duration_too_long``: the project's calendar (reports, deliverables,
  milestones) spans more months than the call allows;
- ``call.calendar_after_period``: something of the calendar falls due after the
  call's eligible period;
- ``call.plan_rules_differ``: the draft plan is checked against other rules than
  the call's (set before the call's were recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from governance.call.values import CallRules
from governance.financing.figures import PlanFigures
from governance.financing.values import CostCategory, FundingRules
from governance.values import PartnerKind, PartnerRole
from governance.warnings import Warning


@dataclass(frozen=True)
class CallPartner:
    """What the call's checks need to know of a partner."""

    partner_id: str
    name: str
    kind: PartnerKind
    role: PartnerRole
    active: bool = True


@dataclass(frozen=True)
class CallFacts:
    """Everything the call's checks read, as plain values."""

    partners: tuple[CallPartner, ...]
    figures: PlanFigures | None = None
    """The plan in force's figures (None: no plan yet)."""
    plan_rules: FundingRules | None = None
    """The draft plan's rules while it is a draft (None: no draft, or locked)."""
    calendar: tuple[date, ...] = ()
    """Every due date of the project's calendar."""


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last``, a started month counting as one."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return months + (1 if last.day >= first.day else 0)


def call_checks(rules: CallRules, facts: CallFacts) -> list[Warning]:
    """Every warning the consortium deserves against its call's rules."""
    warnings = _partners(rules, facts.partners)
    if facts.figures is not None and facts.figures.total_costs:
        warnings += _budget(rules, facts.figures, facts.partners)
    warnings += _calendar(rules, facts.calendar)
    if facts.plan_rules is not None and facts.plan_rules != rules.funding:
        warnings.append(Warning("call.plan_rules_differ"))
    return warnings


def _partners(rules: CallRules, partners: Sequence[CallPartner]) -> list[Warning]:
    warnings: list[Warning] = []
    for p in partners:
        if not p.active:
            continue
        words: dict[str, object] = {"partner": p.name, "kind": p.kind}
        if rules.eligible_kinds and p.kind not in rules.eligible_kinds:
            warnings.append(Warning("call.partner_kind_excluded", p.partner_id, words))
        if (
            p.role is PartnerRole.LEAD
            and rules.lead_kinds
            and p.kind not in rules.lead_kinds
        ):
            warnings.append(Warning("call.lead_kind_excluded", p.partner_id, words))
    return warnings


def _budget(
    rules: CallRules, figures: PlanFigures, partners: Sequence[CallPartner]
) -> list[Warning]:
    warnings: list[Warning] = []
    total = figures.total_costs
    if rules.budget_floor is not None and total < rules.budget_floor:
        warnings.append(
            Warning(
                "call.budget_below_floor",
                None,
                {"total": total, "floor": rules.budget_floor},
            )
        )
    if rules.budget_ceiling is not None and total > rules.budget_ceiling:
        warnings.append(
            Warning(
                "call.budget_above_ceiling",
                None,
                {"total": total, "ceiling": rules.budget_ceiling},
            )
        )
    funding = rules.funding
    rate, cap = figures.funder_rate, funding.max_funder_rate
    if cap is not None and rate is not None and rate > cap:
        warnings.append(
            Warning("call.funder_rate_above_cap", None, {"rate": rate, "max": cap})
        )
    names = {p.partner_id: p.name for p in partners}
    partner_cap = funding.max_partner_rate
    for f in figures.partners:
        share = f.funder_rate
        if partner_cap is not None and share is not None and share > partner_cap:
            warnings.append(
                Warning(
                    "call.partner_rate_above_cap",
                    f.partner_id,
                    {
                        "partner": names.get(f.partner_id, f.partner_id),
                        "rate": share,
                        "max": partner_cap,
                    },
                )
            )
    warnings += [
        Warning(
            "call.category_excluded",
            None,
            {"category": category, "amount": figures.cost(category)},
        )
        for category in CostCategory
        if figures.cost(category) and not funding.eligible(category)
    ]
    return warnings


def _calendar(rules: CallRules, calendar: Sequence[date]) -> list[Warning]:
    if not calendar:
        return []
    first, last = min(calendar), max(calendar)
    warnings: list[Warning] = []
    months = months_between(first, last)
    limit = rules.max_duration_months
    if limit is not None and months > limit:
        warnings.append(
            Warning("call.duration_too_long", None, {"months": months, "max": limit})
        )
    until = rules.funding.eligible_until
    if until is not None and last > until:
        warnings.append(
            Warning("call.calendar_after_period", None, {"last": last, "until": until})
        )
    return warnings
