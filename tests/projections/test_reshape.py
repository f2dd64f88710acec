"""A read model whose tables changed shape is rebuilt beside the old one, not
migrated (``tests/projections/test_table_sets.py`` has two versions side by side)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update

from governance.actor import Actor
from governance.application import Governance
from projections.consortia import consortia
from projections.runtime import ReadSide
from projections.table_sets import BUILDING, CURRENT, fingerprint, sets
from tests.support.builders import founded_consortium


def consortium_rows(read_side: ReadSide) -> int:
    with read_side.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(consortia)) or 0)


def test_an_unchanged_read_side_keeps_its_rows_and_position(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    founded_consortium(app, coordinator)
    read_side.catch_up()
    before = read_side.positions()

    read_side.create_tables()

    assert read_side.positions() == before
    assert consortium_rows(read_side) == 1


def test_a_reshaped_read_model_is_built_beside_the_old_one_then_read(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    # Given a read side whose consortia set was built by an older version
    founded_consortium(app, coordinator)
    read_side.catch_up()
    with read_side.engine.begin() as connection:
        connection.execute(
            update(sets).where(sets.c.name == "consortia").values(fingerprint="older")
        )
    # When the new version starts
    read_side.create_tables()
    # Then that projection starts a set of its own from scratch, the others keep
    # their place, and pages still read the older set's rows
    positions = read_side.positions()
    assert positions["consortia"] == 0
    assert positions["partners"] > 0
    assert read_side.sets()["consortia"].state == BUILDING
    assert consortium_rows(read_side) == 1
    # And the next catch-up fills it, and pages read it from then on
    read_side.catch_up()
    assert read_side.sets()["consortia"].state == CURRENT
    assert read_side.sets()["consortia"].suffix
    assert consortium_rows(read_side) == 1


def test_a_store_made_before_table_sets_keeps_its_rows_and_positions(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    # Given a store whose read side recorded one fingerprint per projection
    founded_consortium(app, coordinator)
    read_side.catch_up()
    before = read_side.positions()
    with read_side.engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE projection_schemas (name TEXT, fingerprint TEXT)")
        )
        for name, projection in read_side.projections.items():
            connection.execute(
                text("INSERT INTO projection_schemas VALUES (:n, :f)"),
                {"n": name, "f": fingerprint(projection)},
            )
        connection.execute(delete(sets))
    # When this version starts
    read_side.create_tables()
    # Then every plain table is adopted as the current set, nothing is replayed
    assert read_side.positions() == before
    assert {s.suffix for s in read_side.sets().values()} == {""}
    assert consortium_rows(read_side) == 1
