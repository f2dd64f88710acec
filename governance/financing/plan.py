"""The FinancingPlan aggregate: a consortium's planned expenses and resources.

One plan per consortium (its id derived from the consortium's). The coordinator
plans and withdraws lines and sets the funding rules; the plan is filed as a version
at the application, then at the convention (a snapshot of the lines, the rules and
the partners' commitments as valued then). Once the convention's version is filed
the plan is locked: a change needs an amendment (``amendment.Amendment``); an
approved one files a version of kind amendment, whose lines and rules become the
plan in force (``file_amendment``). Nothing is
overwritten: a withdrawn line is a new event, and each version keeps what it filed.
Who may change the plan, and for which partners, is the service's business.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.financing.values import (
    CommittedContribution,
    ExpenseLine,
    FundingRules,
    PlanContent,
    PlanVersion,
    PlanVersionKind,
    ResourceLine,
    plan_id,
)

FILED_BY_COMMAND = (PlanVersionKind.APPLICATION, PlanVersionKind.CONVENTION)


class FinancingPlan(Aggregate):
    """A consortium's financing plan (plan de financement prévisionnel)."""

    class Opened(GovernanceCreated):
        consortium_id: str

    class ExpensePlanned(GovernanceEvent):
        line: ExpenseLine

    class ExpenseWithdrawn(GovernanceEvent):
        line_id: str

    class ResourcePlanned(GovernanceEvent):
        line: ResourceLine

    class ResourceWithdrawn(GovernanceEvent):
        line_id: str

    class FundingRulesSet(GovernanceEvent):
        rules: FundingRules

    class VersionFiled(GovernanceEvent):
        version: PlanVersion

    @staticmethod
    def create_id(consortium_id: str) -> UUID:
        """One plan per consortium."""
        return plan_id(consortium_id)

    @event(Opened)
    def __init__(self, consortium_id: str) -> None:
        self.consortium_id = consortium_id
        self.expenses: dict[str, ExpenseLine] = {}
        self.resources: dict[str, ResourceLine] = {}
        self.rules = FundingRules()
        self.versions: list[PlanVersion] = []

    @classmethod
    def open(cls, consortium_id: str) -> FinancingPlan:
        """A consortium's plan, empty."""
        return cls(consortium_id=consortium_id)

    @property
    def locked(self) -> bool:
        """Whether the convention's version is filed (changes need an amendment)."""
        return any(v.kind is PlanVersionKind.CONVENTION for v in self.versions)

    def content(
        self, contributions: tuple[CommittedContribution, ...] = ()
    ) -> PlanContent:
        """The draft as it stands, with the commitments given."""
        return PlanContent(
            tuple(self.expenses.values()),
            tuple(self.resources.values()),
            contributions,
            self.rules,
        )

    # -- lines --------------------------------------------------------------------

    def plan_expense(self, line: ExpenseLine) -> None:
        """Add a checked expense line (``Expense.line``)."""
        self._check_open()
        if line.line_id in self.expenses or line.line_id in self.resources:
            raise RuleViolated("plan.duplicate_line")
        self._plan_expense(line=line)

    @event(ExpensePlanned)
    def _plan_expense(self, line: ExpenseLine) -> None:
        self.expenses[line.line_id] = line

    def withdraw_expense(self, line_id: str) -> None:
        """Take an expense line out of the draft."""
        self._check_open()
        if line_id not in self.expenses:
            raise RuleViolated("plan.line_unknown")
        self._withdraw_expense(line_id=line_id)

    @event(ExpenseWithdrawn)
    def _withdraw_expense(self, line_id: str) -> None:
        del self.expenses[line_id]

    def plan_resource(self, line: ResourceLine) -> None:
        """Add a checked resource line (``Resource.line``)."""
        self._check_open()
        if line.line_id in self.expenses or line.line_id in self.resources:
            raise RuleViolated("plan.duplicate_line")
        self._plan_resource(line=line)

    @event(ResourcePlanned)
    def _plan_resource(self, line: ResourceLine) -> None:
        self.resources[line.line_id] = line

    def withdraw_resource(self, line_id: str) -> None:
        """Take a resource line out of the draft."""
        self._check_open()
        if line_id not in self.resources:
            raise RuleViolated("plan.line_unknown")
        self._withdraw_resource(line_id=line_id)

    @event(ResourceWithdrawn)
    def _withdraw_resource(self, line_id: str) -> None:
        del self.resources[line_id]

    # -- rules and versions ---------------------------------------------------------

    def set_rules(self, rules: FundingRules) -> None:
        """Set the funding rules; the same rules again record nothing."""
        self._check_open()
        checked = rules.checked()
        if checked != self.rules:
            self._set_rules(rules=checked)

    @event(FundingRulesSet)
    def _set_rules(self, rules: FundingRules) -> None:
        self.rules = rules

    def file_version(
        self, kind: PlanVersionKind, contributions: tuple[CommittedContribution, ...]
    ) -> PlanVersion:
        """File the draft as the application's or the convention's version."""
        if kind not in FILED_BY_COMMAND:
            raise RuleViolated("plan.amendment_needs_approval")
        self._check_open()
        if any(v.kind is kind for v in self.versions):
            raise RuleViolated("plan.version_already_filed", kind=kind.value)
        if not self.expenses:
            raise RuleViolated("plan.empty")
        version = PlanVersion(len(self.versions) + 1, kind, self.content(contributions))
        self._file(version=version)
        return version

    def file_amendment(self, content: PlanContent) -> PlanVersion:
        """File an approved amendment's plan: a new version, now the plan in force."""
        if not self.locked:
            raise RuleViolated("amendment.plan_not_signed")
        if not content.expenses:
            raise RuleViolated("plan.empty")
        version = PlanVersion(
            len(self.versions) + 1, PlanVersionKind.AMENDMENT, content
        )
        self._file(version=version)
        return version

    @event(VersionFiled)
    def _file(self, version: PlanVersion) -> None:
        # An amendment's version replaces the lines and rules in force (no command
        # filed one before amendments existed: older streams replay unchanged).
        if version.kind is PlanVersionKind.AMENDMENT:
            self.expenses = {e.line_id: e for e in version.content.expenses}
            self.resources = {r.line_id: r for r in version.content.resources}
            self.rules = version.content.rules
        self.versions.append(version)

    def in_force(self) -> PlanContent:
        """The plan in force: the latest version's content (the draft before any)."""
        if self.versions:
            return self.versions[-1].content
        return self.content()

    def _check_open(self) -> None:
        if self.locked:
            raise RuleViolated("plan.locked_by_convention")
