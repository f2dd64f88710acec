"""Commands on expense statements: declare, withdraw, submit, refuse, accept.

A partner's members declare its expenses for a reporting period (a member for the
partner they represent only; a coordinator for any); the coordinator submits the
period's statements together; the financer refuses lines with a reason and accepts
the statements. The statement is created by its first line (its id is derived
from the consortium, the report and the partner).
"""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from governance.actor import SCHEDULER, Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import (
    DeclaredExpense,
    RefusalReason,
    StatementStatus,
    statement_id,
)
from governance.permissions import Action, check_declares_for
from governance.reminder import Reminder
from governance.reporting import WRITABLE, ReportingObligation


class ExpenseCommands(ServiceBase):
    """Partners' expense statements, per reporting period."""

    @command
    def declare_expense(
        self,
        actor: Actor,
        consortium_id: UUID,
        obligation_id: UUID,
        partner_id: str,
        expense: DeclaredExpense,
    ) -> Created:
        """Add a line to a partner's statement for the report's period."""
        with self._acting(actor):
            consortium = self._consortium(consortium_id)
            self._check_declares_expenses(actor, consortium, partner_id)
            if not consortium.is_active_partner(partner_id):
                raise RuleViolated("plan.partner_not_active", field="partner_id")
            obligation = self._period_report(consortium_id, obligation_id)
            statement = self._statement_for(consortium_id, obligation, partner_id)
            line_id = str(uuid4())
            statement.declare(expense.line(line_id, statement.period))
            return Created(line_id, self._save(statement))

    @command
    def withdraw_statement_line(
        self, actor: Actor, statement_uuid: UUID, line_id: str
    ) -> int:
        """Take a line out of a draft statement (who may declare it may)."""
        with self._acting(actor):
            statement = self._load(statement_uuid, ExpenseStatement, "statement")
            consortium = self._consortium(UUID(statement.consortium_id))
            self._check_declares_expenses(actor, consortium, statement.partner_id)
            statement.withdraw_line(line_id)
            return self._save(statement)

    @command
    def submit_statements(
        self, actor: Actor, consortium_id: UUID, obligation_id: UUID
    ) -> int:
        """Submit every partner's draft statement of the report's period."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.SUBMIT_EXPENSES)
            self._period_report(consortium_id, obligation_id)
            drafts = []
            for partner_id in consortium.partners:
                found = self._statement_found(
                    statement_id(str(consortium_id), str(obligation_id), partner_id)
                )
                if found and found.status is StatementStatus.DRAFT and found.lines:
                    found.submit()
                    drafts.append(found)
            if not drafts:
                raise RuleViolated("statement.nothing_to_submit")
            return self._save(*drafts)

    @command
    def refuse_statement_line(
        self,
        actor: Actor,
        statement_uuid: UUID,
        line_id: str,
        reason: RefusalReason,
        comment: str,
    ) -> int:
        """The financer refuses one line of a submitted statement, saying why."""
        with self._acting(actor):
            statement = self._statement_reviewed(actor, statement_uuid)
            statement.refuse_line(line_id, reason, comment)
            return self._save(statement)

    @command
    def accept_statement(self, actor: Actor, statement_uuid: UUID, comment: str) -> int:
        """The financer accepts a submitted statement (its lines not refused)."""
        with self._acting(actor):
            statement = self._statement_reviewed(actor, statement_uuid)
            statement.accept(comment)
            return self._save(statement)

    @command
    def accept_statements(
        self, actor: Actor, consortium_id: UUID, obligation_id: UUID, comment: str
    ) -> int:
        """The financer accepts every submitted statement of the report's period
        (the lines refused stay refused)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.REVIEW_EXPENSES)
            self._period_report(consortium_id, obligation_id)
            submitted = []
            for partner_id in consortium.partners:
                found = self._statement_found(
                    statement_id(str(consortium_id), str(obligation_id), partner_id)
                )
                if found and found.status is StatementStatus.SUBMITTED:
                    found.accept(comment)
                    submitted.append(found)
            if not submitted:
                raise RuleViolated("statement.nothing_to_accept")
            return self._save(*submitted)

    # -- helpers ------------------------------------------------------------------

    @staticmethod
    def _check_declares_expenses(
        actor: Actor, consortium: Consortium, partner_id: str
    ) -> None:
        check_declares_for(
            consortium.role_of(actor.account_id),
            consortium.partner_of(actor.account_id),
            partner_id,
            actor_id=actor.account_id,
            consortium_id=consortium.id,
        )

    def _statement_reviewed(
        self, actor: Actor, statement_uuid: UUID
    ) -> ExpenseStatement:
        statement = self._load(statement_uuid, ExpenseStatement, "statement")
        self._authorised(actor, UUID(statement.consortium_id), Action.REVIEW_EXPENSES)
        return statement

    @command
    def request_statement_reminder(
        self,
        consortium_id: UUID,
        obligation_id: UUID,
        partner_id: str,
        stage: int,
        recipient_id: str,
        escalation: int,
    ) -> int:
        """The scheduler reminds one person of a partner's statement due with a
        report, at one stage of the report's ladder.

        The reminder's ``obligation_id`` is the statement's id (derived from the
        consortium, the report and the partner, whether or not the statement is
        opened yet). Refused (``RuleViolated``) when the report is no longer due,
        the statement is submitted, the partner is not an active partner, or the
        person no longer belongs to the consortium; ``Conflict`` when issued.
        """
        with self._acting(Actor(SCHEDULER)):
            consortium = self._consortium(consortium_id)
            obligation = self._period_report(consortium_id, obligation_id)
            if obligation.status not in WRITABLE:
                raise RuleViolated("reminder.report_not_due")
            if not consortium.is_active_partner(partner_id):
                raise RuleViolated("reminder.report_not_due")
            subject = statement_id(str(consortium_id), str(obligation_id), partner_id)
            statement = self._statement_found(subject)
            if statement is not None and statement.status is not StatementStatus.DRAFT:
                raise RuleViolated("reminder.report_not_due")
            if consortium.role_of(recipient_id) is None:
                raise RuleViolated("reminder.recipient_not_a_member")
            reminder = Reminder(
                consortium_id=str(consortium_id),
                obligation_id=str(subject),
                due_on=obligation.due_on,
                stage=stage,
                recipient_id=recipient_id,
                escalation=escalation,
            )
            return self._save(reminder)

    def _period_report(
        self, consortium_id: UUID, obligation_id: UUID
    ) -> ReportingObligation:
        obligation = self._load(obligation_id, ReportingObligation, "report")
        if obligation.consortium_id != str(consortium_id):
            raise NotFound("report", obligation_id)
        return obligation

    def _statement_found(self, aggregate_id: UUID) -> ExpenseStatement | None:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, ExpenseStatement) else None

    def _statement_for(
        self, consortium_id: UUID, obligation: ReportingObligation, partner_id: str
    ) -> ExpenseStatement:
        """The partner's statement for the period; a new one (unsaved) at first."""
        found = self._statement_found(
            statement_id(str(consortium_id), str(obligation.id), partner_id)
        )
        if found is not None:
            return found
        return ExpenseStatement.open(
            str(consortium_id),
            partner_id,
            str(obligation.id),
            (obligation.period_start, obligation.period_end),
        )
