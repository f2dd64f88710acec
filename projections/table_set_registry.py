"""The registry of table sets (``projection_sets``): which exist, which is read.

The rules, all applied in the caller's transaction:

- a projection's shape seen for the first time gets a set: the plain names when the
  projection has none yet (it is then current at once), else names suffixed by its
  fingerprint, ``building``, at position 0 (``create_own_sets``);
- a ``building`` set becomes ``current`` in the batch that takes it to the current
  set's position or past it, and the set it replaces becomes ``retired``
  (``switch_caught_up``); a retired set never becomes current again;
- nothing here drops a set but ``prune_retired``, run by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, delete, insert, inspect, select, update

from projections.base import Projection, tracking
from projections.table_sets import (
    BUILDING,
    CURRENT,
    OPTION,
    RETIRED,
    Renames,
    TableSet,
    all_registered,
    drop_set,
    fingerprint,
    legacy_columns,
    registered,
    sets,
    shape_of,
)

logger = logging.getLogger(__name__)

LEGACY_REGISTRY = "projection_schemas"  # one fingerprint per projection, before sets


def create_own_sets(
    connection: Connection, projections: Mapping[str, Projection]
) -> dict[str, TableSet]:
    """Register (if new) and create the set of each projection's shape."""
    tracking.create(connection, checkfirst=True)
    sets.create(connection, checkfirst=True)
    existing = set(inspect(connection).get_table_names())
    tracked = dict(
        connection.execute(select(tracking.c.name, tracking.c.position)).all()
    )
    by_name: dict[str, list[TableSet]] = {}
    for found in registered(connection, projections):
        by_name.setdefault(found.name, []).append(found)
    legacy = _legacy_fingerprints(connection, existing)
    own: dict[str, TableSet] = {}
    for name, projection in projections.items():
        shape = fingerprint(projection)
        found_sets = by_name.get(name, [])
        if not found_sets and (name in legacy or name in tracked):
            # Made before table sets: its plain tables are the current set.
            old = TableSet(name, legacy.get(name, "unknown"), "", CURRENT, {})
            _register(connection, old, legacy_columns(connection, projection))
            found_sets = registered(connection, [name])
        mine = next((s for s in found_sets if s.fingerprint == shape), None)
        if mine is None:
            mine = _new_set(connection, projection, shape, found_sets)
        if mine.tracking_name not in tracked:
            connection.execute(
                tracking.insert().values(name=mine.tracking_name, position=0)
            )
        _create_missing(connection, projection, mine, existing)
        own[name] = mine
    return own


def own_sets(
    connection: Connection, projections: Mapping[str, Projection]
) -> dict[str, TableSet]:
    """The registered set of each projection's shape (``create_own_sets`` made them)."""
    by_shape = {(s.name, s.fingerprint): s for s in registered(connection, projections)}
    own: dict[str, TableSet] = {}
    for name, projection in projections.items():
        found = by_shape.get((name, fingerprint(projection)))
        if found is None:
            raise LookupError(f"no table set registered for {name} in this shape")
        own[name] = found
    return own


def _legacy_fingerprints(connection: Connection, existing: set[str]) -> dict[str, str]:
    if LEGACY_REGISTRY not in existing:
        return {}
    rows = connection.exec_driver_sql(
        f"SELECT name, fingerprint FROM {LEGACY_REGISTRY}"  # noqa: S608  # nosec B608
    )
    return {str(name): str(value) for name, value in rows}


def _new_set(
    connection: Connection,
    projection: Projection,
    shape: str,
    others: list[TableSet],
) -> TableSet:
    taken = {s.suffix for s in others}
    suffix = ""
    if others:
        length = 8
        while (suffix := shape[:length]) in taken:
            length += 4
    state = BUILDING if any(s.state == CURRENT for s in others) else CURRENT
    created = TableSet(projection.name, shape, suffix, state, {})
    _register(connection, created, shape_of(projection, suffix))
    logger.info(
        "read_side.new_table_set projection=%s suffix=%s state=%s",
        projection.name,
        suffix or "-",
        state,
    )
    return registered_set(connection, projection.name, shape)


def registered_set(connection: Connection, name: str, shape: str) -> TableSet:
    return next(s for s in registered(connection, [name]) if s.fingerprint == shape)


def _register(connection: Connection, found: TableSet, shape: str) -> None:
    connection.execute(
        insert(sets).values(
            name=found.name,
            fingerprint=found.fingerprint,
            suffix=found.suffix,
            state=found.state,
            shape=shape,
        )
    )


def _create_missing(
    connection: Connection,
    projection: Projection,
    found: TableSet,
    existing: set[str],
) -> None:
    """Create the set's tables that do not exist (through its own renames)."""
    missing = [t for t in projection.tables if found.physical(t.name) not in existing]
    if not missing:
        return
    options = connection.get_execution_options().get(OPTION)
    connection.execution_options(**{OPTION: Renames(found.renames(projection))})
    try:
        for table in missing:
            table.create(connection, checkfirst=False)
    finally:
        connection.execution_options(**{OPTION: options})


def rebuild_sets(
    connection: Connection, chosen: Iterable[Projection], own: Mapping[str, TableSet]
) -> None:
    """Empty these projections' own sets and take them back to position 0."""
    for projection in chosen:
        found = own.get(projection.name) or TableSet(
            projection.name, "", "", CURRENT, {}
        )
        renames = Renames(found.renames(projection))
        options = connection.get_execution_options().get(OPTION)
        connection.execution_options(**{OPTION: renames})
        try:
            for table in reversed(projection.tables):
                table.drop(connection, checkfirst=False)
            for table in projection.tables:
                table.create(connection, checkfirst=False)
        finally:
            connection.execution_options(**{OPTION: options})
        connection.execute(
            update(tracking)
            .where(tracking.c.name == found.tracking_name)
            .values(position=0)
        )


def reader_renames(
    connection: Connection,
    projections: Mapping[str, Projection],
    own: Mapping[str, TableSet],
) -> tuple[Renames, dict[str, TableSet]]:
    """What this process's queries read: its own set where it is current; else the
    current set when its queries can read it (every table and column they name is
    there), else its own set (still being built: a read model behind the others).
    Also the own sets with their states as registered now (another process may
    have switched one)."""
    found_sets = registered(connection, list(own))
    current = {s.name: s for s in found_sets if s.state == CURRENT}
    states = {(s.name, s.fingerprint): s.state for s in found_sets}
    fresh = {
        name: TableSet(
            s.name,
            s.fingerprint,
            s.suffix,
            states.get((name, s.fingerprint), s.state),
            s.shape,
        )
        for name, s in own.items()
    }
    names: dict[str, str] = {}
    for name, mine in own.items():
        projection = projections[name]
        found = current.get(name)
        if found is None or found.fingerprint == mine.fingerprint:
            chosen = mine
        elif found.can_serve(projection):
            chosen = found
        else:
            chosen = mine
        for table in projection.tables:
            physical = (
                chosen.shape[table.name][0]
                if table.name in chosen.shape
                else chosen.physical(table.name)
            )
            if physical != table.name:
                names[table.name] = physical
    return Renames(names), fresh


def switch_caught_up(
    connection: Connection, own: Mapping[str, TableSet], position: int
) -> dict[str, TableSet] | None:
    """Make current each own ``building`` set that has reached the current set's
    position (``position``, just applied); the new own sets if one switched."""
    building = [s for s in own.values() if s.state == BUILDING]
    if not building:
        return None
    found = registered(connection, [s.name for s in building])
    current = {s.name: s for s in found if s.state == CURRENT}
    still = {(s.name, s.fingerprint) for s in found if s.state == BUILDING}
    positions = dict(
        connection.execute(select(tracking.c.name, tracking.c.position)).all()
    )
    changed = dict(own)
    for mine in building:
        if (mine.name, mine.fingerprint) not in still:
            # Another process switched it (or it was pruned): take what is there.
            again = [s for s in found if s.fingerprint == mine.fingerprint]
            if again:
                changed[mine.name] = again[0]
            continue
        old = current.get(mine.name)
        if old is not None and positions.get(old.tracking_name, 0) > position:
            continue
        if positions.get(mine.tracking_name, 0) < position:
            continue  # this batch did not take it there (it started further back)
        if old is not None:
            connection.execute(
                update(sets)
                .where(sets.c.name == old.name, sets.c.fingerprint == old.fingerprint)
                .values(state=RETIRED)
            )
        connection.execute(
            update(sets)
            .where(sets.c.name == mine.name, sets.c.fingerprint == mine.fingerprint)
            .values(state=CURRENT)
        )
        logger.info(
            "read_side.switched projection=%s to=%s", mine.name, mine.suffix or "-"
        )
        changed[mine.name] = TableSet(
            mine.name, mine.fingerprint, mine.suffix, CURRENT, mine.shape
        )
    return changed if changed != dict(own) else None


def prune_retired(
    connection: Connection, own: Mapping[str, TableSet]
) -> list[TableSet]:
    """Drop every retired set (tables, tracking row, registration) but this
    process's own; the sets dropped."""
    dropped = []
    for found in all_registered(connection):
        mine = own.get(found.name)
        if found.state != RETIRED or (
            mine is not None and mine.fingerprint == found.fingerprint
        ):
            continue
        drop_set(connection, found)
        connection.execute(
            delete(tracking).where(tracking.c.name == found.tracking_name)
        )
        connection.execute(
            delete(sets).where(
                sets.c.name == found.name, sets.c.fingerprint == found.fingerprint
            )
        )
        dropped.append(found)
    return dropped
