"""Read models are disposable and exactly-once: incremental equals rebuilt.

Whatever the path (one event at a time, small batches, a full rebuild, a second
catch-up), the rows must be the same, and a position already applied is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from sqlalchemy import select

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole, PartnerRole
from projections.base import metadata
from projections.event_log import LibraryEventLog
from projections.runtime import (
    PositionAlreadyApplied,
    Progress,
    ReadSide,
)
from tests.support.builders import (
    JOINED_ON,
    a_lived_consortium,
    admitted_partner,
    founded_consortium,
    person_in_role,
)
from tests.support.fakes import FixedClock

Rows = dict[str, list[tuple[Any, ...]]]


class Memo(Aggregate):
    """An aggregate no projection knows, like one a later feature will add."""


def all_rows(read_side: ReadSide) -> Rows:
    """Every row of every read-model table, tracking included, in a stable order."""
    with read_side.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.execute(select(table))), key=repr
            )
            for table in metadata.sorted_tables
        }


@pytest.fixture
def lived(app: Governance, coordinator: Actor, clock: FixedClock) -> int:
    """Write the lived consortium; returns the last position of the log."""
    a_lived_consortium(app, coordinator, clock)
    return int(app.recorder.max_notification_id() or 0)


def test_catching_up_after_each_command_equals_a_full_rebuild(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    consortium_id = founded_consortium(app, coordinator)
    read_side.catch_up()
    lead = admitted_partner(app, coordinator, consortium_id, role=PartnerRole.LEAD)
    read_side.catch_up()
    app.change_partner_axis(coordinator, consortium_id, lead, "Coordination")
    read_side.catch_up()
    person_in_role(app, coordinator, consortium_id, "acc-lead", MemberRole.MEMBER, lead)
    read_side.catch_up()
    app.change_member_role(
        coordinator, consortium_id, "acc-lead", MemberRole.PILOT_TEAM, None
    )
    read_side.catch_up()
    app.withdraw_partner(coordinator, consortium_id, lead, JOINED_ON, "Départ")
    read_side.catch_up()
    incremental = all_rows(read_side)

    read_side.rebuild()

    assert all_rows(read_side) == incremental
    assert incremental["partners"]
    assert incremental["consortium_history"]


def test_a_rebuild_of_the_whole_history_equals_the_incremental_read_side(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    consortium = a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    app.change_partner_axis(
        coordinator, consortium.consortium_id, consortium.lab_id, "Data"
    )
    read_side.catch_up()
    incremental = all_rows(read_side)

    read = read_side.rebuild()

    assert read == app.recorder.max_notification_id()
    assert all_rows(read_side) == incremental


def test_rebuilding_one_read_model_leaves_the_others_alone(
    lived: int, read_side: ReadSide
) -> None:
    read_side.catch_up()
    before = all_rows(read_side)

    read_side.rebuild(["partners"])

    assert all_rows(read_side) == before
    assert read_side.positions() == dict.fromkeys(read_side.projections, lived)


def test_catching_up_twice_changes_nothing(lived: int, read_side: ReadSide) -> None:
    first = read_side.catch_up()
    after_first = all_rows(read_side)

    second = read_side.catch_up()

    assert (first, second) == (lived, 0)
    assert all_rows(read_side) == after_first


@pytest.mark.parametrize(
    "name", ["consortia", "partners", "members", "history", "ledger"]
)
def test_applying_a_position_already_applied_is_refused_and_changes_nothing(
    app: Governance, lived: int, read_side: ReadSide, name: str
) -> None:
    read_side.catch_up()
    before = all_rows(read_side)
    old = LibraryEventLog(app.recorder, app.mapper).read(after=3, limit=1)[0]

    with pytest.raises(PositionAlreadyApplied):
        read_side.apply(name, old)

    assert all_rows(read_side) == before


def test_applying_the_next_position_by_hand_advances_that_read_model_only(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    founded_consortium(app, coordinator)
    first = LibraryEventLog(app.recorder, app.mapper).read(after=0, limit=1)[0]

    read_side.apply("consortia", first)

    assert read_side.positions() == {
        name: 1 if name == "consortia" else 0 for name in read_side.projections
    }
    with read_side.engine.connect() as connection:
        assert connection.execute(select(metadata.tables["consortia"])).all()


def test_the_tracking_position_moves_past_events_no_read_model_handles(
    app: Governance, lived: int, read_side: ReadSide
) -> None:
    read_side.catch_up()
    before = all_rows(read_side)
    recordings = app.save(Memo())
    position = recordings[-1].notification.id

    caught_up = read_side.wait_for(position, timeout=1.0)

    assert caught_up
    assert read_side.positions() == dict.fromkeys(read_side.projections, position)
    after = all_rows(read_side)
    assert after.pop("projection_tracking") != before.pop("projection_tracking")
    # The audit chain links every event, known or not.
    assert len(after.pop("audit_chain")) == len(before.pop("audit_chain")) + 1
    assert after == before


def test_every_read_model_tracks_events_it_ignores(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    # Founding records nothing in the partners read model, yet moves its position.
    founded_consortium(app, coordinator)
    position = int(app.recorder.max_notification_id() or 0)

    assert read_side.wait_for(position)

    assert read_side.positions()["partners"] == position
    assert all_rows(read_side)["partners"] == []


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7])
def test_batch_boundaries_do_not_change_the_result(
    lived: int, read_side_on: Callable[[str], ReadSide], batch_size: int
) -> None:
    in_one_go = read_side_on("one-go.db")
    in_batches = read_side_on("batches.db")
    in_one_go.catch_up()

    read = in_batches.catch_up(batch_size=batch_size)

    assert read == lived
    assert all_rows(in_batches) == all_rows(in_one_go)


def test_catching_up_reports_progress_after_each_batch(
    lived: int, read_side: ReadSide
) -> None:
    reports: list[Progress] = []

    read_side.catch_up(batch_size=8, progress=reports.append)

    assert reports == [
        Progress(8, lived),
        Progress(16, lived),
        Progress(lived, lived),
    ]


def test_creating_the_tables_again_keeps_rows_and_positions(
    lived: int, read_side: ReadSide
) -> None:
    read_side.catch_up()
    before = all_rows(read_side)

    read_side.create_tables()

    assert all_rows(read_side) == before
