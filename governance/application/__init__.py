"""The Governance application service: the only way to change anything.

Commands are grouped by area (consortia, commitments, decisions), each a mixin over
``ServiceBase``; ``Governance`` combines them into the one application.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.domain import MutableOrImmutableAggregate

from governance.application.amendments import AmendmentCommands
from governance.application.audit import AuditCommands
from governance.application.base import Created
from governance.application.call import CallCommands
from governance.application.capitalisation import CapitalisationCommands
from governance.application.commitments import CommitmentCommands
from governance.application.consortia import ConsortiumCommands
from governance.application.daily import DailyCommands
from governance.application.decisions import DecisionCommands
from governance.application.documents import DocumentCommands
from governance.application.expenses import ExpenseCommands
from governance.application.financial_reports import FinancialReportCommands
from governance.application.financing import FinancingCommands
from governance.application.funding import FundingCommands
from governance.application.reminders import ReminderCommands
from governance.application.reporting import ReportingCommands
from governance.application.workplan import WorkPlanCommands
from governance.consortium import Consortium
from governance.financing.plan import FinancingPlan
from governance.proposal import Proposal
from governance.workplan.plan import WorkPlan

__all__ = ["Created", "Governance"]


class Governance(
    ConsortiumCommands,
    CommitmentCommands,
    DecisionCommands,
    ReportingCommands,
    ReminderCommands,
    AuditCommands,
    CapitalisationCommands,
    AmendmentCommands,
    FinancingCommands,
    WorkPlanCommands,
    DocumentCommands,
    ExpenseCommands,
    FinancialReportCommands,
    FundingCommands,
    DailyCommands,
    CallCommands,
):
    """Commands on consortia, commitments, decisions, reporting, reminders,
    capitalisation, the financing plan and its amendments, expense statements, the
    work plan, the convention's documents and the audit."""

    name = "Governance"
    snapshotting_intervals: ClassVar[
        dict[type[MutableOrImmutableAggregate[Any]], int]
    ] = {Consortium: 100, Proposal: 100, FinancingPlan: 100, WorkPlan: 100}
