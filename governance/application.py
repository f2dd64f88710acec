"""The Governance application service: the only way to change anything.

Each command takes the acting account, loads the aggregate, checks the permission
(``permissions.py``, authoritative), lets the aggregate check its invariants, saves
in one transaction and returns the position of its last event so the caller can wait
for the read models (read-your-writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from governance.actor import Actor, acting_as
from governance.clock import Clock, SystemClock
from governance.commitment import Commitment
from governance.consortium import Consortium
from governance.errors import Conflict, NotFound, NotPermitted, RuleViolated
from governance.permissions import Action, check, check_acts_for_partner
from governance.transcodings import register_all
from governance.values import (
    CallForProjects,
    Evidence,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerRole,
    Phase,
    Pledge,
)

A = TypeVar("A")


@dataclass(frozen=True)
class Created:
    """What a creating command returns: the new thing's id and the log position."""

    id: str
    position: int


class Governance(Application[UUID]):
    """Commands on consortia (partners, phases, people)."""

    name = "Governance"
    snapshotting_intervals: ClassVar[
        dict[type[MutableOrImmutableAggregate[Any]], int]
    ] = {Consortium: 100}

    def __init__(
        self, env: Mapping[str, str] | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_all(transcoder)

    # -- consortium ---------------------------------------------------------------

    def found_consortium(
        self,
        actor: Actor,
        *,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
        founded_on: date,
    ) -> Created:
        """Found a consortium; any account may, and becomes its first coordinator."""
        with self._acting(actor):
            consortium = Consortium.found(
                name=name,
                acronym=acronym,
                summary=summary,
                territory=territory,
                call=call,
                founded_on=founded_on,
                founder_id=actor.account_id,
            )
            return Created(str(consortium.id), self._save(consortium))

    def revise_profile(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
    ) -> int:
        """Change the consortium's name, summary, territory or call."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PROFILE)
            consortium.revise_profile(
                name=name,
                acronym=acronym,
                summary=summary,
                territory=territory,
                call=call,
            )
            return self._save(consortium)

    def change_phase(
        self, actor: Actor, consortium_id: UUID, phase: Phase, on: date
    ) -> int:
        """Move the consortium to the next phase of its life."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PHASE)
            consortium.change_phase(phase, on)
            return self._save(consortium)

    # -- partners -----------------------------------------------------------------

    def admit_partner(
        self,
        actor: Actor,
        consortium_id: UUID,
        identity: PartnerIdentity,
        *,
        role: PartnerRole,
        axis: str,
        paper: Paper,
        paper_signed_on: date | None,
        joined_on: date,
    ) -> Created:
        """Admit an organisation as lead partner, partner or associated partner."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            partner_id = consortium.admit_partner(
                identity,
                role=role,
                axis=axis,
                paper=paper,
                paper_signed_on=paper_signed_on,
                joined_on=joined_on,
            )
            return Created(partner_id, self._save(consortium))

    def change_partner_role(
        self, actor: Actor, consortium_id: UUID, partner_id: str, role: PartnerRole
    ) -> int:
        """Change a partner's role (making it lead hands the lead over)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.change_partner_role(partner_id, role)
            return self._save(consortium)

    def change_partner_axis(
        self, actor: Actor, consortium_id: UUID, partner_id: str, axis: str
    ) -> int:
        """Change the axis of the project a partner carries."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.change_partner_axis(partner_id, axis)
            return self._save(consortium)

    def record_paper(
        self,
        actor: Actor,
        consortium_id: UUID,
        partner_id: str,
        paper: Paper,
        signed_on: date | None,
    ) -> int:
        """Record a partner's commitment paper."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.record_paper(partner_id, paper, signed_on)
            return self._save(consortium)

    def withdraw_partner(
        self, actor: Actor, consortium_id: UUID, partner_id: str, on: date, reason: str
    ) -> int:
        """Record that a partner left the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.withdraw_partner(partner_id, on, reason)
            return self._save(consortium)

    # -- people -------------------------------------------------------------------

    def issue_invitation(
        self,
        actor: Actor,
        consortium_id: UUID,
        role: MemberRole,
        partner_id: str | None,
        expires_at: datetime,
    ) -> Created:
        """Invite a person to a role; the e-mail and token stay outside the log."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            invitation_id = str(uuid4())
            consortium.issue_invitation(
                invitation_id=invitation_id,
                role=role,
                partner_id=partner_id,
                expires_at=expires_at,
            )
            return Created(invitation_id, self._save(consortium))

    def cancel_invitation(
        self, actor: Actor, consortium_id: UUID, invitation_id: str
    ) -> int:
        """Cancel an invitation not accepted yet."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.cancel_invitation(invitation_id)
            return self._save(consortium)

    def accept_invitation(
        self, actor: Actor, consortium_id: UUID, invitation_id: str
    ) -> int:
        """The invited person joins; holding the invitation's token is the proof."""
        with self._acting(actor):
            consortium = self._consortium(consortium_id)
            consortium.accept_invitation(
                invitation_id, actor.account_id, self.clock.now()
            )
            return self._save(consortium)

    def grant_membership(
        self,
        actor: Actor,
        consortium_id: UUID,
        account_id: str,
        role: MemberRole,
        partner_id: str | None,
    ) -> int:
        """Change the role a person holds in the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.grant_membership(account_id, role, partner_id)
            return self._save(consortium)

    def revoke_membership(
        self, actor: Actor, consortium_id: UUID, account_id: str
    ) -> int:
        """Remove a person from the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.revoke_membership(account_id)
            return self._save(consortium)

    # -- commitments and contributions ----------------------------------------------

    def pledge(
        self, actor: Actor, consortium_id: UUID, partner_id: str, pledge: Pledge
    ) -> Created:
        """Record a partner's commitment (members: only for their own partner)."""
        with self._acting(actor):
            consortium = self._consortium(consortium_id)
            self._check_acts_for(actor, consortium, partner_id)
            if not consortium.is_active_partner(partner_id):
                raise RuleViolated("commitment.partner_not_active")
            commitment = Commitment.pledge(str(consortium_id), partner_id, pledge)
            return Created(str(commitment.id), self._save(commitment))

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

    def withdraw_commitment(
        self, actor: Actor, commitment_id: UUID, on: date, reason: str
    ) -> int:
        """Withdraw a commitment, with the reason."""
        with self._acting(actor):
            commitment = self._commitment_for(actor, commitment_id)
            commitment.withdraw(on, reason)
            return self._save(commitment)

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

    @staticmethod
    def _check_acts_for(actor: Actor, consortium: Consortium, partner_id: str) -> None:
        check_acts_for_partner(
            consortium.role_of(actor.account_id),
            consortium.partner_of(actor.account_id),
            partner_id,
            actor_id=actor.account_id,
            consortium_id=consortium.id,
        )

    # -- storage ------------------------------------------------------------------

    def _acting(self, actor: Actor) -> AbstractContextManager[None]:
        return acting_as(actor.account_id, at=self.clock.now())

    def _consortium(self, consortium_id: UUID) -> Consortium:
        return self._load(consortium_id, Consortium, "consortium")

    def _load(self, aggregate_id: UUID, kind: type[A], name: str) -> A:
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(name, aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(name, aggregate_id)
        return aggregate

    def _authorised(
        self, actor: Actor, consortium_id: UUID, action: Action
    ) -> Consortium:
        consortium = self._consortium(consortium_id)
        check(
            consortium.role_of(actor.account_id),
            action,
            actor_id=actor.account_id,
            consortium_id=consortium_id,
        )
        return consortium

    def _save(self, *aggregates: Any) -> int:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise Conflict([a.id for a in aggregates]) from None
        if not recordings:
            raise NotPermitted("save nothing", "")  # pragma: no cover - a bug
        return int(recordings[-1].notification.id)
