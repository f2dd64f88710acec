"""The published catalogue of events: stable names for consumers.

Projections and notifications import events from here, never from aggregate modules,
so aggregates can be reorganised without touching the read side.
"""

from __future__ import annotations

from governance.call.rulebook import CallRulebook  # callrules
from governance.capitalisation import CapitalisationRecord
from governance.checkpoint import Checkpoint
from governance.commitment import Commitment
from governance.consortium import Consortium
from governance.convention.document import ConventionDocument
from governance.financing.amendment import Amendment
from governance.financing.grant import Grant
from governance.financing.plan import FinancingPlan
from governance.financing.report import FinancialReport
from governance.financing.statement import ExpenseStatement
from governance.indicator import Indicator
from governance.proposal import Decision, Proposal
from governance.reminder import Reminder, ReminderSchedule
from governance.reporting import ReportingObligation
from governance.workplan.plan import WorkPlan

ConsortiumFounded = Consortium.Founded
ProfileRevised = Consortium.ProfileRevised
PhaseChanged = Consortium.PhaseChanged
PartnerJoined = Consortium.PartnerJoined
PartnerRoleChanged = Consortium.PartnerRoleChanged
PartnerAxisChanged = Consortium.PartnerAxisChanged
PartnerPaperRecorded = Consortium.PartnerPaperRecorded
PartnerWithdrew = Consortium.PartnerWithdrew
InvitationIssued = Consortium.InvitationIssued
InvitationCancelled = Consortium.InvitationCancelled
MembershipGranted = Consortium.MembershipGranted
MembershipRevoked = Consortium.MembershipRevoked
CommitmentPledged = Commitment.Pledged
CommitmentAmended = Commitment.Amended
CommitmentWithdrawn = Commitment.Withdrawn
ContributionDelivered = Commitment.ContributionDelivered
GovernanceBodyEstablished = Consortium.GovernanceBodyEstablished
GovernanceBodyChanged = Consortium.GovernanceBodyChanged
ProxyDelegated = Consortium.ProxyDelegated
ProxyRevoked = Consortium.ProxyRevoked
ProposalTabled = Proposal.Tabled
VoteCast = Proposal.VoteCast
VoteChanged = Proposal.VoteChanged
ProposalClosed = Proposal.Closed
OutcomeVetoed = Proposal.OutcomeVetoed
DecisionRecorded = Decision.Recorded
ReportingObligationScheduled = ReportingObligation.Scheduled
ReportDrafted = ReportingObligation.ReportDrafted
ReportSubmitted = ReportingObligation.ReportSubmitted
ReportAccepted = ReportingObligation.ReportAccepted
ReportChangesRequested = ReportingObligation.ReportChangesRequested
IndicatorDefined = Indicator.Defined
IndicatorMeasured = Indicator.Measured
ReminderRequested = Reminder.Requested
ReminderSent = Reminder.Sent
ReminderScheduleSet = ReminderSchedule.Set
ReminderScheduleChanged = ReminderSchedule.Changed
CheckpointSealed = Checkpoint.Sealed
CheckpointCountersigned = Checkpoint.Countersigned
PersonalDataDeclared = Consortium.PersonalDataDeclared
BeneficiaryInvolvementDescribed = Consortium.BeneficiaryInvolvementDescribed
LessonRecorded = CapitalisationRecord.LessonRecorded
AssetPublished = CapitalisationRecord.AssetPublished
ReplicationRecorded = CapitalisationRecord.ReplicationRecorded
DisseminationRecorded = CapitalisationRecord.DisseminationRecorded
CapitalisationEntryAmended = CapitalisationRecord.Amended
CapitalisationEntryWithdrawn = CapitalisationRecord.Withdrawn
FinancingPlanOpened = FinancingPlan.Opened
ExpensePlanned = FinancingPlan.ExpensePlanned
ExpenseWithdrawn = FinancingPlan.ExpenseWithdrawn
ResourcePlanned = FinancingPlan.ResourcePlanned
ResourceWithdrawn = FinancingPlan.ResourceWithdrawn
FundingRulesSet = FinancingPlan.FundingRulesSet
PlanVersionFiled = FinancingPlan.VersionFiled
WorkPlanOpened = WorkPlan.Opened
WorkPackageDefined = WorkPlan.PackageDefined
WorkPackageChanged = WorkPlan.PackageChanged
WorkPackageWithdrawn = WorkPlan.PackageWithdrawn
DeliverablePlanned = WorkPlan.DeliverablePlanned
DeliverableSubmitted = WorkPlan.DeliverableSubmitted
DeliverableAccepted = WorkPlan.DeliverableAccepted
DeliverableChangesRequested = WorkPlan.DeliverableChangesRequested
MilestonePlanned = WorkPlan.MilestonePlanned
MilestoneReached = WorkPlan.MilestoneReached
AmendmentDrafted = Amendment.Drafted
AmendmentExpenseAdded = Amendment.ExpenseAdded
AmendmentResourceAdded = Amendment.ResourceAdded
AmendmentLineWithdrawn = Amendment.LineWithdrawn
AmendmentChangeDropped = Amendment.ChangeDropped
AmendmentPeriodExtended = Amendment.PeriodExtended
AmendmentProposed = Amendment.Proposed
AmendmentApproved = Amendment.Approved
AmendmentRefused = Amendment.Refused
DocumentFiled = ConventionDocument.Filed
DocumentVersionFiled = ConventionDocument.VersionFiled
DocumentSigned = ConventionDocument.Signed
ExpenseStatementOpened = ExpenseStatement.Opened
StatementLineDeclared = ExpenseStatement.LineDeclared
StatementLineWithdrawn = ExpenseStatement.LineWithdrawn
ExpenseStatementSubmitted = ExpenseStatement.Submitted
StatementLineRefused = ExpenseStatement.LineRefused
ExpenseStatementAccepted = ExpenseStatement.Accepted
FinancialReportOpened = FinancialReport.Opened
VarianceExplained = FinancialReport.VarianceExplained
FinancialReportCertified = FinancialReport.Certified
GrantSet = Grant.Set
PaymentRecorded = Grant.PaymentRecorded
RecoveryRecorded = Grant.RecoveryRecorded

# Daily use (issue 17): votes recorded at a meeting, measurements corrected.
VoteRecorded = Proposal.VoteRecorded
MeasurementCorrected = Indicator.MeasurementCorrected
MeasurementWithdrawn = Indicator.MeasurementWithdrawn

# The call's rules (issue 16 §7).
CallRulebookOpened = CallRulebook.Opened
CallRulesRecorded = CallRulebook.RulesRecorded

ALL_EVENTS: tuple[type, ...] = (
    ConsortiumFounded,
    ProfileRevised,
    PhaseChanged,
    PartnerJoined,
    PartnerRoleChanged,
    PartnerAxisChanged,
    PartnerPaperRecorded,
    PartnerWithdrew,
    InvitationIssued,
    InvitationCancelled,
    MembershipGranted,
    MembershipRevoked,
    CommitmentPledged,
    CommitmentAmended,
    CommitmentWithdrawn,
    ContributionDelivered,
    GovernanceBodyEstablished,
    GovernanceBodyChanged,
    ProxyDelegated,
    ProxyRevoked,
    ProposalTabled,
    VoteCast,
    VoteChanged,
    ProposalClosed,
    OutcomeVetoed,
    DecisionRecorded,
    ReportingObligationScheduled,
    ReportDrafted,
    ReportSubmitted,
    ReportAccepted,
    ReportChangesRequested,
    IndicatorDefined,
    IndicatorMeasured,
    ReminderRequested,
    ReminderSent,
    ReminderScheduleSet,
    ReminderScheduleChanged,
    CheckpointSealed,
    CheckpointCountersigned,
    PersonalDataDeclared,
    BeneficiaryInvolvementDescribed,
    LessonRecorded,
    AssetPublished,
    ReplicationRecorded,
    DisseminationRecorded,
    CapitalisationEntryAmended,
    CapitalisationEntryWithdrawn,
    FinancingPlanOpened,
    ExpensePlanned,
    ExpenseWithdrawn,
    ResourcePlanned,
    ResourceWithdrawn,
    FundingRulesSet,
    PlanVersionFiled,
    WorkPlanOpened,
    WorkPackageDefined,
    WorkPackageChanged,
    WorkPackageWithdrawn,
    DeliverablePlanned,
    DeliverableSubmitted,
    DeliverableAccepted,
    DeliverableChangesRequested,
    MilestonePlanned,
    MilestoneReached,
    AmendmentDrafted,
    AmendmentExpenseAdded,
    AmendmentResourceAdded,
    AmendmentLineWithdrawn,
    AmendmentChangeDropped,
    AmendmentPeriodExtended,
    AmendmentProposed,
    AmendmentApproved,
    AmendmentRefused,
    DocumentFiled,
    DocumentVersionFiled,
    DocumentSigned,
    ExpenseStatementOpened,
    StatementLineDeclared,
    StatementLineWithdrawn,
    ExpenseStatementSubmitted,
    StatementLineRefused,
    ExpenseStatementAccepted,
    FinancialReportOpened,
    VarianceExplained,
    FinancialReportCertified,
    GrantSet,
    PaymentRecorded,
    RecoveryRecorded,
    VoteRecorded,
    MeasurementCorrected,
    MeasurementWithdrawn,
    CallRulebookOpened,
    CallRulesRecorded,
)

CAPITALISATION_RECORDED: tuple[type, ...] = (
    LessonRecorded,
    AssetPublished,
    ReplicationRecorded,
    DisseminationRecorded,
)
"""The four events that open a capitalisation entry, one per kind."""

CapitalisationRecorded = (
    LessonRecorded | AssetPublished | ReplicationRecorded | DisseminationRecorded
)
"""Any of them, as a type (a handler of all four reads the same fields)."""

PLAN_EVENTS: tuple[type, ...] = (
    FinancingPlanOpened,
    ExpensePlanned,
    ExpenseWithdrawn,
    ResourcePlanned,
    ResourceWithdrawn,
    FundingRulesSet,
    PlanVersionFiled,
)
"""The financing plan's events."""

AMENDMENT_EVENTS: tuple[type, ...] = (
    AmendmentDrafted,
    AmendmentExpenseAdded,
    AmendmentResourceAdded,
    AmendmentLineWithdrawn,
    AmendmentChangeDropped,
    AmendmentPeriodExtended,
    AmendmentProposed,
    AmendmentApproved,
    AmendmentRefused,
)
"""The amendments' events."""
STATEMENT_EVENTS: tuple[type, ...] = (
    ExpenseStatementOpened,
    StatementLineDeclared,
    StatementLineWithdrawn,
    ExpenseStatementSubmitted,
    StatementLineRefused,
    ExpenseStatementAccepted,
)
"""The expense statements' events."""
FINANCIAL_REPORT_EVENTS: tuple[type, ...] = (
    FinancialReportOpened,
    VarianceExplained,
    FinancialReportCertified,
)
"""The financial reports' events."""

GRANT_EVENTS: tuple[type, ...] = (GrantSet, PaymentRecorded, RecoveryRecorded)
"""The grant's events: set up with its tranches, payments, recoveries."""
