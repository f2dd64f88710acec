"""Commands on commitments: pledge, amend, withdraw, deliver."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.commitment import Commitment
from governance.errors import RuleViolated
from governance.values import Evidence, Pledge


class CommitmentCommands(ServiceBase):
    """Commitments and delivered contributions (members for their own partner)."""

    # -- commitments and contributions ----------------------------------------------

    @command
    def pledge(
        self, actor: Actor, consortium_id: UUID, partner_id: str, pledge: Pledge
    ) -> Created:
        """Record a partner's commitment (members: only for their own partner)."""
        with self._acting(actor):
            consortium = self._consortium(consortium_id)
            self._check_acts_for(actor, consortium, partner_id)
            consortium.require_open_for_commitments()
            if not consortium.is_active_partner(partner_id):
                raise RuleViolated("commitment.partner_not_active")
            commitment = Commitment.pledge(str(consortium_id), partner_id, pledge)
            return Created(str(commitment.id), self._save(commitment))

    @command
    def amend_commitment(
        self,
        actor: Actor,
        commitment_id: UUID,
        *,
        amount: Decimal,
        starts_on: date,
        ends_on: date,
        reason: str,
    ) -> int:
        """Change a commitment's amount or period, with the reason."""
        with self._acting(actor):
            commitment = self._commitment_for(actor, commitment_id)
            commitment.amend(amount, starts_on, ends_on, reason)
            return self._save(commitment)

    @command
    def withdraw_commitment(
        self, actor: Actor, commitment_id: UUID, on: date, reason: str
    ) -> int:
        """Withdraw a commitment, with the reason."""
        with self._acting(actor):
            commitment = self._commitment_for(actor, commitment_id)
            commitment.withdraw(on, reason)
            return self._save(commitment)

    @command
    def deliver(
        self,
        actor: Actor,
        commitment_id: UUID,
        *,
        delivered_on: date,
        amount: Decimal,
        description: str,
        evidence: Evidence | None,
    ) -> Created:
        """Record a contribution delivered against a commitment."""
        with self._acting(actor):
            commitment = self._commitment_for(actor, commitment_id)
            contribution_id = str(uuid4())
            commitment.deliver(
                contribution_id, delivered_on, amount, description, evidence
            )
            return Created(contribution_id, self._save(commitment))

    def _commitment_for(self, actor: Actor, commitment_id: UUID) -> Commitment:
        commitment = self._load(commitment_id, Commitment, "commitment")
        consortium = self._consortium(UUID(commitment.consortium_id))
        self._check_acts_for(actor, consortium, commitment.partner_id)
        # A withdrawn partner's commitments count as withdrawn from that date.
        if not consortium.is_active_partner(commitment.partner_id):
            raise RuleViolated("commitment.partner_not_active")
        return commitment
