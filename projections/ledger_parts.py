"""The whole ledger of a consortium, read part by part for the exports.

An export holds every line of the ledger; reading them all before writing the first
made its memory grow with the ledger. Here commitments come a part at a time in the
ledger's order (after the last one read: the page index, no offset to skip), each
with its history and its deliveries, on a connection opened for that part only, so
a slow download holds no connection between parts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select

from projections.ledger import (
    ChangeRow,
    CommitmentRow,
    ContributionRow,
    changes,
    commitment_row,
    commitments,
    contribution_row,
    contributions,
)

PART_SIZE = 500


@dataclass(frozen=True)
class LedgerPart:
    """Some commitments, in the ledger's order, with their history and deliveries."""

    commitments: list[CommitmentRow]
    contributions: list[ContributionRow]
    changes: dict[str, list[ChangeRow]]


def ledger_in_parts(
    connect: Callable[[], AbstractContextManager[Connection]],
    consortium_id: str,
    size: int = PART_SIZE,
) -> Iterator[LedgerPart]:
    """Every commitment of the consortium, oldest first, ``size`` at a time."""
    after: tuple[datetime, str] | None = None
    while True:
        with connect() as connection:
            part = _part(connection, consortium_id, after, size)
        if not part.commitments:
            return
        yield part
        if len(part.commitments) < size:
            return
        last = part.commitments[-1]
        after = (last.pledged_at, last.commitment_id)


def _part(
    connection: Connection,
    consortium_id: str,
    after: tuple[datetime, str] | None,
    size: int,
) -> LedgerPart:
    query = select(commitments).where(commitments.c.consortium_id == consortium_id)
    if after is not None:
        pledged_at, commitment_id = after
        query = query.where(
            commitments.c.pledged_at >= pledged_at,
            or_(
                commitments.c.pledged_at > pledged_at,
                commitments.c.commitment_id > commitment_id,
            ),
        )
    rows = [
        commitment_row(r)
        for r in connection.execute(
            query.order_by(commitments.c.pledged_at, commitments.c.commitment_id).limit(
                size
            )
        )
    ]
    ids = [r.commitment_id for r in rows]
    if not ids:
        return LedgerPart([], [], {})
    delivered = [
        contribution_row(r)
        for r in connection.execute(
            select(contributions)
            .where(contributions.c.commitment_id.in_(ids))
            .order_by(contributions.c.delivered_on, contributions.c.recorded_at)
        )
    ]
    history: dict[str, list[ChangeRow]] = {}
    for r in connection.execute(
        select(changes)
        .where(changes.c.commitment_id.in_(ids))
        .order_by(changes.c.position)
    ):
        history.setdefault(r.commitment_id, []).append(
            ChangeRow(
                r.position, r.recorded_at, r.actor_id, r.kind, json.loads(r.params)
            )
        )
    return LedgerPart(rows, delivered, history)
