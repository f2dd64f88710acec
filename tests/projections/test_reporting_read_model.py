"""The reporting read model keeps the indicator values a report's draft included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import Connection

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole
from projections.indicators import PeriodValues, indicators_of, period_values
from projections.reporting import (
    indicators_of_report,
    obligation,
    steps_of_report,
)
from projections.runtime import ReadSide
from tests.support.builders import (
    defined_indicator,
    founded_consortium,
    person_in_role,
    scheduled_report,
)
from tests.support.statements import statements_sent

DUE_ON = date(2026, 7, 31)


@pytest.fixture
def consortium_id(app: Governance, coordinator: Actor) -> UUID:
    return founded_consortium(app, coordinator)


@pytest.fixture
def pilot(app: Governance, coordinator: Actor, consortium_id: UUID) -> Actor:
    return person_in_role(
        app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )


@pytest.fixture
def connection(read_side: ReadSide) -> Iterator[Connection]:
    with read_side.engine.connect() as connection:
        yield connection


def test_a_draft_with_indicator_values_is_read_back_with_progress(
    app: Governance,
    pilot: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)  # 120 → 500
    for day, value in (("2026-03-01", "215"), ("2026-06-30", "310")):
        app.measure_indicator(
            pilot, helped, Decimal(value), date.fromisoformat(day), "Feuilles"
        )
    report = scheduled_report(app, pilot, consortium_id, due_on=DUE_ON)
    app.draft_report(pilot, report, "Bilan", (), indicators=(helped,))
    read_side.catch_up()

    (included,) = indicators_of_report(connection, str(report))
    live = period_values(
        indicators_of(connection, str(consortium_id)), None, None, DUE_ON
    )

    assert isinstance(included, PeriodValues)
    assert included == live[0]
    assert (included.name, included.unit) == ("Personnes accompagnées", "personnes")
    assert [(v.on, v.value, v.source) for v in included.values] == [
        (date(2026, 3, 1), Decimal("215"), "Feuilles"),
        (date(2026, 6, 30), Decimal("310"), "Feuilles"),
    ]
    assert included.latest == included.values[-1]
    assert included.progress == Decimal("0.5")
    assert [s.kind for s in steps_of_report(connection, str(report))] == [
        "scheduled",
        "drafted_with_indicators",
    ]


def test_a_redraft_without_them_leaves_them_out(
    app: Governance,
    pilot: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    report = scheduled_report(app, pilot, consortium_id)
    app.draft_report(pilot, report, "Bilan", (), indicators=(helped,))
    app.draft_report(pilot, report, "Bilan revu", ())
    read_side.catch_up()

    assert indicators_of_report(connection, str(report)) == []
    row = obligation(connection, str(consortium_id), str(report))
    assert row is not None
    assert row.text == "Bilan revu"
    assert [s.kind for s in steps_of_report(connection, str(report))][-1] == "drafted"


def test_an_indicator_not_measured_in_the_period_has_no_progress(
    app: Governance,
    pilot: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    app.measure_indicator(pilot, helped, Decimal("300"), date(2026, 9, 1), "Après")
    report = scheduled_report(app, pilot, consortium_id, due_on=DUE_ON)
    app.draft_report(pilot, report, "Bilan", (), indicators=(helped,))
    read_side.catch_up()

    (included,) = indicators_of_report(connection, str(report))

    assert included.values == ()
    assert (included.latest, included.progress) == (None, None)


def deletes_of_indicators(read_side: ReadSide) -> int:
    """How many times catching up deletes a report's indicator rows."""
    with statements_sent(read_side.writer) as sent:
        read_side.catch_up()
    return sum(s.upper().startswith("DELETE FROM REPORT_INDICATORS") for s in sent)


def test_a_batch_deletes_only_the_indicator_rows_it_finds_stored(
    app: Governance,
    pilot: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
) -> None:
    helped = defined_indicator(app, pilot, consortium_id)
    reports = [
        scheduled_report(app, pilot, consortium_id, title=f"Rapport {n}")
        for n in range(3)
    ]
    read_side.catch_up()
    for report in reports:
        app.draft_report(pilot, report, "Bilan", (), indicators=(helped,))
    # Drafted twice in the batch: the first draft's rows are still waiting.
    app.draft_report(pilot, reports[0], "Bilan revu", (), indicators=(helped,))

    # First drafts: nothing stored to delete, and no statement to learn it each;
    # the report drafted twice deletes once (its first rows may be written by then).
    assert deletes_of_indicators(read_side) == 1
    with read_side.engine.connect() as connection:
        for report in reports:
            assert len(indicators_of_report(connection, str(report))) == 1

    app.draft_report(pilot, reports[1], "Bilan 2", (), indicators=(helped,))
    app.draft_report(pilot, reports[2], "Bilan 2", ())

    assert deletes_of_indicators(read_side) == 2  # their stored rows, replaced
    with read_side.engine.connect() as connection:  # reads after this batch
        assert len(indicators_of_report(connection, str(reports[1]))) == 1
        assert indicators_of_report(connection, str(reports[2])) == []
        row = obligation(connection, str(consortium_id), str(reports[0]))
        assert row is not None
        assert row.text == "Bilan revu"
