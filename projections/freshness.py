"""How far a consortium's read models go: the position of its last event applied.

A page built from the read models of one consortium changes only when one of that
consortium's events is applied. The history read model writes a row for each of
them (keyed by its log position, indexed by consortium), so the highest position
of a consortium's history rows names the state of all its read models, provided
every projection has applied the same events: the batch loop applies them all in
one transaction, and a projection rebuilt on its own (a new shape) is behind the
others until it catches up. One statement asks both, among the questions a tagged
page asks together (``projections.page_facts``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Label, bindparam, func, select

from projections.base import tracking
from projections.history.tables import history
from projections.json_list import json_values


def position_columns(dialect: str) -> tuple[Label[Any], Label[Any], Label[Any]]:
    """The three columns ``position_from`` reads, for a statement that asks more
    (parameters ``consortium_id`` and ``names``, the tracking names as a
    ``json_list``), on a ``dialect`` database. Built once per statement by its
    caller: a statement built per call costs more than running it."""
    names = json_values("names", dialect)
    return (
        select(history.c.position)
        .where(history.c.consortium_id == bindparam("consortium_id"))
        .order_by(history.c.position.desc())
        .limit(1)
        .scalar_subquery()
        .label("last_position"),
        select(func.min(tracking.c.position))
        .where(tracking.c.name.in_(names))
        .scalar_subquery()
        .label("lowest_position"),
        select(func.max(tracking.c.position))
        .where(tracking.c.name.in_(names))
        .scalar_subquery()
        .label("highest_position"),
    )


def position_from(
    last: int | None, lowest: int | None, highest: int | None
) -> int | None:
    """The consortium's position from ``position_columns``: None while the
    projections' tracking positions differ."""
    if lowest is None or lowest != highest:
        return None
    return int(last or 0)
