"""The decisions' forms, parsed without HTTP: a body, a proxy, a motion, a vote, a
decision recorded from a meeting. Shape only; bounds and periods are the domain's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from governance.voting import DEFAULT_OPTIONS, Majority, Outcome
from web.forms.decisions import (
    parse_body,
    parse_motion,
    parse_proxy,
    parse_recorded_decision,
    parse_vote,
)
from web.forms.fields import FormErrors, parse_portion, portion_text

PARTNERS = ["p-lead", "p-lab", "p-asso"]
PARIS = ZoneInfo("Europe/Paris")


def body_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "COPIL",
        "member-p-lead": "on",
        "weight-p-lead": "2",
        "member-p-lab": "on",
        "weight-p-lab": "",
        "weight-p-asso": "5",
        "quorum": "50",
        "majority": "simple",
        "veto_days": "15",
    }
    return {**fields, **overrides}


def errors_of(parse: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(parse)
    with pytest.raises(FormErrors) as caught:
        parse(*args, **kwargs)
    return caught.value.errors


def test_a_body_has_the_ticked_partners_with_their_weights() -> None:
    form = parse_body(body_fields(), PARTNERS)

    assert form.name == "COPIL"
    assert form.members == {"p-lead": 2, "p-lab": 1}
    assert form.rule.quorum == Fraction(1, 2)
    assert form.rule.majority is Majority.SIMPLE
    assert form.rule.veto_days == 15


@pytest.mark.parametrize(
    ("entered", "quorum"),
    [
        ("2/3", Fraction(2, 3)),
        ("3/4", Fraction(3, 4)),
        ("66.67", Fraction(6667, 10000)),
        ("66,67 %", Fraction(6667, 10000)),
        ("50", Fraction(1, 2)),
        ("0", Fraction(0)),
        ("100", Fraction(1)),
    ],
)
def test_a_quorum_is_a_percentage_or_an_exact_fraction(
    entered: str, quorum: Fraction
) -> None:
    assert parse_body(body_fields(quorum=entered), PARTNERS).rule.quorum == quorum


@pytest.mark.parametrize(
    "entered", ["1/0", "2/3/4", "50.555", "1e2", "two thirds", "-50", "²/3", "1000"]
)
def test_a_quorum_that_is_neither_a_percentage_nor_a_fraction_is_refused(
    entered: str,
) -> None:
    assert "quorum" in errors_of(parse_body, body_fields(quorum=entered), PARTNERS)


@pytest.mark.parametrize(
    "quorum",
    [Fraction(2, 3), Fraction(1, 2), Fraction(6667, 10000), Fraction(1, 3), 1],
)
def test_a_quorum_shown_in_the_form_reads_back_as_the_same_share(
    quorum: Fraction,
) -> None:
    assert parse_portion(portion_text(quorum)) == quorum


def test_a_body_ticks_only_partners_of_the_consortium() -> None:
    form = parse_body(body_fields(**{"member-p-stranger": "on"}), PARTNERS)

    assert "p-stranger" not in form.members


def test_a_body_needs_at_least_one_member_ticked() -> None:
    fields = body_fields()
    del fields["member-p-lead"], fields["member-p-lab"]

    assert errors_of(parse_body, fields, PARTNERS) == {
        "members": "body.members_required"
    }


def test_a_weight_that_is_not_a_whole_number_is_refused_on_its_input() -> None:
    errors = errors_of(parse_body, body_fields(**{"weight-p-lead": "1.5"}), PARTNERS)

    assert errors == {"weight-p-lead": "body.weight_invalid"}


def test_weights_quorum_and_veto_out_of_bounds_are_left_to_the_domain() -> None:
    form = parse_body(
        body_fields(**{"weight-p-lead": "500"}, quorum="150", veto_days="400"),
        PARTNERS,
    )

    assert form.members["p-lead"] == 500
    assert form.rule.quorum == Decimal("1.5")
    assert form.rule.veto_days == 400


def test_a_veto_window_that_is_not_a_whole_number_is_refused() -> None:
    errors = errors_of(parse_body, body_fields(veto_days="two weeks"), PARTNERS)

    assert errors == {"veto_days": "body.veto_days_invalid"}


def test_a_proxy_is_parsed_with_its_partners_and_period() -> None:
    form = parse_proxy(
        {
            "from_partner": "p-asso",
            "to_partner": "p-lab",
            "valid_from": "2026-03-01",
            "valid_until": "2026-03-31",
        }
    )

    assert (form.from_partner, form.to_partner) == ("p-asso", "p-lab")
    assert form.valid_until == date(2026, 3, 31)


def test_a_proxy_ending_before_it_starts_is_left_to_the_domain() -> None:
    form = parse_proxy(
        {
            "from_partner": "p-asso",
            "to_partner": "p-lab",
            "valid_from": "2026-03-31",
            "valid_until": "2026-03-01",
        }
    )

    assert form.valid_until < form.valid_from


def test_a_written_motion_closes_at_a_time_read_in_the_given_zone() -> None:
    form = parse_motion(
        {
            "body_id": "b-1",
            "title": "Budget",
            "mode": "written",
            "closes_at": "2026-03-10T18:00",
        },
        zone=PARIS,
    )

    assert form.closes_at == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert form.options == DEFAULT_OPTIONS
    assert form.meeting_on is None


def test_a_meeting_motion_needs_the_day_of_the_meeting() -> None:
    errors = errors_of(
        parse_motion,
        {"body_id": "b-1", "title": "Budget", "mode": "meeting"},
        zone=PARIS,
    )

    assert errors == {"meeting_on": "This field is required."}


def test_custom_options_are_one_a_line_and_their_count_is_left_to_the_domain() -> None:
    form = parse_motion(
        {
            "body_id": "b-1",
            "title": "Lieu",
            "mode": "meeting",
            "meeting_on": "2026-03-02",
            "options": "Lyon\n\n Lyon \n",
        },
        zone=PARIS,
    )

    assert form.options == ("Lyon", "Lyon")


def test_an_option_longer_than_a_hundred_characters_is_refused() -> None:
    errors = errors_of(
        parse_motion,
        {
            "body_id": "b-1",
            "title": "Lieu",
            "mode": "meeting",
            "meeting_on": "2026-03-02",
            "options": "Lyon\n" + "x" * 101,
        },
        zone=PARIS,
    )

    assert errors == {"options": "proposal.options_invalid"}


@pytest.mark.parametrize("closes_at", ["tomorrow", "0001-01-01T00:00"])
def test_a_closing_time_that_is_not_a_moment_is_refused(closes_at: str) -> None:
    errors = errors_of(
        parse_motion,
        {"body_id": "b", "title": "T", "mode": "written", "closes_at": closes_at},
        zone=PARIS,
    )

    assert errors == {"closes_at": "Enter a date and time."}


def test_a_motion_decided_neither_in_writing_nor_in_a_meeting_is_refused() -> None:
    errors = errors_of(
        parse_motion, {"body_id": "b", "title": "T", "mode": "oracle"}, zone=PARIS
    )

    assert errors == {"mode": "proposal.mode_invalid"}


def test_a_vote_names_the_partner_and_the_option() -> None:
    form = parse_vote({"partner_id": "p-lab", "option": "Pour", "reason": ""})

    assert (form.partner_id, form.option, form.reason) == ("p-lab", "Pour", "")


def test_a_vote_without_an_option_is_refused() -> None:
    assert errors_of(parse_vote, {"partner_id": "p-lab"}) == {
        "option": "This field is required."
    }


def test_a_recorded_decision_has_the_partners_ticked_present() -> None:
    form = parse_recorded_decision(
        {
            "body_id": "b-1",
            "title": "Règlement",
            "outcome": "adopted",
            "decided_on": "2026-03-02",
            "present-p-lead": "on",
            "present-p-asso": "on",
        },
        PARTNERS,
    )

    assert form.present == ("p-lead", "p-asso")
    assert form.outcome is Outcome.ADOPTED


def test_a_recorded_decision_is_adopted_or_rejected_with_someone_present() -> None:
    errors = errors_of(
        parse_recorded_decision,
        {
            "body_id": "b-1",
            "title": "R",
            "outcome": "vetoed",
            "decided_on": "2026-03-02",
        },
        PARTNERS,
    )

    assert errors == {
        "present": "decision.present_required",
        "outcome": "decision.outcome_invalid",
    }
