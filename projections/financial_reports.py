"""The financial reports' read model: each report's explanations and certification.

The figures are not stored here: they are read from the plan and the statements'
read models when a report is shown (``financial_report_summary``), so a report
always shows the statements as the financer left them. What is stored is the
coordinator's words (the latest explanation of each category) and the
certification: who signed, in which capacity, when, and the totals certified.
Amounts are stored as text so that ``Decimal`` values come back exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Column, Connection, String, Table, Text, select

from governance import events
from governance.financing.values import CostCategory
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, find_row, update_rows
from projections.ledger import DecimalText

reports = Table(
    "financial_reports",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("scope", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("signatory", Text),
    Column("capacity", Text),
    Column("certified_at", UtcDateTime),
    Column("certified_by", String(64)),
    Column("certified_budget", DecimalText),
    Column("certified_realised", DecimalText),
)

explanations = Table(
    "financial_report_explanations",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("category", String(24), primary_key=True),
    Column("explanation", Text, nullable=False),
    Column("explained_at", UtcDateTime, nullable=False),
    Column("explained_by", String(64), nullable=False),
)


@dataclass(frozen=True)
class Certification:
    """Who certified a report, in which capacity, when, and the totals certified."""

    signatory: str
    capacity: str
    certified_at: datetime
    certified_by: str
    budget: Decimal
    realised: Decimal


@dataclass(frozen=True)
class ReportRecord:
    """What was recorded of a report: explanations by category, certification."""

    report_id: str
    scope: str
    explanations: dict[CostCategory, str]
    certification: Certification | None


class FinancialReportsProjection(Projection):
    """Every consortium's financial reports."""

    name: ClassVar[str] = "financial_reports"
    tables: ClassVar[tuple[Table, ...]] = (reports, explanations)

    @on(events.FinancialReportOpened)
    def opened(
        self, connection: Connection, envelope: Envelope[events.FinancialReportOpened]
    ) -> None:
        event = envelope.event
        add_row(
            connection,
            reports,
            {
                "report_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "scope": event.scope,
                "title": event.title,
                "opened_at": envelope.recorded_at,
                "signatory": None,
                "capacity": None,
                "certified_at": None,
                "certified_by": None,
                "certified_budget": None,
                "certified_realised": None,
            },
        )

    @on(events.VarianceExplained)
    def explained(
        self, connection: Connection, envelope: Envelope[events.VarianceExplained]
    ) -> None:
        event = envelope.event
        key = {
            "report_id": envelope.originator_id,
            "category": event.category.value,
        }
        values = {
            "explanation": event.explanation,
            "explained_at": envelope.recorded_at,
            "explained_by": envelope.actor_id,
        }
        if find_row(connection, explanations, key) is None:
            add_row(connection, explanations, key | values)
        else:
            update_rows(connection, explanations, key, values)

    @on(events.FinancialReportCertified)
    def certified(
        self,
        connection: Connection,
        envelope: Envelope[events.FinancialReportCertified],
    ) -> None:
        event = envelope.event
        update_rows(
            connection,
            reports,
            {"report_id": envelope.originator_id},
            {
                "signatory": event.signatory,
                "capacity": event.capacity,
                "certified_at": envelope.recorded_at,
                "certified_by": envelope.actor_id,
                "certified_budget": event.budget,
                "certified_realised": event.realised,
            },
        )


def records_of(connection: Connection, consortium_id: str) -> dict[str, ReportRecord]:
    """The consortium's recorded reports, by scope."""
    found = list(
        connection.execute(
            select(reports).where(reports.c.consortium_id == consortium_id)
        )
    )
    words: dict[str, dict[CostCategory, str]] = {r.report_id: {} for r in found}
    if found:
        for e in connection.execute(
            select(explanations).where(explanations.c.report_id.in_(list(words)))
        ):
            words[e.report_id][CostCategory(e.category)] = e.explanation
    return {
        r.scope: ReportRecord(
            r.report_id,
            r.scope,
            words[r.report_id],
            Certification(
                r.signatory,
                r.capacity,
                r.certified_at,
                r.certified_by,
                r.certified_budget,
                r.certified_realised,
            )
            if r.certified_at is not None
            else None,
        )
        for r in found
    }
