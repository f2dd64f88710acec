"""The history of reminders about money: a partner's expense statement due with a
report, a tranche ready to be paid.

Neither has a row of its own to name it when it is reminded: a statement may not be
opened yet (the reminder names the id it will have, derived from the consortium,
the report and the partner), and a tranche lives inside its grant. A tranche's name
is kept as a label of its consortium when the grant is set; a statement is found
among the consortium's reports × partners (each id derived as the service derives
it), loaded once per batch and consortium (``load_reports``, for the whole batch
before it). ``remind_of_money`` writes the row (the
reminders' handler asks it first) and names the reminder for its "sent" row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from governance import events
from governance.financing.statement_values import statement_id
from projections.base import Envelope
from projections.buffer import batch_cache, in_chunks
from projections.history.rows import (
    STATEMENTS_CACHE,
    HistoryRows,
    add_label,
    consortium_labels,
)
from projections.history.tables import history, owners


@lru_cache(maxsize=65536)
def _statement_of(consortium_id: str, report_id: str, partner_id: str) -> str:
    return str(statement_id(consortium_id, report_id, partner_id))


_REPORTS = select(history.c.consortium_id, history.c.about_id, history.c.params).where(
    history.c.area == "reporting", history.c.kind == "report_scheduled"
)


def load_reports(connection: Connection, consortium_ids: Iterable[str]) -> None:
    """Load, for the batch, the reports of these consortia by due date (those not
    loaded yet, one statement per ``KEYS_PER_STATEMENT`` consortia). Asked before
    the batch writes any history row, the statement writes none early
    (``projections.buffer``)."""
    _load(connection, consortium_ids, batch_cache(connection, STATEMENTS_CACHE))


def _load(
    connection: Connection,
    consortium_ids: Iterable[str],
    cache: dict[str, dict[str, list[str]]],
) -> None:
    for chunk in in_chunks(sorted({c for c in consortium_ids if c not in cache})):
        found: dict[str, dict[str, list[str]]] = {c: {} for c in chunk}
        for r in connection.execute(_REPORTS.where(history.c.consortium_id.in_(chunk))):
            on = json.loads(r.params).get("on")
            # As ``rows._add`` extends it.
            found[r.consortium_id].setdefault(on, []).append(r.about_id)
        cache.update(found)


def _reports(connection: Connection, consortium_id: str) -> dict[str, list[str]]:
    # Outside a batch the cache is a new dictionary each time: loaded, then read.
    cache = batch_cache(connection, STATEMENTS_CACHE)
    _load(connection, (consortium_id,), cache)
    found: dict[str, list[str]] = cache[consortium_id]
    return found


def _statement(
    connection: Connection, consortium_id: str, due_on: date, subject: str
) -> tuple[str, str, str] | None:
    """The report and partner whose statement ``subject`` is, among the reports of
    the consortium due that day and its partners: (report, title, partner)."""
    reports = _reports(connection, consortium_id).get(due_on.isoformat())
    if not reports:
        return None
    names = consortium_labels(connection, consortium_id)
    for report_id in reports:
        for partner_id, name in names.items():
            if _statement_of(consortium_id, report_id, partner_id) == subject:
                title = connection.scalar(
                    select(owners.c.title).where(owners.c.aggregate_id == report_id)
                )
                return report_id, title or "", name
    return None


def remind_of_money(
    rows: HistoryRows,
    connection: Connection,
    envelope: Envelope[events.ReminderRequested],
) -> bool:
    """The history's row of a reminder of a statement or a tranche; False when the
    reminder is about neither."""
    e = envelope.event
    words: dict[str, Any] = {"consortium_id": e.consortium_id, "stage": e.stage}
    tranche = consortium_labels(connection, e.consortium_id).get(e.obligation_id)
    if tranche is not None:
        rows._own(connection, envelope, e.consortium_id, tranche)
        rows._add(
            connection,
            envelope,
            "tranche_reminder_requested",
            e.recipient_id,
            consortium_id=e.consortium_id,
            about_id=e.consortium_id,
            title=tranche,
            on=e.due_on,
        )
        return True
    statement = _statement(connection, e.consortium_id, e.due_on, e.obligation_id)
    if statement is None:
        known = e.obligation_id in batch_cache(connection, "history.owners") or (
            connection.scalar(
                select(owners.c.aggregate_id).where(
                    owners.c.aggregate_id == e.obligation_id
                )
            )
        )
        if known:
            return False  # a report's, or a deliverable's
        # Nothing names it (a report's due date moved since): no row, but its
        # "sent" row finds its consortium.
        rows._own(connection, envelope, e.consortium_id, "")
        return True
    report_id, title, partner = statement
    rows._own(connection, envelope, e.consortium_id, title)
    rows._add(
        connection,
        envelope,
        "statement_reminder_requested",
        e.recipient_id,
        about_id=report_id,
        title=title,
        partner=partner,
        **words,
    )
    return True


def keep_tranches(connection: Connection, envelope: Envelope[events.GrantSet]) -> None:
    """Name each tranche of a grant set, for the reminders of it."""
    e = envelope.event
    for tranche in e.tranches:
        add_label(connection, e.consortium_id, tranche.tranche_id, tranche.label)
