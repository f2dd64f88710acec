"""The history of expense statements: lines declared, withdrawn and refused, the
statements submitted and accepted.

A statement is an aggregate of its own: its rows go to its consortium's history
(its owner, recorded when it is opened, with its partner's name then). A withdrawal
or a refusal says which line it is about: the history keeps each line's words
(``history_statement_lines``) when it is declared.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, bindparam, select

from governance import events
from projections.base import Envelope, LoggedEvent, metadata, on
from projections.buffer import add_row, batch_cache
from projections.history.rows import HistoryRows, label_in

statement_lines = Table(
    "history_statement_lines",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("params", Text, nullable=False),
)
_LINE = select(statement_lines.c.params).where(
    statement_lines.c.line_id == bindparam("line_id")
)
_CACHE = "history.statement_lines"


class ExpensesHistory(HistoryRows):
    """Each event of an expense statement, in its consortium's history."""

    @on(events.ExpenseStatementOpened)
    def statement_opened(
        self,
        connection: Connection,
        envelope: Envelope[events.ExpenseStatementOpened],
    ) -> None:
        # No row: the statement opens with its first line, which has one. Its title
        # is its partner's name, as it was then.
        event = envelope.event
        name = label_in(connection, event.consortium_id, event.partner_id) or "?"
        self._own(connection, envelope, event.consortium_id, name)

    def _statement_row(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        **params: Any,
    ) -> None:
        consortium_id, partner = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            consortium_id=consortium_id,
            partner=partner,
            **params,
        )

    def _words_of(self, connection: Connection, line_id: str) -> dict[str, Any]:
        text = batch_cache(connection, _CACHE).get(line_id) or connection.scalar(
            _LINE, {"line_id": line_id}
        )
        found: dict[str, Any] = json.loads(text) if text else {}
        return found

    @on(events.StatementLineDeclared)
    def statement_line_declared(
        self, connection: Connection, envelope: Envelope[events.StatementLineDeclared]
    ) -> None:
        line = envelope.event.line
        words = {
            "category": line.category.value,
            "label": line.label,
            "euros": str(line.eligible),
        }
        self._statement_row(connection, envelope, "expense_declared", **words)
        text = json.dumps(words)
        add_row(connection, statement_lines, {"line_id": line.line_id, "params": text})
        batch_cache(connection, _CACHE)[line.line_id] = text

    @on(events.StatementLineWithdrawn)
    def statement_line_withdrawn(
        self, connection: Connection, envelope: Envelope[events.StatementLineWithdrawn]
    ) -> None:
        words = self._words_of(connection, envelope.event.line_id)
        self._statement_row(connection, envelope, "expense_line_withdrawn", **words)

    @on(events.ExpenseStatementSubmitted)
    def statement_submitted(
        self,
        connection: Connection,
        envelope: Envelope[events.ExpenseStatementSubmitted],
    ) -> None:
        self._statement_row(connection, envelope, "expense_statement_submitted")

    @on(events.StatementLineRefused)
    def statement_line_refused(
        self, connection: Connection, envelope: Envelope[events.StatementLineRefused]
    ) -> None:
        words = self._words_of(connection, envelope.event.line_id)
        self._statement_row(
            connection,
            envelope,
            "expense_line_refused",
            refusal=envelope.event.reason.value,
            **words,
        )

    @on(events.ExpenseStatementAccepted)
    def statement_accepted(
        self,
        connection: Connection,
        envelope: Envelope[events.ExpenseStatementAccepted],
    ) -> None:
        self._statement_row(connection, envelope, "expense_statement_accepted")
