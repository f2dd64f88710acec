"""What every form shares: reading fields by their shape, and the one mapping from a
domain refusal to the input it names. Pure functions: strings in, values or errors
out, no HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.values import Funding
from web.forms.fields import (
    SHORT,
    Fields,
    FormErrors,
    is_whole_number,
    parse_amount,
    parse_day,
    rule_errors,
)

REQUIRED = "This field is required."


def test_a_text_is_stripped_of_surrounding_blanks() -> None:
    f = Fields({"name": "  Clic  "})

    assert f.text("name") == "Clic"
    assert f.errors.errors == {}


def test_a_missing_required_text_is_an_error_on_its_field() -> None:
    f = Fields({"name": "   "})

    f.text("name", required=True)

    assert f.errors.errors == {"name": REQUIRED}


def test_a_text_longer_than_its_limit_is_refused() -> None:
    f = Fields({"name": "x" * (SHORT + 1)})

    f.text("name")

    assert f.errors.errors == {"name": "This text is too long."}


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x85", "\v"])
def test_a_one_line_text_refuses_every_kind_of_line_break(brk: str) -> None:
    f = Fields({"title": f"Budget{brk}forged line"})

    assert f.text("title") == ""
    assert "line breaks are not allowed" in f.errors.errors["title"]


def test_a_multiline_text_keeps_its_line_breaks() -> None:
    f = Fields({"text": "one\ntwo"})

    assert f.text("text", multiline=True) == "one\ntwo"
    assert f.errors.errors == {}


def test_a_nul_character_is_refused_even_in_a_multiline_text() -> None:
    f = Fields({"text": "a\x00b"})

    assert f.text("text", multiline=True) == ""
    assert "not allowed" in f.errors.errors["text"]


def test_a_day_is_read_as_year_month_day() -> None:
    f = Fields({"on": "2026-02-28"})

    assert f.day("on") == date(2026, 2, 28)


@pytest.mark.parametrize(
    "value", ["28/02/2026", "2026-02-30", "2026-2-1", "²026-01-01"]
)
def test_anything_else_than_an_existing_day_is_an_error(value: str) -> None:
    f = Fields({"on": value})

    assert f.day("on") is None
    assert f.errors.errors == {"on": "Enter a date as YYYY-MM-DD."}


def test_an_empty_optional_day_is_none_without_error() -> None:
    f = Fields({"on": ""})

    assert f.day("on") is None
    assert f.errors.errors == {}


def test_a_choice_is_one_of_the_enumeration_values() -> None:
    f = Fields({"funding": "requested", "other": "gift"})

    assert f.choice("funding", Funding) is Funding.REQUESTED
    assert f.choice("other", Funding) is None
    assert f.errors.errors == {"other": "Choose one of the options."}


def test_an_optional_choice_left_empty_is_none_without_error() -> None:
    f = Fields({})

    assert f.choice("funding", Funding, required=False) is None
    assert f.errors.errors == {}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1200", Decimal("1200")),
        ("1,200.50", Decimal("1200.50")),
        ("1 200,50", Decimal("1200.50")),
        ("1\u202f200,5", Decimal("1200.5")),
        ("1.200,50", Decimal("1200.50")),
        ("12,5", Decimal("12.5")),
    ],
)
def test_an_amount_may_be_written_the_english_or_the_french_way(
    text: str, amount: Decimal
) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1e9", "NaN", "inf", "-5", "12.5.3", "", "9" * 16])
def test_an_amount_is_only_digits_with_one_decimal_separator(text: str) -> None:
    assert parse_amount(text) is None


def test_a_zero_amount_has_the_shape_of_an_amount_and_is_left_to_the_domain() -> None:
    f = Fields({"amount": "0"})

    assert f.amount("amount") == Decimal("0")
    assert f.errors.errors == {}


def test_superscript_digits_are_not_a_whole_number() -> None:
    assert is_whole_number("42")
    assert not is_whole_number("²")
    assert not is_whole_number("-1")


def test_parse_day_gives_none_for_an_impossible_day() -> None:
    assert parse_day("2026-13-01") is None
    assert parse_day("2026-12-01") == date(2026, 12, 1)


def test_the_first_error_on_a_field_is_the_one_kept() -> None:
    errors = FormErrors()

    errors.add("amount", "first")
    errors.add("amount", "second")

    assert errors.errors == {"amount": "first"}


def test_form_errors_raise_only_when_there_are_some() -> None:
    FormErrors().raise_if_any()

    with pytest.raises(FormErrors):
        FormErrors({"": "whole form"}).raise_if_any()


def test_a_refused_rule_shows_next_to_the_input_it_names() -> None:
    error = RuleViolated("period.ends_before_start", field="ends_on")

    refused = rule_errors(error, {"starts_on", "ends_on"}, slot="partner_id")

    assert refused.errors == {"ends_on": "period.ends_before_start"}


def test_a_refused_rule_naming_an_input_the_form_lacks_goes_to_its_slot() -> None:
    error = RuleViolated("period.ends_before_start", field="ends_on")

    refused = rule_errors(error, {"valid_from", "valid_until"}, slot="proxy")

    assert refused.errors == {"proxy": "period.ends_before_start"}


def test_a_refused_rule_about_no_input_goes_above_the_form_by_default() -> None:
    refused = rule_errors(RuleViolated("proposal.closed"), {"option"})

    assert refused.errors == {"": "proposal.closed"}


def test_a_refused_rule_keeps_its_parameters_with_its_message() -> None:
    starts_on = date(2026, 1, 1)
    error = RuleViolated(
        "contribution.before_period", field="delivered_on", starts_on=starts_on
    )

    refused = rule_errors(error, {"delivered_on"})

    assert refused.params == {"delivered_on": {"starts_on": starts_on}}


def test_a_rule_refused_while_parsing_goes_to_the_prefixed_input() -> None:
    f = Fields({"call_url": "ftp://x", "url": "kept apart"})

    f.rule(RuleViolated("call.url_invalid", field="url"), prefix="call_")

    assert f.errors.errors == {"call_url": "call.url_invalid"}
