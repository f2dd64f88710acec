"""The history of the financing plan: lines planned and withdrawn, rules, versions.

The plan is an aggregate of its own: its rows go to its consortium's history (its
owner, recorded when it is opened), each line about its partner as named then. A
withdrawal says which line it took out: the history keeps each line's words
(``history_plan_lines``) when it is planned.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, bindparam, select

from governance import events
from governance.financing.figures import plan_figures
from projections.base import Envelope, LoggedEvent, metadata, on
from projections.buffer import add_row, batch_cache
from projections.history.rows import HistoryRows, label_in

plan_lines = Table(
    "history_plan_lines",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("params", Text, nullable=False),
)
LINE_WORDS = select(plan_lines.c.params).where(
    plan_lines.c.line_id == bindparam("line_id")
)


class BudgetHistory(HistoryRows):
    """Each event of the financing plan, in its consortium's history."""

    @on(events.FinancingPlanOpened)
    def plan_opened(
        self, connection: Connection, envelope: Envelope[events.FinancingPlanOpened]
    ) -> None:
        # No row: the plan opens with its first line, which has one.
        self._own(connection, envelope, envelope.event.consortium_id, "")

    def _line(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        partner_id: str,
        **params: Any,
    ) -> dict[str, Any]:
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        words = {
            "partner": label_in(connection, consortium_id, partner_id) or "?",
            **params,
        }
        self._add(
            connection, envelope, what, partner_id, consortium_id=consortium_id, **words
        )
        return {"partner_id": partner_id, **words}

    def _remember(
        self, connection: Connection, line_id: str, words: dict[str, Any]
    ) -> None:
        text = json.dumps(words)
        add_row(connection, plan_lines, {"line_id": line_id, "params": text})
        batch_cache(connection, "history.plan_lines")[line_id] = text

    def _withdrawn(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        line_id: str,
    ) -> None:
        cache = batch_cache(connection, "history.plan_lines")
        text = cache.get(line_id) or connection.scalar(LINE_WORDS, {"line_id": line_id})
        words = json.loads(text) if text else {"partner_id": None}
        partner_id = words.pop("partner_id")
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection, envelope, what, partner_id, consortium_id=consortium_id, **words
        )

    @on(events.ExpensePlanned)
    def expense_planned(
        self, connection: Connection, envelope: Envelope[events.ExpensePlanned]
    ) -> None:
        line = envelope.event.line
        words = self._line(
            connection,
            envelope,
            "expense_planned",
            line.partner_id,
            category=line.category.value,
            label=line.label,
            euros=str(line.amount),
        )
        self._remember(connection, line.line_id, words)

    @on(events.ExpenseWithdrawn)
    def expense_withdrawn(
        self, connection: Connection, envelope: Envelope[events.ExpenseWithdrawn]
    ) -> None:
        self._withdrawn(
            connection, envelope, "expense_withdrawn", envelope.event.line_id
        )

    @on(events.ResourcePlanned)
    def resource_planned(
        self, connection: Connection, envelope: Envelope[events.ResourcePlanned]
    ) -> None:
        line = envelope.event.line
        words = self._line(
            connection,
            envelope,
            "resource_planned",
            line.partner_id,
            resource_source=line.source.value,
            euros=str(line.amount),
        )
        self._remember(connection, line.line_id, words)

    @on(events.ResourceWithdrawn)
    def resource_withdrawn(
        self, connection: Connection, envelope: Envelope[events.ResourceWithdrawn]
    ) -> None:
        self._withdrawn(
            connection, envelope, "resource_withdrawn", envelope.event.line_id
        )

    @on(events.FundingRulesSet)
    def rules_set(
        self, connection: Connection, envelope: Envelope[events.FundingRulesSet]
    ) -> None:
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        rate = envelope.event.rules.max_funder_rate
        self._add(
            connection,
            envelope,
            "funding_rules_set" if rate is None else "funding_rules_set_with_rate",
            consortium_id=consortium_id,
            rate=rate,
        )

    @on(events.PlanVersionFiled)
    def version_filed(
        self, connection: Connection, envelope: Envelope[events.PlanVersionFiled]
    ) -> None:
        version = envelope.event.version
        figures = plan_figures(version.content)
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            "plan_version_filed",
            consortium_id=consortium_id,
            number=version.number,
            version_kind=version.kind,
            expenses=figures.total_expenses,
            requested=figures.requested,
        )
