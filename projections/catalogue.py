"""Every projection the application runs, in the order they are applied."""

from __future__ import annotations

from projections.amendments import AmendmentsProjection
from projections.application_deadlines import ApplicationDeadlinesProjection
from projections.audit_chain import AuditChainProjection, CheckpointsProjection
from projections.base import Projection
from projections.budget import BudgetProjection
from projections.call_rules import CallRulesProjection
from projections.capitalisation import CapitalisationProjection
from projections.consortia import ConsortiaProjection
from projections.decisions import DecisionsProjection
from projections.documents import DocumentsProjection
from projections.expenses import ExpensesProjection
from projections.financial_reports import FinancialReportsProjection
from projections.funding import FundingProjection
from projections.history import HistoryProjection
from projections.indicators import IndicatorsProjection
from projections.ledger import LedgerProjection
from projections.members import MembersProjection
from projections.partners import PartnersProjection
from projections.readiness import ReadinessProjection
from projections.reminders import RemindersProjection
from projections.reporting import ReportingProjection
from projections.workplan import WorkPlanProjection


def all_projections() -> list[Projection]:
    """Fresh instances of every projection."""
    return [
        ConsortiaProjection(),
        PartnersProjection(),
        MembersProjection(),
        HistoryProjection(),
        LedgerProjection(),
        DecisionsProjection(),
        ReportingProjection(),
        IndicatorsProjection(),
        RemindersProjection(),
        AuditChainProjection(),
        CheckpointsProjection(),
        CapitalisationProjection(),
        ReadinessProjection(),
        BudgetProjection(),
        WorkPlanProjection(),
        AmendmentsProjection(),
        DocumentsProjection(),
        ExpensesProjection(),
        FinancialReportsProjection(),
        FundingProjection(),
        CallRulesProjection(),
        ApplicationDeadlinesProjection(),
    ]
