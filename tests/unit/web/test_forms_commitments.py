"""The commitments' forms, parsed without HTTP: a pledge, an amendment, a delivery.

They check shape only; what a pledge of each kind must say is ``Pledge.check``'s rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.values import ContributionKind, Funding
from web.forms.commitments import parse_amendment, parse_delivery, parse_pledge
from web.forms.fields import FormErrors

TODAY = date(2026, 3, 15)


def pledge_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "partner_id": "p-lead",
        "kind": "financial",
        "amount": "12 000,50",
        "daily_rate": "",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "covers": "Coordination",
        "funding": "co_financing",
        "licence": "",
        "valuation_method": "",
    }
    return {**fields, **overrides}


def refused(parse: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(parse)
    with pytest.raises(FormErrors) as caught:
        parse(*args, **kwargs)
    return caught.value.errors


def test_a_pledge_is_parsed_into_the_partner_and_what_it_commits() -> None:
    form = parse_pledge(pledge_fields())

    assert form.partner_id == "p-lead"
    assert form.pledge.kind is ContributionKind.FINANCIAL
    assert form.pledge.amount == Decimal("12000.50")
    assert form.pledge.funding is Funding.CO_FINANCING
    assert (form.pledge.starts_on, form.pledge.ends_on) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def test_a_daily_rate_is_passed_through_whatever_the_kind_for_the_domain_to_judge() -> (
    None
):
    form = parse_pledge(pledge_fields(kind="financial", daily_rate="400"))

    assert form.pledge.daily_rate == Decimal("400")
    with pytest.raises(RuleViolated) as refusal:
        form.pledge.check()
    assert refusal.value.field == "daily_rate"


def test_a_staff_time_pledge_keeps_its_daily_rate() -> None:
    form = parse_pledge(pledge_fields(kind="human", amount="20", daily_rate="350"))

    assert form.pledge.daily_rate == Decimal("350")
    form.pledge.check()


def test_a_data_set_without_licence_has_a_valid_shape_and_is_left_to_the_domain() -> (
    None
):
    form = parse_pledge(pledge_fields(kind="data_set"))

    with pytest.raises(RuleViolated) as refusal:
        form.pledge.check()
    assert (refusal.value.code, refusal.value.field) == (
        "commitment.licence_required",
        "licence",
    )


def test_a_period_ending_before_it_starts_is_left_to_the_domain() -> None:
    form = parse_pledge(pledge_fields(ends_on="2025-12-31"))

    assert form.pledge.ends_on < form.pledge.starts_on


def test_a_pledge_reports_every_shape_error_at_once() -> None:
    errors = refused(
        parse_pledge,
        pledge_fields(partner_id="", kind="gift", amount="lots", ends_on="31/12/2026"),
    )

    assert set(errors) == {"partner_id", "kind", "amount", "ends_on"}


def test_an_amendment_needs_a_reason() -> None:
    errors = refused(
        parse_amendment,
        {"amount": "100", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    )

    assert errors == {"reason": "This field is required."}


def test_an_amendment_is_parsed_into_amount_period_and_reason() -> None:
    form = parse_amendment(
        {
            "amount": "1 500",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "reason": "Budget voted",
        }
    )

    assert (form.amount, form.ends_on, form.reason) == (
        Decimal("1500"),
        date(2026, 6, 30),
        "Budget voted",
    )


def test_a_delivery_without_a_date_is_dated_today() -> None:
    form = parse_delivery({"amount": "100", "description": "Virement"}, today=TODAY)

    assert form.delivered_on == TODAY


def test_a_delivery_needs_an_amount_and_a_description() -> None:
    errors = refused(parse_delivery, {"amount": ""}, today=TODAY)

    assert set(errors) == {"amount", "description"}
