"""The expense statements' forms, parsed without HTTP: shape only (the domain refuses
a fractional cent, VAT above the price or a date outside the period)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from governance.financing.statement_values import RefusalReason
from governance.financing.values import CostCategory
from web.forms.expenses import parse_declaration, parse_period, parse_refusal
from web.forms.fields import FormErrors

PERIOD = str(uuid4())


def a_form(**overrides: str) -> dict[str, str]:
    return {
        "obligation_id": PERIOD,
        "partner_id": "p-lab",
        "category": "travel",
        "label": "Billets",
        "spent_on": "2026-03-12",
        "amount_excl": "1 200,50",
        "amount_incl": "",
        **overrides,
    }


def test_a_declaration_reads_french_amounts_and_leaves_empty_ones_out() -> None:
    parsed = parse_declaration(a_form(vat_recoverable="on"))

    assert str(parsed.obligation_id) == PERIOD
    assert parsed.expense.category is CostCategory.TRAVEL
    assert parsed.expense.spent_on == date(2026, 3, 12)
    assert parsed.expense.amount_excl == Decimal("1200.50")
    assert parsed.expense.amount_incl is None
    assert parsed.expense.vat_recoverable


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("obligation_id", "not-a-uuid"),
        ("category", "indirect-ish"),
        ("spent_on", "2026-02-30"),
        ("amount_excl", "1e5"),
        ("label", "two\nlines"),
    ],
)
def test_a_declaration_refuses_a_malformed_input_by_name(name: str, value: str) -> None:
    with pytest.raises(FormErrors) as refused:
        parse_declaration(a_form(**{name: value}))

    assert name in refused.value.errors


def test_a_refusal_needs_one_of_the_three_reasons() -> None:
    assert parse_refusal({"refusal": "unsupported", "comment": " Pas de reçu "}) == (
        RefusalReason.UNSUPPORTED,
        "Pas de reçu",
    )
    with pytest.raises(FormErrors):
        parse_refusal({"refusal": "because"})


def test_a_period_is_a_report_s_id() -> None:
    assert str(parse_period({"obligation_id": PERIOD})) == PERIOD
    with pytest.raises(FormErrors):
        parse_period({"obligation_id": "²"})
