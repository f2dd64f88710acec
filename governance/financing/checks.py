"""What a funder would frown at in a financing plan: pure checks, codes and values.

Like the ledger's warnings (``governance/warnings.py``), each check reads plain facts
(the plan's content, its figures, the partners' names) and returns warnings with a
code and the values a sentence needs; the web writes the sentence. They warn, they do
not refuse: a draft plan is unbalanced while it is being typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from governance.financing.figures import ZERO, PlanFigures, share
from governance.financing.values import CostCategory, PlanContent
from governance.warnings import Warning


@dataclass(frozen=True)
class PlanPartner:
    """What the checks need to know of a partner."""

    name: str
    active: bool = True


def plan_checks(
    content: PlanContent, figures: PlanFigures, partners: Mapping[str, PlanPartner]
) -> list[Warning]:
    """Every warning the plan deserves (none for an empty plan)."""
    if not content.expenses and not content.resources:
        return []
    warnings = _balance(figures)
    warnings += _rates(content, figures, partners)
    warnings += _partners(figures, partners)
    warnings += _categories(content, figures)
    warnings += _period(content)
    return warnings


def _name(partners: Mapping[str, PlanPartner], partner_id: str) -> str:
    partner = partners.get(partner_id)
    return partner.name if partner is not None else partner_id


def _balance(figures: PlanFigures) -> list[Warning]:
    if figures.balance == ZERO:
        return []
    return [
        Warning(
            "budget.not_balanced",
            None,
            {
                "expenses": figures.total_expenses,
                "resources": figures.total_resources,
                "difference": abs(figures.balance),
            },
        )
    ]


def _rates(
    content: PlanContent, figures: PlanFigures, partners: Mapping[str, PlanPartner]
) -> list[Warning]:
    rules = content.rules
    warnings: list[Warning] = []
    rate = figures.funder_rate
    maximum = rules.max_funder_rate
    if maximum is not None and rate is not None and rate > maximum:
        warnings.append(
            Warning(
                "budget.funder_rate_above_max", None, {"rate": rate, "max": maximum}
            )
        )
    if rules.max_partner_rate is not None:
        for p in figures.partners:
            if p.funder_rate is not None and p.funder_rate > rules.max_partner_rate:
                warnings.append(
                    Warning(
                        "budget.partner_rate_above_max",
                        p.partner_id,
                        {
                            "partner": _name(partners, p.partner_id),
                            "rate": p.funder_rate,
                            "max": rules.max_partner_rate,
                        },
                    )
                )
    cofinancing = share(figures.cofinancing, figures.total_costs)
    minimum = rules.min_cofinancing
    if minimum is not None and cofinancing is not None and cofinancing < minimum:
        warnings.append(
            Warning(
                "budget.cofinancing_below_min",
                None,
                {"share": cofinancing, "min": minimum},
            )
        )
    return warnings


def _partners(
    figures: PlanFigures, partners: Mapping[str, PlanPartner]
) -> list[Warning]:
    warnings: list[Warning] = []
    for p in figures.partners:
        name: dict[str, object] = {"partner": _name(partners, p.partner_id)}
        known = partners.get(p.partner_id)
        planned = p.total_costs or p.total_resources
        if known is not None and not known.active and planned:
            warnings.append(Warning("budget.partner_withdrawn", p.partner_id, name))
        if p.total_costs and not p.total_resources:
            warnings.append(
                Warning("budget.expenses_without_resources", p.partner_id, name)
            )
        if p.requested_in_ledger > p.requested:
            warnings.append(
                Warning(
                    "budget.requested_commitments_not_covered",
                    p.partner_id,
                    {**name, "pledged": p.requested_in_ledger, "planned": p.requested},
                )
            )
        if p.unvalued:
            warnings.append(
                Warning(
                    "budget.staff_time_not_valued",
                    p.partner_id,
                    {**name, "count": p.unvalued},
                )
            )
    return warnings


def _categories(content: PlanContent, figures: PlanFigures) -> list[Warning]:
    rules = content.rules
    warnings = [
        Warning(
            "budget.category_excluded",
            None,
            {"category": category.value, "amount": figures.cost(category)},
        )
        for category in CostCategory
        if figures.cost(category) and not rules.eligible(category)
    ]
    equipment = share(figures.cost(CostCategory.EQUIPMENT), figures.total_costs)
    cap = rules.equipment_cap
    if cap is not None and equipment is not None and equipment > cap:
        warnings.append(
            Warning(
                "budget.equipment_above_cap", None, {"share": equipment, "cap": cap}
            )
        )
    return warnings


def _period(content: PlanContent) -> list[Warning]:
    rules = content.rules
    first = rules.eligible_from.year if rules.eligible_from else None
    last = rules.eligible_until.year if rules.eligible_until else None
    planned: list[int | None] = [line.year for line in content.expenses]
    planned += [line.year for line in content.resources]
    years = {
        year
        for year in planned
        if year is not None
        and ((first is not None and year < first) or (last is not None and year > last))
    }
    return [
        Warning(
            "budget.year_outside_period",
            None,
            {"year": year, "from": rules.eligible_from, "until": rules.eligible_until},
        )
        for year in sorted(years)
    ]
