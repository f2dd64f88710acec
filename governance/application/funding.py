"""Commands on the funder's grant: set it up, record payments and recoveries.

The grant is the financer's record (the funder's money, the funder's schedule): the
financer sets it up and records what the funder paid or took back; nobody else may.
A payment is recorded only when its tranche's condition holds in the event store,
read here from the aggregates themselves (never a read model's copy): the
consortium's phase for the advance, the named report and its partners' expense
statements for an interim payment or the balance. The payment keeps what released
it, so the trail can say which accepted report did.

Accepted expenses count every accepted statement of the reports the schedule names,
and of the reports the caller adds (``counted_reports``: the web passes every report
of the consortium, as ``file_plan_version`` is given the commitments).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from governance.actor import SCHEDULER, Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.financing.funding_figures import FundingFigures, funding_figures
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    Release,
    Tranche,
    TrancheCondition,
    grant_id,
)
from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import StatementStatus, statement_id
from governance.permissions import Action
from governance.reminder import Reminder
from governance.reporting import ReportingObligation
from governance.values import MemberRole, Phase, ReportStatus

SIGNED_PHASES = (Phase.AGREEMENT_SIGNED, Phase.IMPLEMENTATION, Phase.CLOSED)
"""The phases a consortium is in once its convention is signed."""


class FundingCommands(ServiceBase):
    """The funder's grant, its tranches, payments and recoveries (financers)."""

    @command
    def set_grant(
        self,
        actor: Actor,
        consortium_id: UUID,
        terms: GrantTerms,
        tranches: Sequence[PlannedTranche],
    ) -> Created:
        """Set up the convention's grant and its schedule of payments (once)."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.MANAGE_GRANT)
            if self._grant_found(consortium_id) is not None:
                raise RuleViolated("grant.already_set")
            for planned in tranches:
                if planned.obligation_id:
                    self._report(consortium_id, planned.obligation_id, "obligation_id")
            grant = Grant.set_up(
                str(consortium_id),
                terms,
                tranches,
                [str(uuid4()) for _ in tranches],
            )
            return Created(str(grant.id), self._save(grant))

    @command
    def record_payment(
        self,
        actor: Actor,
        consortium_id: UUID,
        tranche_id: str,
        amount: Decimal,
        paid_on: date,
        counted_reports: Collection[UUID] = (),
    ) -> Created:
        """Record the funder's payment of a tranche whose condition holds."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.RECORD_PAYMENT)
            grant = self._grant(consortium_id)
            self._check_not_future(paid_on, "paid_on")
            tranche = grant.tranche(tranche_id)
            release = self._release(consortium, tranche)
            figures = self._figures(consortium, grant, counted_reports)
            payment_id = str(uuid4())
            grant.record_payment(
                payment_id, tranche.tranche_id, amount, paid_on, figures, release
            )
            return Created(payment_id, self._save(grant))

    @command
    def record_recovery(
        self,
        actor: Actor,
        consortium_id: UUID,
        amount: Decimal,
        recovered_on: date,
        reason: str,
        counted_reports: Collection[UUID] = (),
    ) -> Created:
        """Record money the funder takes back: the final report is accepted and
        accepted expenses × rate fall short of what was paid."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.RECORD_PAYMENT)
            grant = self._grant(consortium_id)
            self._check_not_future(recovered_on, "recovered_on")
            figures = self._figures(consortium, grant, counted_reports)
            final = next(
                (
                    t
                    for t in grant.tranches
                    if t.condition is TrancheCondition.FINAL_REPORT_ACCEPTED
                ),
                None,
            )
            if final is None:
                raise RuleViolated("recovery.nothing_due")
            release = self._release(consortium, final)
            recovery_id = str(uuid4())
            grant.record_recovery(
                recovery_id, amount, recovered_on, reason, figures, release
            )
            return Created(recovery_id, self._save(grant))

    @command
    def request_tranche_reminder(
        self,
        consortium_id: UUID,
        tranche_id: str,
        ready_on: date,
        stage: int,
        recipient_id: str,
        escalation: int,
        counted_reports: Collection[UUID] = (),
    ) -> int:
        """The scheduler reminds one financer that a tranche is ready to be paid.

        ``ready_on`` is the day the scheduler first found the tranche ready (the
        ladder counts from it). Refused (``RuleViolated``) when the tranche's
        condition does not hold in the log, nothing of it is due any more (paid),
        or the person is not a financer of the consortium; ``Conflict`` when
        already issued (the id is the key's).
        """
        with self._acting(Actor(SCHEDULER)):
            consortium = self._consortium(consortium_id)
            grant = self._grant(consortium_id)
            tranche = grant.tranche(tranche_id)
            if not self._ready(consortium, tranche):
                raise RuleViolated("reminder.report_not_due")
            figures = self._figures(consortium, grant, counted_reports)
            row = next(
                t for t in figures.tranches if t.tranche.tranche_id == tranche_id
            )
            if row.due <= 0:
                raise RuleViolated("reminder.report_not_due")
            if consortium.role_of(recipient_id) is not MemberRole.FINANCER:
                raise RuleViolated("reminder.recipient_not_a_member")
            reminder = Reminder(
                consortium_id=str(consortium_id),
                obligation_id=tranche_id,
                due_on=ready_on,
                stage=stage,
                recipient_id=recipient_id,
                escalation=escalation,
            )
            return self._save(reminder)

    # -- reading the log ----------------------------------------------------------

    def _check_not_future(self, day: date, name: str) -> None:
        if day > self.clock.now().date():
            raise RuleViolated("payment.in_future", field=name)

    def _grant_found(self, consortium_id: UUID) -> Grant | None:
        try:
            found: object = self.repository.get(grant_id(str(consortium_id)))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Grant) else None

    def _grant(self, consortium_id: UUID) -> Grant:
        grant = self._grant_found(consortium_id)
        if grant is None:
            raise RuleViolated("grant.not_set")
        return grant

    def _report(
        self, consortium_id: UUID, obligation_id: str, name: str
    ) -> ReportingObligation:
        try:
            uuid = UUID(obligation_id)
        except ValueError:
            raise RuleViolated("tranche.report_unknown", field=name) from None
        try:
            obligation = self._load(uuid, ReportingObligation, "report")
        except NotFound:
            raise RuleViolated("tranche.report_unknown", field=name) from None
        if obligation.consortium_id != str(consortium_id):
            raise RuleViolated("tranche.report_unknown", field=name)
        return obligation

    def _statements(
        self, consortium: Consortium, obligation_id: str
    ) -> list[ExpenseStatement]:
        """The partners' statements of a report's period that hold lines."""
        found = []
        for partner_id in consortium.partners:
            try:
                statement: object = self.repository.get(
                    statement_id(str(consortium.id), obligation_id, partner_id)
                )
            except AggregateNotFoundError:
                continue
            if isinstance(statement, ExpenseStatement) and statement.lines:
                found.append(statement)
        return found

    def _release(self, consortium: Consortium, tranche: Tranche) -> Release:
        """What releases the tranche, as the log holds it; refused when it does not."""
        if tranche.condition is TrancheCondition.CONVENTION_SIGNED:
            if consortium.phase not in SIGNED_PHASES:
                raise RuleViolated("tranche.convention_not_signed", field="tranche_id")
            return Release(tranche.condition)
        report = self._report(consortium.id, tranche.obligation_id, "tranche_id")
        if report.status is not ReportStatus.ACCEPTED:
            raise RuleViolated(
                "tranche.report_not_accepted", field="tranche_id", report=report.title
            )
        statements = self._statements(consortium, tranche.obligation_id)
        # An interim payment needs its period's statements; the balance is computed
        # from every accepted expense, so a final report may come without any.
        interim = tranche.condition is TrancheCondition.REPORT_ACCEPTED
        if interim and not statements:
            raise RuleViolated(
                "tranche.no_statement", field="tranche_id", report=report.title
            )
        if any(s.status is not StatementStatus.ACCEPTED for s in statements):
            raise RuleViolated(
                "tranche.statement_not_accepted",
                field="tranche_id",
                report=report.title,
            )
        return Release(
            tranche.condition,
            tranche.obligation_id,
            report.title,
            tuple(str(s.id) for s in statements),
            sum((s.accepted or Decimal(0) for s in statements), Decimal(0)),
        )

    def _ready(self, consortium: Consortium, tranche: Tranche) -> bool:
        try:
            self._release(consortium, tranche)
        except RuleViolated:
            return False
        return True

    def _figures(
        self, consortium: Consortium, grant: Grant, counted: Collection[UUID]
    ) -> FundingFigures:
        reports = dict.fromkeys(
            [t.obligation_id for t in grant.tranches if t.obligation_id]
            + [str(r) for r in counted]
        )
        accepted = Decimal(0)
        for obligation_id in reports:
            self._report(consortium.id, obligation_id, "counted_reports")
            for statement in self._statements(consortium, obligation_id):
                accepted += statement.accepted or Decimal(0)
        ready = {t.tranche_id for t in grant.tranches if self._ready(consortium, t)}
        return funding_figures(
            grant.terms,
            grant.tranches,
            grant.payments,
            grant.recoveries,
            accepted,
            ready,
        )
