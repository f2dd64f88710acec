"""The consortium's forms, parsed without HTTP: its profile and call, its phase."""

from __future__ import annotations

from datetime import date

import pytest

from governance.values import Phase
from web.forms.consortia import parse_consortium, parse_phase
from web.forms.fields import FormErrors


def consortium_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "Inclusion numérique du Val",
        "acronym": "INV",
        "summary": "Des lieux et des médiateurs.",
        "territory": "Val fictif",
        "call_name": "Territoires intelligents",
        "call_funder": "Banque des Territoires",
        "call_reference": "TID-2026",
        "call_opens_on": "2026-01-01",
        "call_closing_dates": "2026-10-31\n2026-04-30",
        "call_url": "https://appels.example/tid",
    }
    return {**fields, **overrides}


def errors_of(data: dict[str, str]) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        parse_consortium(data)
    return caught.value.errors


def test_a_consortium_is_parsed_with_its_call_and_sorted_closing_dates() -> None:
    form = parse_consortium(consortium_fields())

    assert form.name == "Inclusion numérique du Val"
    assert form.call.funder == "Banque des Territoires"
    assert form.call.closing_dates == (date(2026, 4, 30), date(2026, 10, 31))


def test_closing_dates_may_be_separated_by_commas_or_semicolons() -> None:
    form = parse_consortium(
        consortium_fields(call_closing_dates="2026-04-30, 2026-10-31;2026-04-30")
    )

    assert form.call.closing_dates == (date(2026, 4, 30), date(2026, 10, 31))


def test_a_closing_date_that_is_not_a_date_is_refused_on_its_field() -> None:
    errors = errors_of(consortium_fields(call_closing_dates="2026-04-30 soon"))

    assert errors == {"call_closing_dates": "Enter each date as YYYY-MM-DD."}


def test_the_calls_refusals_show_next_to_its_prefixed_inputs() -> None:
    bad_url = errors_of(consortium_fields(call_url="ftp://appels.example"))
    too_early = errors_of(consortium_fields(call_closing_dates="2025-06-30"))

    assert bad_url == {"call_url": "call.url_invalid"}
    assert too_early == {"call_closing_dates": "call.closes_before_opening"}


def test_a_consortium_needs_a_name_a_call_and_a_funder() -> None:
    errors = errors_of(consortium_fields(name="", call_name="", call_funder=""))

    assert set(errors) == {"name", "call_name", "call_funder"}


def test_a_phase_change_is_parsed_into_a_phase_and_a_day() -> None:
    form = parse_phase({"phase": "application_submitted", "on": "2026-03-01"})

    assert (form.phase, form.on) == (Phase.APPLICATION_SUBMITTED, date(2026, 3, 1))


def test_a_phase_change_needs_a_known_phase_and_a_day() -> None:
    with pytest.raises(FormErrors) as caught:
        parse_phase({"phase": "finished", "on": ""})

    assert set(caught.value.errors) == {"phase", "on"}


def test_closing_needs_the_confirmation_box_ticked() -> None:
    with pytest.raises(FormErrors) as caught:
        parse_phase({"phase": "closed", "on": "2026-12-01"})
    confirmed = parse_phase(
        {"phase": "closed", "on": "2026-12-01", "confirm_close": "yes"}
    )

    assert set(caught.value.errors) == {"confirm_close"}
    assert confirmed.phase is Phase.CLOSED
