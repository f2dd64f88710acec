"""The history keeps what each entry is about (a kind and an id), not a web address.

A store written by a version that kept addresses (an ``about`` column of paths such as
``partners/<id>``) is rebuilt at start-up: its history is read again from the log.
"""

from __future__ import annotations

from sqlalchemy import insert, inspect

from governance.actor import Actor
from governance.application import Governance
from projections.history import ABOUT, AREA_OF_KIND, HistoryProjection, history_of
from projections.history.tables import history
from projections.runtime import ReadSide, fingerprint
from tests.support.builders import (
    T0,
    admitted_partner,
    an_authority,
    founded_consortium,
)
from tests.support.old_history import OldHistory, as_an_older_version_left_it


def test_every_kind_of_entry_says_what_kind_of_thing_it_is_about() -> None:
    assert set(ABOUT) == set(AREA_OF_KIND)


def test_entries_name_the_thing_they_are_about_by_kind_and_id(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    cid = founded_consortium(app, coordinator)
    partner = admitted_partner(app, coordinator, cid, an_authority())
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        entries = history_of(connection, str(cid)).entries

    assert [(e.kind, e.about_kind, e.about_id) for e in entries] == [
        ("partner_joined", "partner", partner),
        ("membership_granted", "member", coordinator.account_id),
        ("founded", "consortium", str(cid)),
    ]


def test_a_history_that_kept_web_paths_is_rebuilt_at_start_up(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    # Given a store whose history was written by a version that kept web paths
    cid = founded_consortium(app, coordinator)
    partner = admitted_partner(app, coordinator, cid, an_authority())
    read_side.catch_up()
    old_table = as_an_older_version_left_it(read_side.engine)
    with read_side.engine.begin() as connection:
        connection.execute(
            insert(old_table).values(
                position=1,
                consortium_id=str(cid),
                recorded_at=T0,
                actor_id=coordinator.account_id,
                kind="partner_joined",
                subject_id=partner,
                params="{}",
                area="partners",
                about=f"partners/{partner}",
            )
        )
    # When the new version starts, and catches up
    read_side.create_tables()
    rebuilt_from = read_side.positions()["history"]
    read_side.catch_up()
    # Then the history was read again from the log, into kinds and ids
    physical = read_side.sets()["history"].physical(history.name)
    columns = {c["name"] for c in inspect(read_side.engine).get_columns(physical)}
    with read_side.engine.connect() as connection:
        entries = history_of(connection, str(cid)).entries
    assert fingerprint(OldHistory()) != fingerprint(HistoryProjection())
    assert rebuilt_from == 0
    assert "about" not in columns
    assert [(e.kind, e.about_kind, e.about_id) for e in entries] == [
        ("partner_joined", "partner", partner),
        ("membership_granted", "member", coordinator.account_id),
        ("founded", "consortium", str(cid)),
    ]
