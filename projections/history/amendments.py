"""The history of amendments: drafted, built, proposed, approved or refused.

An amendment is an aggregate of its own: its rows go to its consortium's history
(its owner, recorded when drafted, titled by its reason's first words). Lines it
adds are remembered like the plan's (``history_plan_lines``), so that the amendment
(or a later one) withdrawing a line says whose it was.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, LoggedEvent, on
from projections.buffer import batch_cache
from projections.history.budget import LINE_WORDS, BudgetHistory
from projections.history.rows import label_in

TITLE_LENGTH = 80


def _title(reason: str) -> str:
    first = reason.strip().splitlines()[0] if reason.strip() else ""
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


class AmendmentsHistory(BudgetHistory):
    """Each event of an amendment, in its consortium's history."""

    def _about(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        subject_id: str | None = None,
        **params: Any,
    ) -> None:
        consortium_id, title = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            subject_id,
            consortium_id=consortium_id,
            title=title,
            **params,
        )

    def _partner(
        self, connection: Connection, envelope: Envelope[LoggedEvent], partner_id: str
    ) -> str:
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        return label_in(connection, consortium_id, partner_id) or "?"

    @on(events.AmendmentDrafted)
    def amendment_drafted(
        self, connection: Connection, envelope: Envelope[events.AmendmentDrafted]
    ) -> None:
        event = envelope.event
        self._own(connection, envelope, event.consortium_id, _title(event.reason))
        self._about(
            connection, envelope, "amendment_drafted", amendment_kind=event.kind
        )

    @on(events.AmendmentExpenseAdded)
    def amendment_expense_added(
        self, connection: Connection, envelope: Envelope[events.AmendmentExpenseAdded]
    ) -> None:
        line = envelope.event.line
        words = {
            "partner": self._partner(connection, envelope, line.partner_id),
            "category": line.category.value,
            "label": line.label,
            "euros": str(line.amount),
        }
        self._about(
            connection, envelope, "amendment_expense_added", line.partner_id, **words
        )
        self._remember(
            connection, line.line_id, {"partner_id": line.partner_id, **words}
        )

    @on(events.AmendmentResourceAdded)
    def amendment_resource_added(
        self,
        connection: Connection,
        envelope: Envelope[events.AmendmentResourceAdded],
    ) -> None:
        line = envelope.event.line
        words = {
            "partner": self._partner(connection, envelope, line.partner_id),
            "resource_source": line.source.value,
            "euros": str(line.amount),
        }
        self._about(
            connection, envelope, "amendment_resource_added", line.partner_id, **words
        )
        self._remember(
            connection, line.line_id, {"partner_id": line.partner_id, **words}
        )

    @on(events.AmendmentLineWithdrawn)
    def amendment_line_withdrawn(
        self,
        connection: Connection,
        envelope: Envelope[events.AmendmentLineWithdrawn],
    ) -> None:
        line_id = envelope.event.line_id
        cache = batch_cache(connection, "history.plan_lines")
        text = cache.get(line_id) or connection.scalar(LINE_WORDS, {"line_id": line_id})
        words = json.loads(text) if text else {"partner_id": None}
        partner_id = words.pop("partner_id")
        self._about(
            connection,
            envelope,
            "amendment_line_withdrawn",
            partner_id,
            partner=words.get("partner", "?"),
            euros=words.get("euros"),
        )

    @on(events.AmendmentChangeDropped)
    def amendment_change_dropped(
        self,
        connection: Connection,
        envelope: Envelope[events.AmendmentChangeDropped],
    ) -> None:
        self._about(connection, envelope, "amendment_change_dropped")

    @on(events.AmendmentPeriodExtended)
    def amendment_period_extended(
        self,
        connection: Connection,
        envelope: Envelope[events.AmendmentPeriodExtended],
    ) -> None:
        until = envelope.event.eligible_until
        self._about(connection, envelope, "amendment_period_extended", until=until)

    @on(events.AmendmentProposed)
    def amendment_proposed(
        self, connection: Connection, envelope: Envelope[events.AmendmentProposed]
    ) -> None:
        self._about(connection, envelope, "amendment_proposed")

    @on(events.AmendmentApproved)
    def amendment_approved(
        self, connection: Connection, envelope: Envelope[events.AmendmentApproved]
    ) -> None:
        number = envelope.event.version_number
        self._about(connection, envelope, "amendment_approved", number=number)

    @on(events.AmendmentRefused)
    def amendment_refused(
        self, connection: Connection, envelope: Envelope[events.AmendmentRefused]
    ) -> None:
        reason = envelope.event.reason
        self._about(connection, envelope, "amendment_refused", reason=reason)
