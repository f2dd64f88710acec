"""The people of a consortium: invitations and the roles they hold.

Commands validate and raise, then call the method that applies their event: those
``_``-methods only assign, and ``Consortium`` binds each one to its event class.
"""

from __future__ import annotations

from datetime import datetime

from governance.consortium.entities import Membership, PendingInvitation
from governance.consortium.partners import Partners
from governance.errors import NotFound, RuleViolated
from governance.values import MemberRole


class People(Partners):
    """Inviting people, giving and taking their roles; a coordinator always stays."""

    def issue_invitation(
        self,
        *,
        invitation_id: str,
        role: MemberRole,
        partner_id: str | None,
        expires_at: datetime,
    ) -> None:
        """Invite someone (identified outside the event: no e-mail in events)."""
        self._check_role_partner(role, partner_id)
        if invitation_id in self.invitations:
            raise RuleViolated("invitation.duplicate_id")
        self._issue(
            invitation_id=invitation_id,
            role=role,
            partner_id=partner_id,
            expires_at=expires_at,
        )

    def _issue(
        self,
        invitation_id: str,
        role: MemberRole,
        partner_id: str | None,
        expires_at: datetime,
    ) -> None:
        self.invitations[invitation_id] = PendingInvitation(
            role, partner_id, expires_at
        )

    def cancel_invitation(self, invitation_id: str) -> None:
        """Withdraw an invitation that was not accepted yet."""
        if invitation_id not in self.invitations:
            raise NotFound("invitation", invitation_id)
        self._cancel(invitation_id=invitation_id)

    def _cancel(self, invitation_id: str) -> None:
        del self.invitations[invitation_id]

    def accept_invitation(
        self, invitation_id: str, account_id: str, at: datetime
    ) -> None:
        """The invited person takes the role the invitation offered."""
        invitation = self.invitations.get(invitation_id)
        if invitation is None:
            raise NotFound("invitation", invitation_id)
        if at >= invitation.expires_at:
            raise RuleViolated("invitation.expired")
        self._check_role_partner(invitation.role, invitation.partner_id)
        if (
            self.role_of(account_id) is MemberRole.COORDINATOR
            and invitation.role is not MemberRole.COORDINATOR
        ):
            self._check_not_last_coordinator(account_id)
        self._grant(account_id, invitation.role, invitation.partner_id, invitation_id)

    def change_member_role(
        self, account_id: str, role: MemberRole, partner_id: str | None
    ) -> None:
        """Give a person who holds a role here another one.

        Only people already here: newcomers come in by accepting an invitation, so
        no one is added on someone else's say (an account of another consortium, an
        id that names no one). Recorded as ``MembershipGranted``, as it always was.
        """
        current = self.memberships.get(account_id)
        if current is None:
            raise NotFound("membership", account_id)
        self._check_role_partner(role, partner_id)
        if (current.role, current.partner_id) == (role, partner_id):
            raise RuleViolated("membership.unchanged")
        if current.role is MemberRole.COORDINATOR:
            self._check_not_last_coordinator(account_id)
        self._grant(account_id, role, partner_id, None)

    def _grant(
        self,
        account_id: str,
        role: MemberRole,
        partner_id: str | None,
        invitation_id: str | None,
    ) -> None:
        self._record_grant(
            account_id=account_id,
            role=role,
            partner_id=partner_id,
            invitation_id=invitation_id,
        )

    def _record_grant(
        self,
        account_id: str,
        role: MemberRole,
        partner_id: str | None,
        invitation_id: str | None,
    ) -> None:
        self.memberships[account_id] = Membership(role, partner_id)
        if invitation_id is not None:
            self.invitations.pop(invitation_id, None)

    def revoke_membership(self, account_id: str) -> None:
        """Remove a person from the consortium (the last coordinator stays)."""
        if account_id not in self.memberships:
            raise NotFound("membership", account_id)
        self._check_not_last_coordinator(account_id)
        self._revoke(account_id=account_id)

    def _revoke(self, account_id: str) -> None:
        del self.memberships[account_id]

    # -- queries and invariants -------------------------------------------------------

    def role_of(self, account_id: str) -> MemberRole | None:
        """The role this account holds here, if any."""
        membership = self.memberships.get(account_id)
        return membership.role if membership else None

    def partner_of(self, account_id: str) -> str | None:
        """The partner this account represents here, if any."""
        membership = self.memberships.get(account_id)
        return membership.partner_id if membership else None

    def _check_role_partner(self, role: MemberRole, partner_id: str | None) -> None:
        if role is MemberRole.MEMBER:
            if partner_id is None:
                raise RuleViolated("membership.partner_required", field="partner_id")
            self._active_partner(partner_id, field="partner_id")
        elif partner_id is not None:
            raise RuleViolated(
                "membership.partner_only_for_members", field="partner_id"
            )

    def _check_not_last_coordinator(self, account_id: str) -> None:
        coordinators = [
            a for a, m in self.memberships.items() if m.role is MemberRole.COORDINATOR
        ]
        if coordinators == [account_id]:
            raise RuleViolated("membership.last_coordinator")
