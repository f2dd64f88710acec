"""The reporting, indicators, reminders and readiness forms, parsed without HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.values import ReportKind
from notifications.emails import Delivery
from web.forms.fields import FormErrors
from web.forms.indicators import parse_indicator, parse_measurement
from web.forms.notifications import parse_days_before, parse_preferences
from web.forms.readiness import parse_involvement, parse_personal_data
from web.forms.reporting import parse_schedule

TODAY = date(2026, 3, 15)


def errors_of(parse: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(parse)
    with pytest.raises(FormErrors) as caught:
        parse(*args, **kwargs)
    return caught.value.errors


def test_a_one_off_report_is_due_on_a_day() -> None:
    form = parse_schedule(
        {
            "funder": "Région",
            "title": "Bilan",
            "kind": "activity_report",
            "due_on": "2026-06-30",
        }
    )

    assert not form.periodic
    assert (form.kind, form.due_on) == (ReportKind.ACTIVITY_REPORT, date(2026, 6, 30))
    assert form.responsible_id is None


def test_periodic_reports_default_to_four_half_years_due_thirty_days_after() -> None:
    form = parse_schedule(
        {
            "funder": "Région",
            "title": "Bilan",
            "kind": "financial_statement",
            "mode": "periodic",
            "first_period_start": "2026-01-01",
        }
    )

    assert form.periodic
    assert (form.every_months, form.due_days, form.count) == (6, 30, 4)
    assert form.due_on is None


def test_periodic_numbers_must_be_small_whole_numbers() -> None:
    errors = errors_of(
        parse_schedule,
        {
            "funder": "Région",
            "title": "Bilan",
            "kind": "final_report",
            "mode": "periodic",
            "first_period_start": "2026-01-01",
            "every_months": "25",
            "due_days": "-1",
            "count": "²",
        },
    )

    assert errors == dict.fromkeys(
        ("every_months", "due_days", "count"), "Enter a whole number."
    )


def test_an_indicator_is_parsed_with_its_baseline_and_target() -> None:
    form = parse_indicator(
        {
            "name": "Personnes accompagnées",
            "unit": "personnes",
            "baseline": "0",
            "target": "1 000",
            "target_on": "2027-06-30",
        }
    )

    assert (form.baseline, form.target) == (Decimal("0"), Decimal("1000"))
    assert form.measured_by == ""


def test_a_target_equal_to_its_baseline_is_left_to_the_domain() -> None:
    form = parse_indicator(
        {
            "name": "N",
            "unit": "u",
            "baseline": "5",
            "target": "5",
            "target_on": "2027-06-30",
        }
    )

    assert form.target == form.baseline


def test_a_measurement_is_dated_today_by_default_and_needs_a_source() -> None:
    form = parse_measurement({"value": "12", "source": "Registre"}, today=TODAY)

    assert (form.value, form.on) == (Decimal("12"), TODAY)
    assert errors_of(parse_measurement, {"value": "12"}, today=TODAY) == {
        "source": "This field is required."
    }


def test_reminder_days_are_whole_numbers_separated_by_commas_or_spaces() -> None:
    assert parse_days_before({"days_before": "30, 14;7 1"}) == (30, 14, 7, 1)
    assert parse_days_before({"days_before": ""}) == ()


@pytest.mark.parametrize("text", ["30, two", "12345", "1.5", "9" * 101])
def test_reminder_days_that_are_not_small_whole_numbers_are_refused(text: str) -> None:
    assert list(errors_of(parse_days_before, {"days_before": text})) == ["days_before"]


def test_preferences_are_a_delivery_and_an_offered_language() -> None:
    form = parse_preferences({"delivery": "digest", "language": "fr"}, ("en", "fr"))

    assert (form.delivery, form.language) == (Delivery.DIGEST, "fr")
    assert errors_of(
        parse_preferences, {"delivery": "digest", "language": "de"}, ("en", "fr")
    ) == {"language": "Choose one of the options."}


def test_personal_data_is_yes_or_no_with_a_partner_of_the_consortium() -> None:
    form = parse_personal_data(
        {"handles_personal_data": "yes", "data_protection_partner_id": "p-lab"},
        ["p-lab"],
    )

    assert (form.handles_personal_data, form.data_protection_partner_id) == (
        True,
        "p-lab",
    )
    assert set(
        errors_of(
            parse_personal_data,
            {"handles_personal_data": "maybe", "data_protection_partner_id": "p-x"},
            ["p-lab"],
        )
    ) == {"handles_personal_data", "data_protection_partner_id"}


def test_an_empty_involvement_clears_it() -> None:
    assert parse_involvement({"beneficiary_involvement": "  "}) == ""
