"""The capitalisation read model: the register, filtered and paged, and histories."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from sqlalchemy import Connection

from governance.actor import Actor
from governance.application import Governance
from governance.values import CapitalisationKind
from projections.capitalisation import (
    capitalisation_counts,
    capitalisation_entry,
    capitalisation_of,
    steps_of_entry,
)
from projections.runtime import ReadSide
from tests.support.builders import (
    a_dissemination,
    a_lesson,
    a_replication,
    an_asset,
    founded_consortium,
)


@pytest.fixture
def consortium_id(app: Governance, coordinator: Actor) -> UUID:
    return founded_consortium(app, coordinator)


@pytest.fixture
def connection(read_side: ReadSide) -> Iterator[Connection]:
    with read_side.engine.connect() as connection:
        yield connection


def test_entries_come_back_as_recorded_with_their_kinds_newest_first(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    recorded = [
        app.record_capitalisation(coordinator, consortium_id, entry).id
        for entry in (a_lesson(), an_asset(), a_replication(), a_dissemination())
    ]

    read_side.catch_up()
    rows, total = capitalisation_of(connection, str(consortium_id))

    assert total == 4
    assert [r.entry_id for r in rows] == recorded[::-1]
    assert [r.entry for r in rows] == [
        a_dissemination(),
        a_replication(),
        an_asset(),
        a_lesson(),
    ]
    assert [r.recorded_by for r in rows] == [coordinator.account_id] * 4


def test_an_amended_then_withdrawn_entry_keeps_its_history(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    entry_id = UUID(
        app.record_capitalisation(coordinator, consortium_id, an_asset()).id
    )
    app.amend_capitalisation(
        coordinator, entry_id, an_asset(licence="EUPL-1.2"), "Licence harmonisée"
    )
    app.withdraw_capitalisation(coordinator, entry_id, "Remplacé par la v2")

    read_side.catch_up()
    row = capitalisation_entry(connection, str(consortium_id), str(entry_id))
    history = steps_of_entry(connection, str(entry_id))

    assert row is not None
    assert row.withdrawn
    assert row.entry == an_asset(licence="EUPL-1.2")
    assert row.withdrawal_reason == "Remplacé par la v2"
    assert [(s.step, s.reason) for s in history] == [
        ("recorded", ""),
        ("amended", "Licence harmonisée"),
        ("withdrawn", "Remplacé par la v2"),
    ]
    assert [s.entry for s in history] == [
        an_asset(),
        an_asset(licence="EUPL-1.2"),
        None,
    ]
    assert capitalisation_of(connection, str(consortium_id)) == ([], 0)
    assert capitalisation_of(connection, str(consortium_id), status="withdrawn")[1] == 1


def test_the_register_filters_by_kind_and_pages(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    for number in range(7):
        app.record_capitalisation(
            coordinator, consortium_id, a_lesson(title=f"Leçon {number}")
        )
    app.record_capitalisation(coordinator, consortium_id, an_asset())

    read_side.catch_up()
    first, total = capitalisation_of(
        connection, str(consortium_id), kind=CapitalisationKind.LESSON, limit=5
    )
    second, _ = capitalisation_of(
        connection,
        str(consortium_id),
        kind=CapitalisationKind.LESSON,
        limit=5,
        offset=5,
    )

    assert total == 7
    assert [r.title for r in first + second] == [f"Leçon {n}" for n in range(6, -1, -1)]
    assert capitalisation_counts(connection, str(consortium_id)) == {
        CapitalisationKind.LESSON: 7,
        CapitalisationKind.ASSET: 1,
        CapitalisationKind.REPLICATION: 0,
        CapitalisationKind.DISSEMINATION: 0,
    }


def test_an_entry_of_another_consortium_is_not_found_here(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    read_side: ReadSide,
    connection: Connection,
) -> None:
    other = founded_consortium(app, coordinator, name="Autre")
    entry_id = app.record_capitalisation(coordinator, other, a_lesson()).id

    read_side.catch_up()

    assert capitalisation_entry(connection, str(consortium_id), entry_id) is None
    assert capitalisation_entry(connection, str(other), entry_id) is not None
