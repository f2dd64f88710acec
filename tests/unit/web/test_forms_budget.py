"""The financing plan's forms, parsed without HTTP: an expense, a resource, the
funding rules, a version's kind.

They check shape only; a rate over 100 %, a fractional cent or days outside staff
are the domain's refusals (``governance.financing.values``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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
from web.forms.budget import (
    parse_expense,
    parse_resource,
    parse_rules,
    parse_version_kind,
    rules_values,
)
from web.forms.fields import FormErrors


def refused(parse: object, data: dict[str, str]) -> dict[str, str]:
    assert callable(parse)
    with pytest.raises(FormErrors) as caught:
        parse(data)
    return caught.value.errors


def test_staff_given_as_days_and_rate_is_read_as_given() -> None:
    expense = parse_expense(
        {
            "partner_id": "p-lab",
            "category": "staff",
            "label": " Ingénieure ",
            "amount": "",
            "person_days": "12,5",
            "daily_rate": "1 200,50",
            "year": "2027",
            "work_package": "Lot 4",
        }
    )

    assert expense == Expense(
        "p-lab",
        CostCategory.STAFF,
        "Ingénieure",
        None,
        Decimal("12.5"),
        Decimal("1200.50"),
        2027,
        "Lot 4",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "catering"}, "category"),
        ({"amount": "-5"}, "amount"),
        ({"year": "²⁰²⁶"}, "year"),
        ({"label": "two\nlines"}, "label"),
        ({"partner_id": ""}, "partner_id"),
    ],
)
def test_an_expense_of_the_wrong_shape_is_refused_on_its_input(
    data: dict[str, str], field: str
) -> None:
    base = {"partner_id": "p", "category": "travel", "label": "Trains", "amount": "9"}

    assert field in refused(parse_expense, {**base, **data})


def test_a_resource_names_its_public_body_when_given() -> None:
    resource = parse_resource(
        {
            "partner_id": "p",
            "source": "other_public",
            "public_funder": "region",
            "amount": "20 000",
        }
    )

    assert resource == Resource(
        "p", ResourceSource.OTHER_PUBLIC, Decimal(20000), "", PublicFunder.REGION
    )


def test_the_rules_read_percents_dates_and_the_ticked_categories() -> None:
    rules = parse_rules(
        {
            "max_funder_rate": "80",
            "min_cofinancing": "20,5",
            "eligible_from": "2026-01-01",
            "indirect_rate": "15",
            "indirect_base": "direct_costs",
            "eligible_staff": "on",
            "eligible_travel": "on",
        }
    )

    assert rules == FundingRules(
        max_funder_rate=Decimal(80),
        min_cofinancing=Decimal("20.5"),
        eligible_from=date(2026, 1, 1),
        eligible_categories=(CostCategory.STAFF, CostCategory.TRAVEL),
        indirect_rate=Decimal(15),
        indirect_base=IndirectBase.DIRECT_COSTS,
    )


def test_a_rate_over_100_passes_the_form_for_the_domain_to_refuse() -> None:
    rules = parse_rules({"max_funder_rate": "150", "indirect_base": "staff"})

    assert rules.max_funder_rate == Decimal(150)


def test_the_rules_form_is_filled_with_the_rules_in_force() -> None:
    rules = FundingRules(max_funder_rate=Decimal(70))

    values = rules_values(rules)

    assert values["max_funder_rate"] == "70"
    assert parse_rules(values) == rules
    assert all(values[f"eligible_{c.value}"] == "on" for c in DIRECT_CATEGORIES)


def test_a_version_s_kind_is_one_of_the_kinds() -> None:
    assert parse_version_kind({"kind": "convention"}) is PlanVersionKind.CONVENTION
    assert "kind" in refused(parse_version_kind, {"kind": "final"})
