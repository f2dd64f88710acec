"""The financing plan's forms: an expense, a resource, the funding rules, a version.

Shape only (required, numbers, dates, known choices); the plan's rules (a rate over
100 %, a fractional cent, staff days only for staff) are the domain's, which names
the input it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping

from governance.financing.values import (
    DIRECT_CATEGORIES,
    CostCategory,
    Expense,
    FundingRules,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    Resource,
    ResourceSource,
)
from web.forms.fields import Fields, is_whole_number
from web.i18n import N_


def _year(f: Fields) -> int | None:
    text = f.text("year", max_length=4)
    if not text:
        return None
    if not is_whole_number(text):
        f.errors.add("year", N_("Enter a year, like 2027."))
        return None
    return int(text)


def parse_expense(data: Mapping[str, str]) -> Expense:
    """Parse the expense form; raises ``FormErrors``."""
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    category = f.choice("category", CostCategory)
    label = f.text("label", required=True)
    amount = f.amount("amount", required=False)
    person_days = f.amount("person_days", required=False)
    daily_rate = f.amount("daily_rate", required=False)
    year = _year(f)
    work_package = f.text("work_package")
    f.errors.raise_if_any()
    if category is None:
        raise f.errors
    return Expense(
        partner_id,
        category,
        label,
        amount,
        person_days,
        daily_rate,
        year,
        work_package,
    )


def parse_resource(data: Mapping[str, str]) -> Resource:
    """Parse the resource form; raises ``FormErrors``."""
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    source = f.choice("source", ResourceSource)
    public_funder = f.choice("public_funder", PublicFunder, required=False)
    amount = f.amount("amount")
    label = f.text("label")
    year = _year(f)
    f.errors.raise_if_any()
    if source is None or amount is None:
        raise f.errors
    return Resource(partner_id, source, amount, label, public_funder, year)


def category_field(category: CostCategory) -> str:
    """The name of the checkbox saying a category is eligible."""
    return f"eligible_{category.value}"


def parse_rules(data: Mapping[str, str]) -> FundingRules:
    """Parse the funding rules' form (one checkbox per eligible category)."""
    f = Fields(data)
    rates = {
        name: f.amount(name, required=False)
        for name in (
            "max_funder_rate",
            "max_partner_rate",
            "min_cofinancing",
            "indirect_rate",
            "equipment_cap",
        )
    }
    reallocation_share = f.amount("reallocation_share", required=False)
    eligible_from = f.day("eligible_from")
    eligible_until = f.day("eligible_until")
    base = f.choice("indirect_base", IndirectBase)
    categories = tuple(c for c in DIRECT_CATEGORIES if data.get(category_field(c)))
    f.errors.raise_if_any()
    return FundingRules(
        max_funder_rate=rates["max_funder_rate"],
        max_partner_rate=rates["max_partner_rate"],
        min_cofinancing=rates["min_cofinancing"],
        eligible_from=eligible_from,
        eligible_until=eligible_until,
        eligible_categories=categories,
        indirect_rate=rates["indirect_rate"],
        indirect_base=base or IndirectBase.STAFF,
        equipment_cap=rates["equipment_cap"],
        reallocation_share=(
            reallocation_share
            if reallocation_share is not None
            else FundingRules.reallocation_share
        ),
    )


def parse_version_kind(data: Mapping[str, str]) -> PlanVersionKind:
    """Which version the coordinator files; raises ``FormErrors``."""
    f = Fields(data)
    kind = f.choice("kind", PlanVersionKind)
    f.errors.raise_if_any()
    if kind is None:
        raise f.errors
    return kind


def rules_values(rules: FundingRules) -> dict[str, str]:
    """The rules' form filled with the rules in force."""
    values = {
        name: str(value) if value is not None else ""
        for name, value in (
            ("max_funder_rate", rules.max_funder_rate),
            ("max_partner_rate", rules.max_partner_rate),
            ("min_cofinancing", rules.min_cofinancing),
            ("indirect_rate", rules.indirect_rate),
            ("equipment_cap", rules.equipment_cap),
        )
    }
    values["eligible_from"] = (
        rules.eligible_from.isoformat() if rules.eligible_from else ""
    )
    values["eligible_until"] = (
        rules.eligible_until.isoformat() if rules.eligible_until else ""
    )
    values["reallocation_share"] = str(rules.reallocation_share)
    values["indirect_base"] = rules.indirect_base.value
    for category in rules.eligible_categories:
        values[category_field(category)] = "on"
    return values
