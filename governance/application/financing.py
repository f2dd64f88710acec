"""Commands on the financing plan: lines, funding rules, versions (coordinators).

The plan is created by its first command (its id is derived from the consortium's).
Lines name active partners only. Filing a version freezes the partners' commitments
as the event store holds them (never a read model's copy): the caller names them, as
``draft_report`` names the indicators it includes, and each is loaded and checked to
belong to the consortium.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.commitment import Commitment
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.financing.plan import FinancingPlan
from governance.financing.values import (
    CommittedContribution,
    Expense,
    FundingRules,
    PlanVersionKind,
    Resource,
    committed_euros,
    plan_id,
)
from governance.permissions import Action


class FinancingCommands(ServiceBase):
    """The financing plan: planned expenses and resources, rules, versions."""

    @command
    def plan_expense(
        self, actor: Actor, consortium_id: UUID, expense: Expense
    ) -> Created:
        """Add an expense of an active partner to the draft plan."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            self._check_partner(consortium, expense.partner_id)
            plan = self._plan(consortium_id)
            line_id = str(uuid4())
            plan.plan_expense(expense.line(line_id))
            return Created(line_id, self._save(plan))

    @command
    def withdraw_expense(self, actor: Actor, consortium_id: UUID, line_id: str) -> int:
        """Take an expense line out of the draft plan."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            plan = self._plan(consortium_id)
            plan.withdraw_expense(line_id)
            return self._save(plan)

    @command
    def plan_resource(
        self, actor: Actor, consortium_id: UUID, resource: Resource
    ) -> Created:
        """Add a resource of an active partner to the draft plan."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            self._check_partner(consortium, resource.partner_id)
            plan = self._plan(consortium_id)
            line_id = str(uuid4())
            plan.plan_resource(resource.line(line_id))
            return Created(line_id, self._save(plan))

    @command
    def withdraw_resource(self, actor: Actor, consortium_id: UUID, line_id: str) -> int:
        """Take a resource line out of the draft plan."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            plan = self._plan(consortium_id)
            plan.withdraw_resource(line_id)
            return self._save(plan)

    @command
    def set_funding_rules(
        self, actor: Actor, consortium_id: UUID, rules: FundingRules
    ) -> int | None:
        """Set the rates, caps, period and categories the plan is checked against.

        Returns the position of the change, or None when nothing changed.
        """
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            plan = self._plan(consortium_id)
            plan.set_rules(rules)
            if not plan.pending_events:
                return None
            return self._save(plan)

    @command
    def file_plan_version(
        self,
        actor: Actor,
        consortium_id: UUID,
        kind: PlanVersionKind,
        commitment_ids: Sequence[UUID],
    ) -> int:
        """File the draft as the application's or the convention's version.

        ``commitment_ids`` are the consortium's commitments: those still standing
        (not withdrawn, their partner active) are frozen in the version, valued.
        """
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.PLAN_BUDGET)
            plan = self._plan(consortium_id)
            contributions = self._contributions(consortium, commitment_ids)
            plan.file_version(kind, contributions)
            return self._save(plan)

    # -- helpers ------------------------------------------------------------------

    @staticmethod
    def _check_partner(consortium: Consortium, partner_id: str) -> None:
        if not consortium.is_active_partner(partner_id):
            raise RuleViolated("plan.partner_not_active", field="partner_id")

    def _plan(self, consortium_id: UUID) -> FinancingPlan:
        """The consortium's plan; a new, empty one (unsaved) before its first line."""
        try:
            plan: FinancingPlan = self.repository.get(plan_id(str(consortium_id)))
        except AggregateNotFoundError:
            return FinancingPlan.open(str(consortium_id))
        return plan

    def _contributions(
        self, consortium: Consortium, commitment_ids: Sequence[UUID]
    ) -> tuple[CommittedContribution, ...]:
        found = []
        for commitment_id in dict.fromkeys(commitment_ids):
            commitment = self._load(commitment_id, Commitment, "commitment")
            if commitment.consortium_id != str(consortium.id):
                raise NotFound("commitment", commitment_id)
            if commitment.withdrawn_on is not None:
                continue
            if not consortium.is_active_partner(commitment.partner_id):
                continue
            found.append(
                CommittedContribution(
                    str(commitment.id),
                    commitment.partner_id,
                    commitment.kind,
                    commitment.funding,
                    committed_euros(
                        commitment.kind, commitment.amount, commitment.daily_rate
                    ),
                    commitment.covers,
                )
            )
        return tuple(found)
