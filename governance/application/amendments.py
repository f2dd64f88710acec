"""Commands on amendments of the plan (coordinators propose, financers decide).

An amendment is drafted once the convention's version is filed (before, the draft
plan itself changes). It may cite the adopted proposal of one of the consortium's
governance bodies; a proposal that is not adopted, or of another consortium, is
refused. Approving files the plan's new version and the approval in one save: both
or neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from governance.actor import Actor
from governance.application.base import Created
from governance.application.financing import FinancingCommands
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.financing.amendment import Amendment
from governance.financing.changes import AmendmentKind
from governance.financing.plan import FinancingPlan
from governance.financing.values import Expense, PlanContent, Resource
from governance.permissions import Action
from governance.proposal import Decision, Proposal
from governance.voting import Outcome


class AmendmentCommands(FinancingCommands):
    """Amendments: drafted and proposed by the coordinator, decided by the financer."""

    @command
    def draft_amendment(
        self,
        actor: Actor,
        consortium_id: UUID,
        kind: AmendmentKind,
        reason: str,
        proposal_id: UUID | None = None,
    ) -> Created:
        """Open an amendment of the signed plan, in draft."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.PROPOSE_AMENDMENT)
            self._signed_plan(consortium_id)
            if proposal_id is not None:
                self._check_adopted(consortium_id, proposal_id)
            amendment = Amendment.draft(
                str(consortium_id),
                kind,
                reason,
                str(proposal_id) if proposal_id is not None else None,
            )
            return Created(str(amendment.id), self._save(amendment))

    @command
    def add_amendment_expense(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, expense: Expense
    ) -> Created:
        """Add an expense line of an active partner to a draft amendment."""
        with self._acting(actor):
            consortium, amendment = self._drafting(actor, consortium_id, amendment_id)
            self._check_partner(consortium, expense.partner_id)
            line_id = str(uuid4())
            amendment.add_expense(expense.line(line_id))
            return Created(line_id, self._save(amendment))

    @command
    def add_amendment_resource(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, resource: Resource
    ) -> Created:
        """Add a resource line of an active partner to a draft amendment."""
        with self._acting(actor):
            consortium, amendment = self._drafting(actor, consortium_id, amendment_id)
            self._check_partner(consortium, resource.partner_id)
            line_id = str(uuid4())
            amendment.add_resource(resource.line(line_id))
            return Created(line_id, self._save(amendment))

    @command
    def withdraw_in_amendment(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, line_id: str
    ) -> int:
        """Withdraw a line of the plan in force, in a draft amendment."""
        with self._acting(actor):
            _, amendment = self._drafting(actor, consortium_id, amendment_id)
            plan = self._signed_plan(consortium_id)
            amendment.withdraw_line(line_id, plan.in_force())
            return self._save(amendment)

    @command
    def drop_amendment_change(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, line_id: str
    ) -> int:
        """Take back a line added or withdrawn in a draft amendment."""
        with self._acting(actor):
            _, amendment = self._drafting(actor, consortium_id, amendment_id)
            amendment.drop_change(line_id)
            return self._save(amendment)

    @command
    def extend_amendment_period(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, until: date
    ) -> int:
        """Move the end of the eligible period later, in a draft amendment."""
        with self._acting(actor):
            _, amendment = self._drafting(actor, consortium_id, amendment_id)
            plan = self._signed_plan(consortium_id)
            amendment.extend_period(until, plan.in_force())
            return self._save(amendment)

    @command
    def propose_amendment(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID
    ) -> int:
        """Send a draft amendment to the financer."""
        with self._acting(actor):
            _, amendment = self._drafting(actor, consortium_id, amendment_id)
            plan = self._signed_plan(consortium_id)
            in_force = plan.in_force()
            amendment.changes.applied_to(in_force)  # refused if stale
            amendment.propose(in_force)
            return self._save(amendment)

    @command
    def approve_amendment(
        self,
        actor: Actor,
        consortium_id: UUID,
        amendment_id: UUID,
        reason: str,
        commitment_ids: Sequence[UUID],
    ) -> int:
        """Approve a proposed amendment: the plan files its new version.

        ``commitment_ids`` are the consortium's commitments, frozen in the new
        version as ``file_plan_version`` freezes them.
        """
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.DECIDE_AMENDMENT)
            amendment = self._amendment(consortium_id, amendment_id)
            plan = self._signed_plan(consortium_id)
            amended = amendment.changes.applied_to(plan.in_force())
            content = PlanContent(
                amended.expenses,
                amended.resources,
                self._contributions(consortium, commitment_ids),
                amended.rules,
            )
            version = plan.file_amendment(content)
            amendment.approve(reason, version.number)
            return self._save(plan, amendment)

    @command
    def refuse_amendment(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID, reason: str
    ) -> int:
        """Refuse a proposed amendment, saying why; the plan stays as it is."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.DECIDE_AMENDMENT)
            amendment = self._amendment(consortium_id, amendment_id)
            amendment.refuse(reason)
            return self._save(amendment)

    # -- helpers ------------------------------------------------------------------

    def _amendment(self, consortium_id: UUID, amendment_id: UUID) -> Amendment:
        amendment = self._load(amendment_id, Amendment, "amendment")
        if amendment.consortium_id != str(consortium_id):
            raise NotFound("amendment", amendment_id)
        return amendment

    def _drafting(
        self, actor: Actor, consortium_id: UUID, amendment_id: UUID
    ) -> tuple[Consortium, Amendment]:
        consortium = self._authorised(actor, consortium_id, Action.PROPOSE_AMENDMENT)
        return consortium, self._amendment(consortium_id, amendment_id)

    def _signed_plan(self, consortium_id: UUID) -> FinancingPlan:
        plan = self._plan(consortium_id)
        if not plan.locked:
            raise RuleViolated("amendment.plan_not_signed")
        return plan

    def _check_adopted(self, consortium_id: UUID, proposal_id: UUID) -> None:
        """A proposal voted on, or a decision recorded from a meeting: adopted."""
        try:
            found: object = self.repository.get(proposal_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, Proposal | Decision) or found.consortium_id != str(
            consortium_id
        ):
            raise RuleViolated("amendment.proposal_unknown", field="proposal_id")
        if found.outcome is not Outcome.ADOPTED:
            raise RuleViolated("amendment.proposal_not_adopted", field="proposal_id")
