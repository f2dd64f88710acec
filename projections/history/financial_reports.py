"""The history of financial reports: variances explained, reports certified.

A report is an aggregate of its own: its rows go to its consortium's history (its
owner, recorded when it is opened, with its period's title then) and are about the
report's scope (a reporting period's id, or ``final``), which the page's address
names: ``history_financial_reports`` remembers it. The final report's sentences
are kinds of their own (it has no period title).
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, String, Table, bindparam, select

from governance import events
from governance.financing.report_values import FINAL
from projections.base import Envelope, LoggedEvent, metadata, on
from projections.buffer import add_row, batch_cache
from projections.history.rows import HistoryRows

report_scopes = Table(
    "history_financial_reports",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("scope", String(36), nullable=False),
)
_SCOPE = select(report_scopes.c.scope).where(
    report_scopes.c.report_id == bindparam("report_id")
)
_CACHE = "history.financial_reports"


class FinancialReportsHistory(HistoryRows):
    """Each event of a financial report, in its consortium's history."""

    @on(events.FinancialReportOpened)
    def financial_report_opened(
        self,
        connection: Connection,
        envelope: Envelope[events.FinancialReportOpened],
    ) -> None:
        # No row: the report opens with its first explanation or certification.
        event = envelope.event
        self._own(connection, envelope, event.consortium_id, event.title)
        add_row(
            connection,
            report_scopes,
            {"report_id": envelope.originator_id, "scope": event.scope},
        )
        batch_cache(connection, _CACHE)[envelope.originator_id] = event.scope

    def _scope(self, connection: Connection, report_id: str) -> str:
        found: str | None = batch_cache(connection, _CACHE).get(report_id)
        if found is None:
            found = connection.scalar(_SCOPE, {"report_id": report_id})
        return found or ""

    def _report_row(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        **params: object,
    ) -> None:
        consortium_id, title = self._owner(connection, envelope.originator_id)
        scope = self._scope(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            f"final_{what}" if scope == FINAL else what,
            consortium_id=consortium_id,
            about_id=scope,
            title=title,
            **params,
        )

    @on(events.VarianceExplained)
    def variance_explained(
        self, connection: Connection, envelope: Envelope[events.VarianceExplained]
    ) -> None:
        event = envelope.event
        self._report_row(
            connection,
            envelope,
            "variance_explained",
            category=event.category.value,
            explanation=event.explanation,
        )

    @on(events.FinancialReportCertified)
    def financial_report_certified(
        self,
        connection: Connection,
        envelope: Envelope[events.FinancialReportCertified],
    ) -> None:
        event = envelope.event
        self._report_row(
            connection,
            envelope,
            "financial_report_certified",
            signatory=event.signatory,
            capacity=event.capacity,
            euros=str(event.realised),
        )
