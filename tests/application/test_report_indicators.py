"""Drafting a report with the indicator values of its period, through the service.

The service reads the values from the indicators themselves (the event store), so
what the report includes is what was recorded when it was drafted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound
from governance.reporting import ReportingObligation
from governance.values import MemberRole, ReportedValue, ReportKind
from tests.support.builders import (
    defined_indicator,
    founded_consortium,
    person_in_role,
    scheduled_report,
)


@pytest.fixture
def pilot(app: Governance, coordinator: Actor, consortium_id: UUID) -> Actor:
    return person_in_role(
        app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )


def measure(app: Governance, actor: Actor, indicator_id: UUID, *values: str) -> None:
    """Values given as ``YYYY-MM-DD=value``."""
    for text in values:
        day, value = text.split("=")
        app.measure_indicator(
            actor, indicator_id, Decimal(value), date.fromisoformat(day), "Comptage"
        )


def obligation_in(app: Governance, obligation_id: UUID) -> ReportingObligation:
    obligation: object = app.repository.get(obligation_id)
    assert isinstance(obligation, ReportingObligation)
    return obligation


def quarter_report(app: Governance, actor: Actor, consortium_id: UUID) -> UUID:
    """The first quarter of 2026's indicator update, due 30 days after it."""
    created = app.schedule_periodic_reports(
        actor,
        consortium_id,
        funder="Banque fictive",
        title="Indicateurs trimestriels",
        kind=ReportKind.INDICATOR_UPDATE,
        responsible_id=None,
        first_period_start=date(2026, 1, 1),
        every_months=3,
        due_days=30,
        count=1,
    )
    (scheduled,) = app.recorder.select_notifications(start=created.position, limit=1)
    return UUID(str(scheduled.originator_id))


def test_a_periodic_report_includes_the_values_of_its_period(
    app: Governance, pilot: Actor, consortium_id: UUID
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    computers = defined_indicator(app, pilot, consortium_id, name="Ordinateurs")
    measure(app, pilot, helped, "2025-12-15=90", "2026-02-01=150", "2026-03-31=210")
    measure(app, pilot, helped, "2026-04-01=260")
    report = quarter_report(app, pilot, consortium_id)

    app.draft_report(pilot, report, "T1", (), indicators=(helped, computers))

    included = obligation_in(app, report).indicator_values
    assert [i.indicator_id for i in included] == [str(helped), str(computers)]
    assert included[0].values == (
        ReportedValue(date(2026, 2, 1), Decimal("150"), "Comptage"),
        ReportedValue(date(2026, 3, 31), Decimal("210"), "Comptage"),
    )
    assert included[1].values == ()  # defined, not measured in the quarter


def test_a_one_off_report_includes_every_value_up_to_its_due_date(
    app: Governance, pilot: Actor, consortium_id: UUID
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    measure(app, pilot, helped, "2025-06-01=100", "2026-07-31=300", "2026-08-01=320")
    report = scheduled_report(app, pilot, consortium_id, due_on=date(2026, 7, 31))

    app.draft_report(pilot, report, "Bilan", (), indicators=(helped,))

    (included,) = obligation_in(app, report).indicator_values
    assert [v.value for v in included.values] == [Decimal("100"), Decimal("300")]


def test_what_was_included_stays_as_it_was_drafted(
    app: Governance, pilot: Actor, consortium_id: UUID
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    measure(app, pilot, helped, "2026-03-01=150")
    report = scheduled_report(app, pilot, consortium_id)
    app.draft_report(pilot, report, "Bilan", (), indicators=(helped, helped))
    app.submit_report(pilot, report)

    measure(app, pilot, helped, "2026-04-01=400")

    (included,) = obligation_in(app, report).indicator_values
    assert [v.value for v in included.values] == [Decimal("150")]


def test_an_indicator_of_another_consortium_is_not_found_and_nothing_recorded(
    app: Governance, coordinator: Actor, pilot: Actor, consortium_id: UUID
) -> None:
    other = founded_consortium(app, coordinator, name="Autre projet")
    theirs = defined_indicator(app, coordinator, other)
    report = scheduled_report(app, pilot, consortium_id)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        app.draft_report(pilot, report, "Bilan", (), indicators=(theirs,))
    with pytest.raises(NotFound):
        app.draft_report(pilot, report, "Bilan", (), indicators=(uuid4(),))
    with pytest.raises(NotFound):
        app.draft_report(pilot, report, "Bilan", (), indicators=(report,))

    assert (refused.value.kind, refused.value.identifier) == ("indicator", theirs)
    assert app.recorder.max_notification_id() == before
