"""Commands on financial reports: explain a variance, certify (the coordinator).

The report is created by its first command (its id is derived from the consortium
and the scope: a reporting period's report id, or ``FINAL``). Certifying reads the
figures from the event store, never from a read model: the plan in force and the
partners' statements of the scope's periods (a period's report: its own; the final
report: the periods the caller names, as ``file_plan_version`` names commitments,
each loaded and checked to belong to the consortium).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from governance.actor import Actor
from governance.application.base import ServiceBase
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.errors import NotFound
from governance.financing.plan import FinancingPlan
from governance.financing.realised import DeclaredLine
from governance.financing.report import FinancialReport
from governance.financing.report_values import (
    FINAL,
    ONE,
    ReportFigures,
    financial_report_id,
    period_share,
    report_figures,
)
from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import StatementStatus, statement_id
from governance.financing.values import CostCategory, PlanContent, plan_id
from governance.permissions import Action
from governance.reporting import ReportingObligation

A = TypeVar("A")


class FinancialReportCommands(ServiceBase):
    """Financial reports: variances explained, certification."""

    @command
    def explain_variance(
        self,
        actor: Actor,
        consortium_id: UUID,
        scope: str,
        category: CostCategory,
        explanation: str,
    ) -> int:
        """Explain the variance of a cost category in the scope's report."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.FINANCIAL_REPORT)
            periods = self._report_periods(consortium_id, scope, ())
            report = self._financial_report(consortium_id, scope, periods)
            report.explain(category, explanation)
            return self._save(report)

    @command
    def certify_financial_report(
        self,
        actor: Actor,
        consortium_id: UUID,
        scope: str,
        *,
        signatory: str,
        capacity: str,
        periods: Sequence[UUID] = (),
    ) -> int:
        """Certify the scope's report as ``signatory`` in ``capacity``.

        ``periods`` are the reporting periods of the final report (ignored for a
        period's report, which is its own period).
        """
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.FINANCIAL_REPORT)
            obligations = self._report_periods(consortium_id, scope, periods)
            report = self._financial_report(consortium_id, scope, obligations)
            figures, waiting = self._financial_figures(consortium, scope, obligations)
            report.certify(signatory, capacity, figures, statements_waiting=waiting)
            return self._save(report)

    def _financial_figures(
        self,
        consortium: Consortium,
        scope: str,
        obligations: Sequence[ReportingObligation],
    ) -> tuple[ReportFigures, bool]:
        """The report's figures from the event store, and whether some statement
        of its periods is not accepted yet."""
        plan = self._plan_for_report(str(consortium.id))
        content = plan.in_force() if plan is not None else PlanContent()
        rules = content.rules
        share = ONE
        if scope != FINAL and obligations:
            o = obligations[0]
            share = period_share(
                (o.period_start, o.period_end),
                (rules.eligible_from, rules.eligible_until),
            )
        declared: list[DeclaredLine] = []
        waiting = False
        for obligation in obligations:
            for partner_id in consortium.partners:
                found = self._found_for_report(
                    statement_id(str(consortium.id), str(obligation.id), partner_id),
                    ExpenseStatement,
                )
                if found is None or not found.lines:
                    continue
                accepted = found.status is StatementStatus.ACCEPTED
                waiting = waiting or not accepted
                declared += [
                    DeclaredLine(
                        partner_id,
                        str(found.id),
                        line,
                        line.line_id in found.refused,
                        accepted and line.line_id not in found.refused,
                    )
                    for line in found.lines.values()
                ]
        figures = report_figures(
            content.expenses,
            declared,
            share=share,
            threshold=rules.reallocation_share,
            partners=list(consortium.partners),
        )
        return figures, waiting

    # -- helpers ------------------------------------------------------------------

    def _report_periods(
        self, consortium_id: UUID, scope: str, named: Sequence[UUID]
    ) -> list[ReportingObligation]:
        """The reporting periods of the scope, checked to be the consortium's."""
        if scope == FINAL:
            ids = list(dict.fromkeys(named))
        else:
            try:
                ids = [UUID(scope)]
            except ValueError:
                raise NotFound("financial report", scope) from None
        found = []
        for obligation_id in ids:
            obligation = self._load(obligation_id, ReportingObligation, "report")
            if obligation.consortium_id != str(consortium_id):
                raise NotFound("report", obligation_id)
            found.append(obligation)
        return found

    def _financial_report(
        self,
        consortium_id: UUID,
        scope: str,
        periods: Sequence[ReportingObligation],
    ) -> FinancialReport:
        """The scope's report; a new one (unsaved) before its first command."""
        found = self._found_for_report(
            financial_report_id(str(consortium_id), scope), FinancialReport
        )
        if found is not None:
            return found
        title = periods[0].title if scope != FINAL and periods else ""
        return FinancialReport.open(str(consortium_id), scope, title)

    def _plan_for_report(self, consortium_id: str) -> FinancingPlan | None:
        return self._found_for_report(plan_id(consortium_id), FinancingPlan)

    def _found_for_report(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None
