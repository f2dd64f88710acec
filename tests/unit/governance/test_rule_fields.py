"""A refused rule about one input names it (``RuleViolated.field``), by the name the
command or value gives it, so a form can show the refusal next to that input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.values import ContributionKind, check_amount, check_period
from tests.support.builders import (
    a_call,
    a_dissemination,
    a_lesson,
    a_pledge,
    an_asset,
)


def refused(action: Callable[[], object]) -> RuleViolated:
    with pytest.raises(RuleViolated) as caught:
        action()
    return caught.value


@pytest.mark.parametrize(
    ("action", "code", "field"),
    [
        pytest.param(
            lambda: a_pledge(amount=Decimal("0")).check(),
            "amount.not_positive",
            "amount",
            id="amount",
        ),
        pytest.param(
            lambda: a_pledge(
                kind=ContributionKind.HUMAN, daily_rate=Decimal("0.001")
            ).check(),
            "daily_rate.too_precise",
            "daily_rate",
            id="daily-rate-precision",
        ),
        pytest.param(
            lambda: a_pledge(daily_rate=Decimal("400")).check(),
            "commitment.daily_rate_only_for_human",
            "daily_rate",
            id="daily-rate-for-money",
        ),
        pytest.param(
            lambda: a_pledge(ends_on=date(2025, 1, 1)).check(),
            "period.ends_before_start",
            "ends_on",
            id="period",
        ),
        pytest.param(
            lambda: a_pledge(kind=ContributionKind.DATA_SET).check(),
            "commitment.licence_required",
            "licence",
            id="licence",
        ),
        pytest.param(
            lambda: a_pledge(kind=ContributionKind.IN_KIND).check(),
            "commitment.valuation_method_required",
            "valuation_method",
            id="valuation-method",
        ),
        pytest.param(
            lambda: a_call(url="ftp://appels.example"),
            "call.url_invalid",
            "url",
            id="call-url",
        ),
        pytest.param(
            lambda: a_call(closing_dates=(date(2025, 1, 1),)),
            "call.closes_before_opening",
            "closing_dates",
            id="call-closing-dates",
        ),
        pytest.param(
            lambda: a_lesson(for_whom=" ").check(),
            "lesson.for_whom_required",
            "for_whom",
            id="lesson",
        ),
        pytest.param(
            lambda: an_asset(url="javascript:alert(1)").check(),
            "asset.url_invalid",
            "url",
            id="asset-url",
        ),
        pytest.param(
            lambda: a_dissemination(place="", url="").check(),
            "dissemination.place_required",
            "place",
            id="dissemination-place",
        ),
    ],
)
def test_a_rule_about_one_input_names_that_input(
    action: Callable[[], object], code: str, field: str
) -> None:
    error = refused(action)

    assert (error.code, error.field) == (code, field)


def test_an_amount_check_names_the_field_it_was_given() -> None:
    error = refused(lambda: check_amount(Decimal("-1"), "daily_rate"))

    assert (error.code, error.field) == ("daily_rate.not_positive", "daily_rate")


def test_a_period_check_names_the_end_it_was_given() -> None:
    error = refused(
        lambda: check_period(date(2026, 2, 1), date(2026, 1, 1), "valid_until")
    )

    assert error.field == "valid_until"


def test_a_rule_about_the_whole_command_names_no_field() -> None:
    error = RuleViolated("proposal.closed")

    assert error.field is None
    assert error.params == {}
