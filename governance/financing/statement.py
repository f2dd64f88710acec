"""The ExpenseStatement aggregate: what one partner spent during one reporting period.

One statement per partner and reporting period (its id derived from both). The
partner's members declare lines while it is a draft; the coordinator submits the
partners' statements of a period together, with the report; the financer then
refuses lines with a reason and accepts the statement: what was accepted is what
was declared less what was refused. Nothing is overwritten: a withdrawn line and a
refusal are events of their own. Who may do what is the service's business.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.financing.statement_values import (
    Refusal,
    RefusalReason,
    StatementLine,
    StatementStatus,
    statement_id,
)

MAX_COMMENT = 2000


class ExpenseStatement(Aggregate):
    """A partner's expense statement for one reporting period."""

    class Opened(GovernanceCreated):
        consortium_id: str
        partner_id: str
        obligation_id: str
        period_start: date | None
        period_end: date | None

    class LineDeclared(GovernanceEvent):
        line: StatementLine

    class LineWithdrawn(GovernanceEvent):
        line_id: str

    class Submitted(GovernanceEvent):
        pass

    class LineRefused(GovernanceEvent):
        line_id: str
        reason: RefusalReason
        comment: str

    class Accepted(GovernanceEvent):
        comment: str

    @staticmethod
    def create_id(consortium_id: str, partner_id: str, obligation_id: str) -> UUID:
        """One statement per partner and reporting period."""
        return statement_id(consortium_id, obligation_id, partner_id)

    @event(Opened)
    def __init__(
        self,
        consortium_id: str,
        partner_id: str,
        obligation_id: str,
        period_start: date | None,
        period_end: date | None,
    ) -> None:
        self.consortium_id = consortium_id
        self.partner_id = partner_id
        self.obligation_id = obligation_id
        self.period_start = period_start
        self.period_end = period_end
        self.lines: dict[str, StatementLine] = {}
        self.refused: dict[str, Refusal] = {}
        self.status = StatementStatus.DRAFT

    @classmethod
    def open(
        cls,
        consortium_id: str,
        partner_id: str,
        obligation_id: str,
        period: tuple[date | None, date | None],
    ) -> ExpenseStatement:
        """A partner's statement for a period, empty."""
        return cls(
            consortium_id=consortium_id,
            partner_id=partner_id,
            obligation_id=obligation_id,
            period_start=period[0],
            period_end=period[1],
        )

    @property
    def period(self) -> tuple[date | None, date | None]:
        return (self.period_start, self.period_end)

    @property
    def declared(self) -> Decimal:
        """The eligible amount of every line declared."""
        return sum((line.eligible for line in self.lines.values()), Decimal(0))

    @property
    def accepted(self) -> Decimal | None:
        """Declared less refused, once the financer accepted the statement."""
        if self.status is not StatementStatus.ACCEPTED:
            return None
        return sum(
            (
                line.eligible
                for line in self.lines.values()
                if line.line_id not in self.refused
            ),
            Decimal(0),
        )

    # -- the partner's lines --------------------------------------------------------

    def declare(self, line: StatementLine) -> None:
        """Add a checked line (``DeclaredExpense.line``) to the draft."""
        self._check_draft()
        if line.line_id in self.lines:
            raise RuleViolated("statement.duplicate_line")
        self._declare(line=line)

    @event(LineDeclared)
    def _declare(self, line: StatementLine) -> None:
        self.lines[line.line_id] = line

    def withdraw_line(self, line_id: str) -> None:
        """Take a line out of the draft."""
        self._check_draft()
        if line_id not in self.lines:
            raise RuleViolated("statement.line_unknown")
        self._withdraw(line_id=line_id)

    @event(LineWithdrawn)
    def _withdraw(self, line_id: str) -> None:
        del self.lines[line_id]

    def submit(self) -> None:
        """Send the draft to the financer (the coordinator, with the report)."""
        self._check_draft()
        if not self.lines:
            raise RuleViolated("statement.empty")
        self._submit()

    @event(Submitted)
    def _submit(self) -> None:
        self.status = StatementStatus.SUBMITTED

    # -- the financer's review ------------------------------------------------------

    def refuse_line(self, line_id: str, reason: RefusalReason, comment: str) -> None:
        """Refuse one line of the submitted statement, saying why."""
        self._check_submitted()
        if line_id not in self.lines:
            raise RuleViolated("statement.line_unknown")
        if line_id in self.refused:
            raise RuleViolated("statement.line_already_refused")
        text = comment.strip()
        if len(text) > MAX_COMMENT:
            raise RuleViolated("plan.text_too_long", field="comment", limit=MAX_COMMENT)
        self._refuse(line_id=line_id, reason=reason, comment=text)

    @event(LineRefused)
    def _refuse(self, line_id: str, reason: RefusalReason, comment: str) -> None:
        self.refused[line_id] = Refusal(reason, comment)

    def accept(self, comment: str) -> None:
        """Accept the submitted statement: every line not refused is accepted."""
        self._check_submitted()
        text = comment.strip()
        if len(text) > MAX_COMMENT:
            raise RuleViolated("plan.text_too_long", field="comment", limit=MAX_COMMENT)
        self._accept(comment=text)

    @event(Accepted)
    def _accept(self, comment: str) -> None:
        self.status = StatementStatus.ACCEPTED

    def _check_draft(self) -> None:
        if self.status is not StatementStatus.DRAFT:
            raise RuleViolated("statement.not_draft", status=self.status.value)

    def _check_submitted(self) -> None:
        if self.status is not StatementStatus.SUBMITTED:
            raise RuleViolated("statement.not_submitted", status=self.status.value)
