"""Commands on a consortium: profile, phases, partners and people."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.permissions import Action
from governance.values import (
    CallForProjects,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerRole,
    Phase,
)


class ConsortiumCommands(ServiceBase):
    """Founding, phases, partners, invitations and memberships."""

    # -- consortium ---------------------------------------------------------------

    @command
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

    @command
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

    @command
    def change_phase(
        self, actor: Actor, consortium_id: UUID, phase: Phase, on: date
    ) -> int:
        """Move the consortium to the next phase of its life."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PHASE)
            consortium.change_phase(phase, on)
            return self._save(consortium)

    # -- partners -----------------------------------------------------------------

    @command
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

    @command
    def change_partner_role(
        self, actor: Actor, consortium_id: UUID, partner_id: str, role: PartnerRole
    ) -> int:
        """Change a partner's role (making it lead hands the lead over)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.change_partner_role(partner_id, role)
            return self._save(consortium)

    @command
    def change_partner_axis(
        self, actor: Actor, consortium_id: UUID, partner_id: str, axis: str
    ) -> int:
        """Change the axis of the project a partner carries."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.change_partner_axis(partner_id, axis)
            return self._save(consortium)

    @command
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

    @command
    def withdraw_partner(
        self, actor: Actor, consortium_id: UUID, partner_id: str, on: date, reason: str
    ) -> int:
        """Record that a partner left the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PARTNERS)
            consortium.withdraw_partner(partner_id, on, reason)
            return self._save(consortium)

    # -- people -------------------------------------------------------------------

    @command
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

    @command
    def cancel_invitation(
        self, actor: Actor, consortium_id: UUID, invitation_id: str
    ) -> int:
        """Cancel an invitation not accepted yet."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.cancel_invitation(invitation_id)
            return self._save(consortium)

    @command
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

    @command
    def change_member_role(
        self,
        actor: Actor,
        consortium_id: UUID,
        account_id: str,
        role: MemberRole,
        partner_id: str | None,
    ) -> int:
        """Change the role of a person who holds one in the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.change_member_role(account_id, role, partner_id)
            return self._save(consortium)

    @command
    def revoke_membership(
        self, actor: Actor, consortium_id: UUID, account_id: str
    ) -> int:
        """Remove a person from the consortium."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_PEOPLE)
            consortium.revoke_membership(account_id)
            return self._save(consortium)
