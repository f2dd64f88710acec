"""A commitment's amount in its unit, whatever type it comes as, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance.values import Unit
from web.i18n import current_language
from web.presentation.labels import in_unit

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize("value", [Decimal("1200.5"), "1200.5", 1200.5])
def test_euros_read_alike_from_a_decimal_text_or_number(value: object) -> None:
    token = current_language.set("fr")
    try:
        assert in_unit(value, Unit.EUR) == f"1{NNBSP}200,50{NBSP}€"
    finally:
        current_language.reset(token)


@pytest.mark.parametrize("value", [Decimal("12.5"), "12.5", 12.5])
def test_person_days_read_alike_from_a_decimal_text_or_number(value: object) -> None:
    token = current_language.set("en")
    try:
        assert in_unit(value, Unit.PERSON_DAY) == "12.5 person-days"
    finally:
        current_language.reset(token)


@pytest.mark.parametrize("value", [None, ""])
def test_nothing_reads_as_nothing(value: object) -> None:
    assert in_unit(value, Unit.EUR) == ""
