"""The expense statements' read model: each partner's statement per period, its lines.

Feeds the expenses page, a statement's page, the budget-vs-realised tables and the
Excel export. A withdrawn line's row goes (the history keeps the event); a refused
line keeps its row with the financer's reason. Amounts are stored as text so that
``Decimal`` values come back exact on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    Text,
    select,
)

from governance import events
from governance.financing.statement_values import (
    RefusalReason,
    StatementLine,
    StatementStatus,
)
from governance.financing.values import CostCategory
from governance.values import Evidence
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import add_row, delete_rows, find_row, update_rows
from projections.ledger import DecimalText

statements = Table(
    "expense_statements",
    metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False),
    Column("obligation_id", String(36), nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("status", String(16), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("submitted_at", UtcDateTime),
    Column("accepted_at", UtcDateTime),
    Column("comment", Text, nullable=False),
)

lines = Table(
    "expense_statement_lines",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("statement_id", String(36), nullable=False, index=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("category", String(24), nullable=False),
    Column("label", Text, nullable=False),
    Column("spent_on", Date, nullable=False),
    Column("amount_excl", DecimalText, nullable=False),
    Column("amount_incl", DecimalText, nullable=False),
    Column("vat_recoverable", Boolean, nullable=False),
    Column("supplier", Text, nullable=False),
    Column("invoice_number", Text, nullable=False),
    Column("work_package", Text, nullable=False),
    Column("person_days", DecimalText),
    Column("daily_rate", DecimalText),
    Column("document_sha256", String(64)),
    Column("document_size", Integer),
    Column("document_type", String(100)),
    Column("document_name", Text),
    Column("refused_reason", String(24)),
    Column("refused_comment", Text),
)


@dataclass(frozen=True)
class LineRow:
    """A declared line, with the financer's refusal if any."""

    line: StatementLine
    refused: RefusalReason | None
    refusal_comment: str

    @property
    def accepted(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class StatementRow:
    """A partner's statement for a period, with its lines in the order declared."""

    statement_id: str
    consortium_id: str
    partner_id: str
    obligation_id: str
    period_start: date | None
    period_end: date | None
    status: StatementStatus
    submitted_at: datetime | None
    accepted_at: datetime | None
    comment: str
    lines: tuple[LineRow, ...]

    @property
    def declared(self) -> Decimal:
        """The eligible amount of every line declared."""
        return sum((r.line.eligible for r in self.lines), Decimal(0))

    @property
    def accepted(self) -> Decimal | None:
        """Declared less refused, once the financer accepted it (None before)."""
        if self.status is not StatementStatus.ACCEPTED:
            return None
        return sum((r.line.eligible for r in self.lines if r.accepted), Decimal(0))

    @property
    def refused(self) -> Decimal:
        return sum((r.line.eligible for r in self.lines if not r.accepted), Decimal(0))

    def line(self, line_id: str) -> LineRow | None:
        return next((r for r in self.lines if r.line.line_id == line_id), None)


def _statement(connection: Connection, envelope: Envelope[LoggedEvent]) -> str:
    row = find_row(connection, statements, {"statement_id": envelope.originator_id})
    if row is None:
        raise LookupError(f"no expense statement {envelope.originator_id}")
    return str(row["consortium_id"])


class ExpensesProjection(Projection):
    """Every partner's expense statements."""

    name: ClassVar[str] = "expenses"
    tables: ClassVar[tuple[Table, ...]] = (statements, lines)

    @on(events.ExpenseStatementOpened)
    def opened(
        self, connection: Connection, envelope: Envelope[events.ExpenseStatementOpened]
    ) -> None:
        event = envelope.event
        add_row(
            connection,
            statements,
            {
                "statement_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "partner_id": event.partner_id,
                "obligation_id": event.obligation_id,
                "period_start": event.period_start,
                "period_end": event.period_end,
                "status": StatementStatus.DRAFT.value,
                "opened_at": envelope.recorded_at,
                "submitted_at": None,
                "accepted_at": None,
                "comment": "",
            },
        )

    @on(events.StatementLineDeclared)
    def declared(
        self, connection: Connection, envelope: Envelope[events.StatementLineDeclared]
    ) -> None:
        line = envelope.event.line
        document = line.document
        add_row(
            connection,
            lines,
            {
                "line_id": line.line_id,
                "statement_id": envelope.originator_id,
                "consortium_id": _statement(connection, envelope),
                "position": envelope.position,
                "category": line.category.value,
                "label": line.label,
                "spent_on": line.spent_on,
                "amount_excl": line.amount_excl,
                "amount_incl": line.amount_incl,
                "vat_recoverable": line.vat_recoverable,
                "supplier": line.supplier,
                "invoice_number": line.invoice_number,
                "work_package": line.work_package,
                "person_days": line.person_days,
                "daily_rate": line.daily_rate,
                "document_sha256": document.sha256 if document else None,
                "document_size": document.size if document else None,
                "document_type": document.media_type if document else None,
                "document_name": document.filename if document else None,
                "refused_reason": None,
                "refused_comment": None,
            },
        )

    @on(events.StatementLineWithdrawn)
    def withdrawn(
        self, connection: Connection, envelope: Envelope[events.StatementLineWithdrawn]
    ) -> None:
        delete_rows(connection, lines, {"line_id": envelope.event.line_id})

    @on(events.ExpenseStatementSubmitted)
    def submitted(
        self,
        connection: Connection,
        envelope: Envelope[events.ExpenseStatementSubmitted],
    ) -> None:
        update_rows(
            connection,
            statements,
            {"statement_id": envelope.originator_id},
            {
                "status": StatementStatus.SUBMITTED.value,
                "submitted_at": envelope.recorded_at,
            },
        )

    @on(events.StatementLineRefused)
    def refused(
        self, connection: Connection, envelope: Envelope[events.StatementLineRefused]
    ) -> None:
        event = envelope.event
        update_rows(
            connection,
            lines,
            {"line_id": event.line_id},
            {"refused_reason": event.reason.value, "refused_comment": event.comment},
        )

    @on(events.ExpenseStatementAccepted)
    def accepted(
        self,
        connection: Connection,
        envelope: Envelope[events.ExpenseStatementAccepted],
    ) -> None:
        update_rows(
            connection,
            statements,
            {"statement_id": envelope.originator_id},
            {
                "status": StatementStatus.ACCEPTED.value,
                "accepted_at": envelope.recorded_at,
                "comment": envelope.event.comment,
            },
        )


def _line(r: Any) -> LineRow:
    document = (
        Evidence(r.document_sha256, r.document_size, r.document_type, r.document_name)
        if r.document_sha256
        else None
    )
    return LineRow(
        StatementLine(
            r.line_id,
            CostCategory(r.category),
            r.label,
            r.spent_on,
            r.amount_excl,
            r.amount_incl,
            bool(r.vat_recoverable),
            r.supplier,
            r.invoice_number,
            r.work_package,
            r.person_days,
            r.daily_rate,
            document,
        ),
        RefusalReason(r.refused_reason) if r.refused_reason else None,
        r.refused_comment or "",
    )


def _rows(connection: Connection, where: Any) -> list[StatementRow]:
    found = list(
        connection.execute(
            select(statements).where(where).order_by(statements.c.opened_at)
        )
    )
    ids = [r.statement_id for r in found]
    by_statement: dict[str, list[LineRow]] = {i: [] for i in ids}
    if ids:
        for r in connection.execute(
            select(lines)
            .where(lines.c.statement_id.in_(ids))
            .order_by(lines.c.position)
        ):
            by_statement[r.statement_id].append(_line(r))
    return [
        StatementRow(
            r.statement_id,
            r.consortium_id,
            r.partner_id,
            r.obligation_id,
            r.period_start,
            r.period_end,
            StatementStatus(r.status),
            r.submitted_at,
            r.accepted_at,
            r.comment,
            tuple(by_statement[r.statement_id]),
        )
        for r in found
    ]


def statements_of(connection: Connection, consortium_id: str) -> list[StatementRow]:
    """A consortium's statements, oldest first, with their lines."""
    return _rows(connection, statements.c.consortium_id == consortium_id)


def statements_of_report(
    connection: Connection, consortium_id: str, obligation_id: str
) -> list[StatementRow]:
    """The partners' statements for one report's period, oldest first."""
    return _rows(
        connection,
        (statements.c.consortium_id == consortium_id)
        & (statements.c.obligation_id == obligation_id),
    )


def statement_of(
    connection: Connection, consortium_id: str, statement_id: str
) -> StatementRow | None:
    """One statement of the consortium (None: not one of its statements)."""
    found = _rows(
        connection,
        (statements.c.consortium_id == consortium_id)
        & (statements.c.statement_id == statement_id),
    )
    return found[0] if found else None


def statement_with_document(
    connection: Connection, consortium_id: str, sha256: str
) -> Evidence | None:
    """A supporting document some statement line of the consortium refers to."""
    r = connection.execute(
        select(lines)
        .where(lines.c.consortium_id == consortium_id)
        .where(lines.c.document_sha256 == sha256)
        .limit(1)
    ).first()
    return _line(r).line.document if r is not None else None
