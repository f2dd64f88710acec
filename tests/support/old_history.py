"""The history table as earlier versions kept it: web paths, not kinds and ids.

For tests of the start-up of a store written by such a version.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    update,
)

from projections.base import UtcDateTime
from projections.history import HistoryProjection
from projections.history.tables import history
from projections.table_sets import fingerprint, sets, shape_of

# The history table as the versions that stored web paths created it.
OLD_HISTORY = Table(
    "consortium_history",
    MetaData(),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("consortium_id", String(36), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("subject_id", String(64)),
    Column("params", Text, nullable=False),
    Column("area", String(16), nullable=False),
    Column("about", String(120), nullable=False),
    Index("history_by_consortium", "consortium_id", "position"),
    Index("history_by_area", "consortium_id", "area", "position"),
    Index("history_by_actor", "consortium_id", "actor_id", "position"),
    Index("history_by_subject", "consortium_id", "subject_id", "position"),
)


class OldHistory(HistoryProjection):
    """The history projection with the old table, for the shape it was stored with."""

    tables: ClassVar[tuple[Table, ...]] = (OLD_HISTORY, *HistoryProjection.tables[1:])


def as_an_older_version_left_it(engine: Engine) -> Table:
    """Put back the history table of paths, empty, recorded as the current shape."""
    with engine.begin() as connection:
        history.drop(connection)
        OLD_HISTORY.create(connection)
        connection.execute(
            update(sets)
            .where(sets.c.name == "history")
            .values(
                fingerprint=fingerprint(OldHistory()),
                shape=shape_of(OldHistory(), ""),
            )
        )
    return OLD_HISTORY
