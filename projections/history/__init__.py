"""The history read model: every event of a consortium, ready to be told in words.

Each row keeps the event's kind, its author, when it was recorded, the thing it is
about (its kind and id: a partner, a proposal…) and the parameters a sentence needs,
with names as they were at the time. The web layer turns a row into a translated
sentence, and a link to where that thing is shown.

One projection (one name, one tracking position, the same tables as ever), written
in parts by area: ``partners`` (the consortium, its partners and people),
``commitments``, ``decisions``, ``reporting``, ``capitalisation``, ``audit`` and
``budget`` (``amendments`` builds on it), ``expenses`` and the others, each a class
of handlers the projection is made of; ``rows`` holds what they write with,
``tables`` the tables, ``queries`` the reading side.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Table

from governance import events
from projections.base import Envelope
from projections.history.amendments import AmendmentsHistory
from projections.history.audit import AuditHistory
from projections.history.budget import BudgetHistory, plan_lines
from projections.history.call_rules import CallRulesHistory
from projections.history.capitalisation import CapitalisationHistory
from projections.history.commitments import CommitmentsHistory
from projections.history.decisions import DecisionsHistory
from projections.history.documents import DocumentsHistory
from projections.history.expenses import ExpensesHistory, statement_lines
from projections.history.financial_reports import (
    FinancialReportsHistory,
    report_scopes,
)
from projections.history.funding import FundingHistory
from projections.history.money_reminders import load_reports
from projections.history.partners import PartnersHistory
from projections.history.queries import (
    HistoryEntry,
    HistoryFilter,
    HistoryPage,
    authors_of,
    history_in_order,
    history_of,
)
from projections.history.reporting import ReportingHistory, report_periods
from projections.history.rows import load_labels
from projections.history.tables import (
    ABOUT,
    AREA_OF_KIND,
    AREAS,
    capitalisation_owners,
    commitment_owners,
    history,
    labels,
    owners,
)
from projections.history.workplan import WorkPlanHistory, workplan_items

__all__ = [
    "ABOUT",
    "AREAS",
    "AREA_OF_KIND",
    "HistoryEntry",
    "HistoryFilter",
    "HistoryPage",
    "HistoryProjection",
    "authors_of",
    "capitalisation_owners",
    "commitment_owners",
    "history",
    "history_in_order",
    "history_of",
    "labels",
    "owners",
]


class HistoryProjection(
    PartnersHistory,
    CommitmentsHistory,
    DecisionsHistory,
    ReportingHistory,
    CapitalisationHistory,
    AuditHistory,
    AmendmentsHistory,
    BudgetHistory,
    WorkPlanHistory,
    DocumentsHistory,
    ExpensesHistory,
    FinancialReportsHistory,
    FundingHistory,
    CallRulesHistory,
):
    """Appends one row per consortium event."""

    name: ClassVar[str] = "history"
    tables: ClassVar[tuple[Table, ...]] = (
        history,
        labels,
        commitment_owners,
        owners,
        capitalisation_owners,
        plan_lines,
        workplan_items,
        statement_lines,
        # notify: each report's period, for the lines of its reminders.
        report_periods,
        report_scopes,
    )

    def prepare(
        self, connection: Connection, envelopes: Sequence[Envelope[Any]]
    ) -> None:
        """The labels of the consortia the batch's events name, and the reports of
        those it reminds of money, each in one statement: asked event by event,
        they were a third of a rebuild's statements, and the reports' reading
        wrote the history rows waiting in the buffer early."""
        named = {
            consortium_id
            for envelope in envelopes
            if isinstance(
                consortium_id := getattr(envelope.event, "consortium_id", None), str
            )
        }
        load_labels(connection, named)
        load_reports(
            connection,
            {
                envelope.event.consortium_id
                for envelope in envelopes
                if isinstance(envelope.event, events.ReminderRequested)
            },
        )

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterator[tuple[Table, dict[str, Any]]]:
        """What a reminder's line looks up of the thing it is about: its period
        (a report's) and whether it is a deliverable."""
        for envelope in envelopes:
            e = envelope.event
            if isinstance(e, events.ReminderRequested):
                yield workplan_items, {"item_id": e.obligation_id}
                yield report_periods, {"item_id": e.obligation_id}
