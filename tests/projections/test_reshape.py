"""A read model whose tables changed shape is rebuilt at start-up, not migrated."""

from __future__ import annotations

from sqlalchemy import func, select, text, update

from governance.actor import Actor
from governance.application import Governance
from projections.consortia import consortia
from projections.runtime import ReadSide, schemas
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


def test_a_reshaped_read_model_is_dropped_and_caught_up_again(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    # Given a read side that was built by an older version (another table shape)
    founded_consortium(app, coordinator)
    read_side.catch_up()
    with read_side.engine.begin() as connection:
        connection.execute(
            update(schemas)
            .where(schemas.c.name == "consortia")
            .values(fingerprint="older")
        )
        connection.execute(text("INSERT INTO projection_schemas VALUES ('gone', 'x')"))
    # When the new version starts
    read_side.create_tables()
    # Then that projection starts from scratch, the others keep their place
    positions = read_side.positions()
    assert positions["consortia"] == 0
    assert positions["partners"] > 0
    assert consortium_rows(read_side) == 0
    # And the next catch-up fills it again
    read_side.catch_up()
    assert consortium_rows(read_side) == 1
