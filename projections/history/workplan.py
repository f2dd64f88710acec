"""The history of the work plan: packages, deliverables and their review, milestones.

The work plan is an aggregate of its own: its rows go to its consortium's history
(its owner, recorded when it is opened). Each package, deliverable and milestone is
told by its words as they were then; ``history_workplan_items`` keeps them (a
package's code and title, a deliverable's or milestone's title) so that a later
event (a withdrawal, a submission) can name what it is about.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, bindparam, select

from governance import events
from projections.base import Envelope, LoggedEvent, metadata, on
from projections.buffer import add_row, batch_cache, find_row, update_rows
from projections.history.rows import HistoryRows, label_in
from projections.history.tables import owners

workplan_items = Table(
    "history_workplan_items",
    metadata,
    Column("item_id", String(36), primary_key=True),
    Column("params", Text, nullable=False),
)
_ITEM = select(workplan_items.c.params).where(
    workplan_items.c.item_id == bindparam("item_id")
)
_CACHE = "history.workplan_items"


def is_deliverable(connection: Connection, item_id: str) -> bool:
    """Whether ``item_id`` is a deliverable's (as a reminder's ``obligation_id``)."""
    cache = batch_cache(connection, _CACHE)
    if item_id not in cache:  # a report's id is asked once per batch, not per event
        # Held when the batch began (``HistoryProjection.lookups``), or a statement.
        row = find_row(connection, workplan_items, {"item_id": item_id})
        cache[item_id] = None if row is None else row["params"]
    text = cache[item_id]
    return bool(text) and bool(json.loads(str(text)).get("deliverable"))


class WorkPlanHistory(HistoryRows):
    """Each event of the work plan, in its consortium's history."""

    @on(events.WorkPlanOpened)
    def workplan_opened(
        self, connection: Connection, envelope: Envelope[events.WorkPlanOpened]
    ) -> None:
        # No row: the plan opens with its first package, which has one.
        self._own(connection, envelope, envelope.event.consortium_id, "")

    def _words(self, connection: Connection, item_id: str) -> dict[str, Any]:
        cache = batch_cache(connection, _CACHE)
        text = cache.get(item_id) or connection.scalar(_ITEM, {"item_id": item_id})
        return json.loads(text) if text else {}

    def _keep(
        self,
        connection: Connection,
        item_id: str,
        words: dict[str, Any],
        *,
        new: bool = True,
    ) -> None:
        text = json.dumps(words)
        if new:
            add_row(connection, workplan_items, {"item_id": item_id, "params": text})
        else:
            update_rows(
                connection, workplan_items, {"item_id": item_id}, {"params": text}
            )
        batch_cache(connection, _CACHE)[item_id] = text

    def _row(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        about_id: str,
        subject_id: str | None = None,
        **params: Any,
    ) -> None:
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            subject_id,
            consortium_id=consortium_id,
            about_id=about_id,
            **params,
        )

    def _package_words(
        self, connection: Connection, envelope: Envelope[Any]
    ) -> dict[str, Any]:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        return {
            "code": e.code,
            "title": e.title,
            "partner": label_in(connection, consortium_id, e.lead_id) or "?",
        }

    @on(events.WorkPackageDefined)
    def package_defined(
        self, connection: Connection, envelope: Envelope[events.WorkPackageDefined]
    ) -> None:
        e = envelope.event
        words = self._package_words(connection, envelope)
        self._row(
            connection,
            envelope,
            "work_package_defined",
            e.package_id,
            e.lead_id,
            **words,
        )
        self._keep(connection, e.package_id, words)

    @on(events.WorkPackageChanged)
    def package_changed(
        self, connection: Connection, envelope: Envelope[events.WorkPackageChanged]
    ) -> None:
        e = envelope.event
        words = self._package_words(connection, envelope)
        self._row(
            connection,
            envelope,
            "work_package_changed",
            e.package_id,
            e.lead_id,
            **words,
        )
        self._keep(connection, e.package_id, words, new=False)

    @on(events.WorkPackageWithdrawn)
    def package_withdrawn(
        self, connection: Connection, envelope: Envelope[events.WorkPackageWithdrawn]
    ) -> None:
        package_id = envelope.event.package_id
        words = self._words(connection, package_id)
        self._row(
            connection,
            envelope,
            "work_package_withdrawn",
            package_id,
            code=words.get("code", "?"),
            title=words.get("title", ""),
        )

    @on(events.DeliverablePlanned)
    def deliverable_planned(
        self, connection: Connection, envelope: Envelope[events.DeliverablePlanned]
    ) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        words = {
            "title": e.title,
            "code": self._words(connection, e.package_id).get("code", "?"),
            "partner": label_in(connection, consortium_id, e.responsible_id) or "?",
        }
        self._row(
            connection,
            envelope,
            "deliverable_planned",
            e.deliverable_id,
            e.responsible_id,
            on=e.due_on,
            **words,
        )
        self._keep(connection, e.deliverable_id, words | {"deliverable": True})
        # Reminders name what they are about by its owner (a report's, or this).
        add_row(
            connection,
            owners,
            {
                "aggregate_id": e.deliverable_id,
                "consortium_id": consortium_id,
                "title": e.title,
            },
        )
        batch_cache(connection, "history.owners")[e.deliverable_id] = (
            consortium_id,
            e.title,
        )

    def _deliverable_step(
        self,
        connection: Connection,
        envelope: Envelope[Any],
        what: str,
        comment: str = "",
    ) -> None:
        deliverable_id = envelope.event.deliverable_id
        words = self._words(connection, deliverable_id)
        self._row(
            connection,
            envelope,
            what,
            deliverable_id,
            title=words.get("title", ""),
            code=words.get("code", "?"),
            comment=comment,
        )

    @on(events.DeliverableSubmitted)
    def deliverable_submitted(
        self, connection: Connection, envelope: Envelope[events.DeliverableSubmitted]
    ) -> None:
        self._deliverable_step(connection, envelope, "deliverable_submitted")

    @on(events.DeliverableAccepted)
    def deliverable_accepted(
        self, connection: Connection, envelope: Envelope[events.DeliverableAccepted]
    ) -> None:
        self._deliverable_step(connection, envelope, "deliverable_accepted")

    @on(events.DeliverableChangesRequested)
    def deliverable_changes_requested(
        self,
        connection: Connection,
        envelope: Envelope[events.DeliverableChangesRequested],
    ) -> None:
        self._deliverable_step(
            connection,
            envelope,
            "deliverable_changes_requested",
            envelope.event.comment,
        )

    @on(events.MilestonePlanned)
    def milestone_planned(
        self, connection: Connection, envelope: Envelope[events.MilestonePlanned]
    ) -> None:
        e = envelope.event
        words = {
            "title": e.title,
            "code": self._words(connection, e.package_id).get("code", "?"),
        }
        self._row(
            connection,
            envelope,
            "milestone_planned",
            e.milestone_id,
            on=e.planned_on,
            **words,
        )
        self._keep(connection, e.milestone_id, words)

    @on(events.MilestoneReached)
    def milestone_reached(
        self, connection: Connection, envelope: Envelope[events.MilestoneReached]
    ) -> None:
        e = envelope.event
        words = self._words(connection, e.milestone_id)
        self._row(
            connection,
            envelope,
            "milestone_reached",
            e.milestone_id,
            on=e.reached_on,
            title=words.get("title", ""),
            code=words.get("code", "?"),
        )
