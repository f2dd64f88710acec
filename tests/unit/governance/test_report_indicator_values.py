"""Indicator values in a report: which values belong to a report's period, and the
snapshot a draft records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.indicator import Indicator
from governance.reporting import ReportingObligation
from governance.rules import in_report_window
from governance.values import ReportedIndicator, ReportedValue, ReportStatus
from tests.support.builders import (
    REPORT_DUE_ON,
    REPORT_PERIOD,
    an_evidence,
    an_indicator,
    an_obligation,
)

pytestmark = pytest.mark.usefixtures("acting")


def measured(*values: tuple[date, str]) -> Indicator:
    """People helped, measured on these days (recorded in the order given)."""
    indicator = an_indicator()
    for number, (on, value) in enumerate(values):
        indicator.measure(f"m-{number}", Decimal(value), on, "Feuilles d'émargement")
    return indicator


@pytest.mark.parametrize(
    ("on", "inside"),
    [
        (date(2025, 12, 31), False),
        (REPORT_PERIOD[0], True),
        (date(2026, 3, 31), True),
        (REPORT_PERIOD[1], True),
        (date(2026, 7, 1), False),
        (REPORT_DUE_ON, False),
    ],
)
def test_a_periodic_report_covers_its_period_bounds_included(
    on: date, inside: bool
) -> None:
    assert in_report_window(on, *REPORT_PERIOD, REPORT_DUE_ON) is inside


def test_a_one_off_report_covers_everything_up_to_its_due_date() -> None:
    due = date(2027, 3, 31)

    assert in_report_window(date(2020, 1, 1), None, None, due)
    assert in_report_window(due, None, None, due)
    assert not in_report_window(date(2027, 4, 1), None, None, due)


def test_an_indicator_reports_the_values_of_the_period_by_date() -> None:
    indicator = measured(
        (date(2026, 6, 30), "260"),
        (date(2025, 12, 1), "100"),
        (date(2026, 2, 1), "150"),
        (date(2026, 7, 2), "300"),
    )

    reported = indicator.reported(*REPORT_PERIOD, REPORT_DUE_ON)

    assert reported == ReportedIndicator(
        indicator_id=str(indicator.id),
        name="Personnes accompagnées",
        unit="personnes",
        baseline=Decimal("120"),
        target=Decimal("500"),
        target_on=indicator.target_on,
        values=(
            ReportedValue(date(2026, 2, 1), Decimal("150"), "Feuilles d'émargement"),
            ReportedValue(date(2026, 6, 30), Decimal("260"), "Feuilles d'émargement"),
        ),
    )
    assert reported.latest == reported.values[-1]


def test_a_one_off_report_takes_every_value_up_to_its_due_date() -> None:
    indicator = measured((date(2025, 1, 1), "130"), (date(2027, 1, 1), "400"))

    reported = indicator.reported(None, None, date(2026, 12, 31))

    assert [v.value for v in reported.values] == [Decimal("130")]


def test_an_indicator_not_measured_in_the_period_reports_no_value() -> None:
    reported = measured((date(2027, 1, 1), "400")).reported(
        *REPORT_PERIOD, REPORT_DUE_ON
    )

    assert reported.values == ()
    assert reported.latest is None


def a_snapshot(*days: date) -> ReportedIndicator:
    indicator = measured(*((day, str(200 + n)) for n, day in enumerate(days)))
    return indicator.reported(None, None, date(2099, 1, 1))


def test_a_draft_records_the_indicator_values_it_includes() -> None:
    obligation = an_obligation()
    obligation.collect_events()
    snapshot = a_snapshot(date(2026, 3, 1), date(2026, 6, 1))

    obligation.draft("Premier semestre.", (), (snapshot,))

    (drafted,) = obligation.collect_events()
    assert isinstance(drafted, ReportingObligation.ReportDrafted)
    assert drafted.indicator_values == (snapshot,)
    assert obligation.indicator_values == (snapshot,)


def test_indicator_values_alone_make_a_draft() -> None:
    obligation = an_obligation()

    obligation.draft("  ", (), (a_snapshot(date(2026, 3, 1)),))

    assert obligation.status is ReportStatus.DRAFTED


def test_a_redraft_without_indicator_values_leaves_them_out() -> None:
    obligation = an_obligation()
    obligation.draft("Premier jet.", (an_evidence(),), (a_snapshot(date(2026, 3, 1)),))

    obligation.draft("Second jet.", ())

    assert obligation.indicator_values == ()
    assert obligation.attachments == (an_evidence(),)  # files are kept, values not


@pytest.mark.parametrize(
    ("snapshots", "code"),
    [
        pytest.param(
            lambda: (a_snapshot(date(2026, 7, 1)),),
            "report.value_outside_period",
            id="value-after-the-period",
        ),
        pytest.param(
            lambda: (a_snapshot(date(2025, 12, 31)),),
            "report.value_outside_period",
            id="value-before-the-period",
        ),
        pytest.param(
            lambda: (a_snapshot(date(2026, 3, 1)),) * 2,
            "report.indicator_twice",
            id="same-indicator-twice",
        ),
    ],
)
def test_values_that_do_not_belong_to_the_report_are_refused(
    snapshots: object, code: str
) -> None:
    obligation = an_obligation()
    obligation.collect_events()

    with pytest.raises(RuleViolated) as refused:
        obligation.draft("Texte", (), snapshots())  # type: ignore[operator]

    assert refused.value.code == code
    assert obligation.collect_events() == []
    assert obligation.status is ReportStatus.DUE
