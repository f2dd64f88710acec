"""The FinancialReport aggregate: a period's (or the final) compte rendu financier.

One report per consortium and scope (a reporting period's report id, or ``FINAL``),
created by its first command. The coordinator explains the variances the funder
expects explained (one explanation per category; a new one replaces the last, the
history keeps both); then a named person certifies the report: their name, the
capacity they sign in (e.g. the lead partner's legal representative) and the
moment, with the figures certified. Certifying needs every significant variance
explained, at least one accepted expense and no statement of the scope still
waiting; once certified the report takes no more change. Who may do it is the
service's business.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.financing.report_values import (
    MAX_EXPLANATION,
    MAX_NAME,
    ReportFigures,
    financial_report_id,
)
from governance.financing.values import DIRECT_CATEGORIES, CostCategory


def _one_line(value: str, name: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise RuleViolated(f"financial_report.{name}_required", field=name)
    if len(text) > MAX_NAME:
        raise RuleViolated("plan.text_too_long", field=name, limit=MAX_NAME)
    return text


class FinancialReport(Aggregate):
    """A consortium's financial report of one period, or its final one."""

    class Opened(GovernanceCreated):
        consortium_id: str
        scope: str
        title: str

    class VarianceExplained(GovernanceEvent):
        category: CostCategory
        explanation: str

    class Certified(GovernanceEvent):
        signatory: str
        capacity: str
        budget: Decimal
        realised: Decimal

    @staticmethod
    def create_id(consortium_id: str, scope: str) -> UUID:
        """One report per consortium and scope."""
        return financial_report_id(consortium_id, scope)

    @event(Opened)
    def __init__(self, consortium_id: str, scope: str, title: str) -> None:
        self.consortium_id = consortium_id
        self.scope = scope
        self.title = title
        # By category value: state a snapshot stores as JSON (its keys are text).
        self.explanations: dict[str, str] = {}
        self.signatory = ""
        self.capacity = ""

    @classmethod
    def open(cls, consortium_id: str, scope: str, title: str) -> FinancialReport:
        """A report with nothing explained or certified yet."""
        return cls(consortium_id=consortium_id, scope=scope, title=title)

    @property
    def certified(self) -> bool:
        return bool(self.signatory)

    def explain(self, category: CostCategory, explanation: str) -> None:
        """Explain the variance of one category (replacing an earlier words)."""
        self._check_open()
        if category not in DIRECT_CATEGORIES:
            raise RuleViolated(
                "financial_report.category_not_compared", field="category"
            )
        text = explanation.strip()
        if not text:
            raise RuleViolated(
                "financial_report.explanation_required", field="explanation"
            )
        if len(text) > MAX_EXPLANATION:
            raise RuleViolated(
                "plan.text_too_long", field="explanation", limit=MAX_EXPLANATION
            )
        if self.explanations.get(category.value) == text:
            raise RuleViolated("financial_report.unchanged", field="explanation")
        self._explain(category=category, explanation=text)

    @event(VarianceExplained)
    def _explain(self, category: CostCategory, explanation: str) -> None:
        self.explanations[category.value] = explanation

    def certify(
        self,
        signatory: str,
        capacity: str,
        figures: ReportFigures,
        *,
        statements_waiting: bool,
    ) -> None:
        """Certify the report as ``signatory`` signing in ``capacity``."""
        self._check_open()
        name = _one_line(signatory, "signatory")
        role = _one_line(capacity, "capacity")
        if statements_waiting:
            raise RuleViolated("financial_report.statements_waiting")
        if figures.realised <= 0:
            raise RuleViolated("financial_report.nothing_accepted")
        unexplained = [
            c for c in figures.to_explain if c.value not in self.explanations
        ]
        if unexplained:
            raise RuleViolated(
                "financial_report.variance_unexplained", count=len(unexplained)
            )
        self._certify(
            signatory=name,
            capacity=role,
            budget=figures.budget,
            realised=figures.realised,
        )

    @event(Certified)
    def _certify(
        self, signatory: str, capacity: str, budget: Decimal, realised: Decimal
    ) -> None:
        self.signatory = signatory
        self.capacity = capacity

    def _check_open(self) -> None:
        if self.certified:
            raise RuleViolated("financial_report.certified")
