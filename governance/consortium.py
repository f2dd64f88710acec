"""The Consortium aggregate: its profile, phases, partners and memberships.

Partners are entities inside the consortium so that "exactly one lead partner past
setup" is one invariant checked in one place. Public commands validate and raise;
the private ``@event`` methods only assign, so replaying history never fails.
State stays JSON-safe (string keys, transcoded values) for snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import uuid4

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import NotFound, RuleViolated
from governance.rules import check_phase_transition, needs_lead_partner
from governance.values import (
    AuthorityLevel,
    CallForProjects,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    is_valid_rna,
    is_valid_siret,
)
from governance.voting import VotingRule


@dataclass
class Partner:
    """An organisation in the consortium (mutable only through its aggregate)."""

    partner_id: str
    name: str
    kind: PartnerKind
    authority_level: AuthorityLevel | None
    siret: str
    rna: str
    role: PartnerRole
    axis: str
    paper: Paper
    paper_signed_on: date | None
    joined_on: date
    withdrawn_on: date | None = None
    withdrawal_reason: str = ""

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass
class Membership:
    """A person's role in this consortium; members represent one partner."""

    role: MemberRole
    partner_id: str | None


@dataclass
class Body:
    """A governance body: its member partners with their weights, and its rule."""

    name: str
    members: dict[str, int]
    rule: VotingRule


@dataclass
class Proxy:
    """A partner's vote delegated to another partner for a period."""

    from_partner: str
    to_partner: str
    valid_from: date
    valid_until: date


@dataclass
class PendingInvitation:
    """An invitation issued and not yet accepted or cancelled."""

    role: MemberRole
    partner_id: str | None
    expires_at: datetime


class Consortium(Aggregate):
    """A group of partners carrying one project answering one call.

    Version 2 added the readiness settings (personal data, end beneficiaries); a
    snapshot taken before comes back with them unanswered.
    """

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["handles_personal_data"] = None
        state["data_protection_partner_id"] = None
        state["beneficiary_involvement"] = ""

    class Founded(GovernanceCreated):
        name: str
        acronym: str
        summary: str
        territory: str
        call: CallForProjects
        founded_on: date

    class ProfileRevised(GovernanceEvent):
        name: str
        acronym: str
        summary: str
        territory: str
        call: CallForProjects

    class PhaseChanged(GovernanceEvent):
        phase: Phase
        on: date

    class PartnerJoined(GovernanceEvent):
        partner_id: str
        name: str
        kind: PartnerKind
        authority_level: AuthorityLevel | None
        siret: str
        rna: str
        role: PartnerRole
        axis: str
        paper: Paper
        paper_signed_on: date | None
        joined_on: date

    class PartnerRoleChanged(GovernanceEvent):
        partner_id: str
        role: PartnerRole

    class PartnerAxisChanged(GovernanceEvent):
        partner_id: str
        axis: str

    class PartnerPaperRecorded(GovernanceEvent):
        partner_id: str
        paper: Paper
        signed_on: date | None

    class PartnerWithdrew(GovernanceEvent):
        partner_id: str
        on: date
        reason: str

    class InvitationIssued(GovernanceEvent):
        invitation_id: str
        role: MemberRole
        partner_id: str | None
        expires_at: datetime

    class InvitationCancelled(GovernanceEvent):
        invitation_id: str

    class MembershipGranted(GovernanceEvent):
        account_id: str
        role: MemberRole
        partner_id: str | None
        invitation_id: str | None

    class MembershipRevoked(GovernanceEvent):
        account_id: str

    class GovernanceBodyEstablished(GovernanceEvent):
        body_id: str
        name: str
        members: dict[str, int]
        rule: VotingRule

    class GovernanceBodyChanged(GovernanceEvent):
        body_id: str
        name: str
        members: dict[str, int]
        rule: VotingRule

    class ProxyDelegated(GovernanceEvent):
        proxy_id: str
        from_partner: str
        to_partner: str
        valid_from: date
        valid_until: date

    class ProxyRevoked(GovernanceEvent):
        proxy_id: str

    class PersonalDataDeclared(GovernanceEvent):
        handles_personal_data: bool
        data_protection_partner_id: str | None

    class BeneficiaryInvolvementDescribed(GovernanceEvent):
        description: str

    @event(Founded)
    def __init__(
        self,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
        founded_on: date,
    ) -> None:
        self.name = name
        self.acronym = acronym
        self.summary = summary
        self.territory = territory
        self.call = call
        self.founded_on = founded_on
        self.phase = Phase.SETUP
        self.phase_since = founded_on
        self.partners: dict[str, Partner] = {}
        self.memberships: dict[str, Membership] = {}
        self.invitations: dict[str, PendingInvitation] = {}
        self.bodies: dict[str, Body] = {}
        self.proxies: dict[str, Proxy] = {}
        self.handles_personal_data: bool | None = None
        self.data_protection_partner_id: str | None = None
        self.beneficiary_involvement = ""

    @classmethod
    def found(
        cls,
        *,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
        founded_on: date,
        founder_id: str,
    ) -> Consortium:
        """Found a consortium; its founder becomes its first coordinator."""
        if not name.strip():
            raise RuleViolated("consortium.name_required")
        consortium = cls(
            name=name.strip(),
            acronym=acronym.strip(),
            summary=summary.strip(),
            territory=territory.strip(),
            call=call,
            founded_on=founded_on,
        )
        consortium._grant(founder_id, MemberRole.COORDINATOR, None, None)
        return consortium

    # -- profile and phases -------------------------------------------------------

    def revise_profile(
        self,
        *,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
    ) -> None:
        """Change the consortium's name, description or call."""
        if not name.strip():
            raise RuleViolated("consortium.name_required")
        self._revise(
            name.strip(), acronym.strip(), summary.strip(), territory.strip(), call
        )

    @event(ProfileRevised)
    def _revise(
        self,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
    ) -> None:
        self.name, self.acronym, self.summary = name, acronym, summary
        self.territory, self.call = territory, call

    def change_phase(self, phase: Phase, on: date) -> None:
        """Move the project to its next phase on the given date."""
        check_phase_transition(self.phase, phase)
        if on < self.phase_since:
            raise RuleViolated("phase.date_before_previous", previous=self.phase_since)
        if needs_lead_partner(phase) and len(self._leads()) != 1:
            raise RuleViolated("phase.needs_one_lead_partner")
        self._change_phase(phase, on)

    @event(PhaseChanged)
    def _change_phase(self, phase: Phase, on: date) -> None:
        self.phase = phase
        self.phase_since = on

    # -- partners -----------------------------------------------------------------

    def admit_partner(
        self,
        identity: PartnerIdentity,
        *,
        role: PartnerRole,
        axis: str,
        paper: Paper,
        paper_signed_on: date | None,
        joined_on: date,
        partner_id: str | None = None,
    ) -> str:
        """Admit an organisation; returns its partner id."""
        self._check_identity(identity)
        self._check_paper(paper, paper_signed_on)
        if role is PartnerRole.LEAD and self._leads():
            raise RuleViolated("partner.lead_already_exists")
        new_id = partner_id or str(uuid4())
        if new_id in self.partners:
            raise RuleViolated("partner.duplicate_id")
        self._join(
            partner_id=new_id,
            name=identity.name.strip(),
            kind=identity.kind,
            authority_level=identity.authority_level,
            siret=identity.siret,
            rna=identity.rna,
            role=role,
            axis=axis.strip(),
            paper=paper,
            paper_signed_on=paper_signed_on,
            joined_on=joined_on,
        )
        return new_id

    @event(PartnerJoined)
    def _join(
        self,
        partner_id: str,
        name: str,
        kind: PartnerKind,
        authority_level: AuthorityLevel | None,
        siret: str,
        rna: str,
        role: PartnerRole,
        axis: str,
        paper: Paper,
        paper_signed_on: date | None,
        joined_on: date,
    ) -> None:
        self.partners[partner_id] = Partner(
            partner_id,
            name,
            kind,
            authority_level,
            siret,
            rna,
            role,
            axis,
            paper,
            paper_signed_on,
            joined_on,
        )

    def change_partner_role(self, partner_id: str, role: PartnerRole) -> None:
        """Change a partner's role; making a partner lead hands the lead over."""
        partner = self._active_partner(partner_id)
        if partner.role is role:
            raise RuleViolated("partner.role_unchanged")
        if partner.role is PartnerRole.LEAD and needs_lead_partner(self.phase):
            raise RuleViolated("partner.lead_must_be_handed_over")
        if role is PartnerRole.LEAD:
            for lead in self._leads():
                self._change_role(partner_id=lead.partner_id, role=PartnerRole.PARTNER)
        self._change_role(partner_id=partner_id, role=role)

    @event(PartnerRoleChanged)
    def _change_role(self, partner_id: str, role: PartnerRole) -> None:
        self.partners[partner_id].role = role

    def change_partner_axis(self, partner_id: str, axis: str) -> None:
        """Change the axis of the project a partner carries."""
        partner = self._active_partner(partner_id)
        if partner.axis == axis.strip():
            raise RuleViolated("partner.axis_unchanged")
        self._change_axis(partner_id=partner_id, axis=axis.strip())

    @event(PartnerAxisChanged)
    def _change_axis(self, partner_id: str, axis: str) -> None:
        self.partners[partner_id].axis = axis

    def record_paper(
        self, partner_id: str, paper: Paper, signed_on: date | None
    ) -> None:
        """Record a partner's letter of commitment or signed convention."""
        partner = self._active_partner(partner_id)
        self._check_paper(paper, signed_on)
        if (partner.paper, partner.paper_signed_on) == (paper, signed_on):
            raise RuleViolated("partner.paper_unchanged")
        self._record_paper(partner_id=partner_id, paper=paper, signed_on=signed_on)

    @event(PartnerPaperRecorded)
    def _record_paper(
        self, partner_id: str, paper: Paper, signed_on: date | None
    ) -> None:
        self.partners[partner_id].paper = paper
        self.partners[partner_id].paper_signed_on = signed_on

    def withdraw_partner(self, partner_id: str, on: date, reason: str) -> None:
        """Record a partner's withdrawal; it keeps its history."""
        partner = self._active_partner(partner_id)
        if not reason.strip():
            raise RuleViolated("partner.withdrawal_reason_required")
        if on < partner.joined_on:
            raise RuleViolated(
                "partner.withdrawal_before_joining", joined_on=partner.joined_on
            )
        if partner.role is PartnerRole.LEAD and needs_lead_partner(self.phase):
            raise RuleViolated("partner.lead_must_be_handed_over")
        self._withdraw(partner_id=partner_id, on=on, reason=reason.strip())

    @event(PartnerWithdrew)
    def _withdraw(self, partner_id: str, on: date, reason: str) -> None:
        self.partners[partner_id].withdrawn_on = on
        self.partners[partner_id].withdrawal_reason = reason

    # -- people -------------------------------------------------------------------

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

    @event(InvitationIssued)
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

    @event(InvitationCancelled)
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

    @event(MembershipGranted)
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

    @event(MembershipRevoked)
    def _revoke(self, account_id: str) -> None:
        del self.memberships[account_id]

    # -- governance bodies and proxies ---------------------------------------------

    def establish_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        """Create a governance body (COPIL, technical committee, assembly…)."""
        if body_id in self.bodies:
            raise RuleViolated("body.duplicate_id")
        self._check_body(name, members, rule, body_id)
        self._establish(
            body_id=body_id, name=name.strip(), members=dict(members), rule=rule
        )

    @event(GovernanceBodyEstablished)
    def _establish(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        self.bodies[body_id] = Body(name, dict(members), rule)

    def change_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        """Change a body (votes under way keep the members and rule they had)."""
        body = self.bodies.get(body_id)
        if body is None:
            raise NotFound("body", body_id)
        self._check_body(name, members, rule, body_id)
        if (body.name, body.members, body.rule) == (name.strip(), members, rule):
            raise RuleViolated("body.unchanged")
        self._change_body(
            body_id=body_id, name=name.strip(), members=dict(members), rule=rule
        )

    @event(GovernanceBodyChanged)
    def _change_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        self.bodies[body_id] = Body(name, dict(members), rule)

    def delegate_proxy(
        self,
        proxy_id: str,
        from_partner: str,
        to_partner: str,
        valid_from: date,
        valid_until: date,
    ) -> None:
        """A partner delegates its vote to another partner for a period."""
        self._active_partner(from_partner)
        self._active_partner(to_partner)
        if from_partner == to_partner:
            raise RuleViolated("proxy.to_itself")
        if valid_until < valid_from:
            raise RuleViolated("period.ends_before_start")
        if proxy_id in self.proxies:
            raise RuleViolated("proxy.duplicate_id")
        self._delegate(
            proxy_id=proxy_id,
            from_partner=from_partner,
            to_partner=to_partner,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    @event(ProxyDelegated)
    def _delegate(
        self,
        proxy_id: str,
        from_partner: str,
        to_partner: str,
        valid_from: date,
        valid_until: date,
    ) -> None:
        self.proxies[proxy_id] = Proxy(
            from_partner, to_partner, valid_from, valid_until
        )

    def revoke_proxy(self, proxy_id: str) -> None:
        """End a delegation."""
        if proxy_id not in self.proxies:
            raise NotFound("proxy", proxy_id)
        self._revoke_proxy(proxy_id=proxy_id)

    @event(ProxyRevoked)
    def _revoke_proxy(self, proxy_id: str) -> None:
        del self.proxies[proxy_id]

    def may_vote_for(
        self, voter_partner: str | None, partner_id: str, on: date
    ) -> bool:
        """Whether the representative of ``voter_partner`` votes for ``partner_id``.

        Its own partner, or a partner that delegated to it for a period covering ``on``.
        """
        if voter_partner is None or not self.is_active_partner(partner_id):
            return False
        if not self.is_active_partner(voter_partner):
            return False  # a withdrawn partner's proxies end with it
        if voter_partner == partner_id:
            return True
        return any(
            p.from_partner == partner_id
            and p.to_partner == voter_partner
            and p.valid_from <= on <= p.valid_until
            for p in self.proxies.values()
        )

    def _check_body(
        self, name: str, members: dict[str, int], rule: VotingRule, body_id: str
    ) -> None:
        if not name.strip():
            raise RuleViolated("body.name_required")
        if not members:
            raise RuleViolated("body.members_required")
        for partner_id, weight in members.items():
            self._active_partner(partner_id)
            if not 1 <= weight <= 100:
                raise RuleViolated("body.weight_invalid")
        if not 0 <= rule.quorum <= 1:
            raise RuleViolated("body.quorum_invalid")
        if not 0 <= rule.veto_days <= 90:
            raise RuleViolated("body.veto_days_invalid")
        for other_id, other in self.bodies.items():
            if other_id != body_id and other.name.lower() == name.strip().lower():
                raise RuleViolated("body.name_taken")

    # -- readiness settings ----------------------------------------------------------

    def declare_personal_data(
        self, handles_personal_data: bool, data_protection_partner_id: str | None
    ) -> None:
        """Say whether the project handles personal data, and who answers for it.

        The partner named is the one competent in data protection (its DPO, its
        GDPR expertise): an explicit choice, not a guess from free text.
        """
        if data_protection_partner_id is not None:
            self._active_partner(data_protection_partner_id)
        if (self.handles_personal_data, self.data_protection_partner_id) == (
            handles_personal_data,
            data_protection_partner_id,
        ):
            raise RuleViolated("readiness.unchanged")
        self._declare_personal_data(
            handles_personal_data=handles_personal_data,
            data_protection_partner_id=data_protection_partner_id,
        )

    @event(PersonalDataDeclared)
    def _declare_personal_data(
        self, handles_personal_data: bool, data_protection_partner_id: str | None
    ) -> None:
        self.handles_personal_data = handles_personal_data
        self.data_protection_partner_id = data_protection_partner_id

    def describe_beneficiary_involvement(self, description: str) -> None:
        """Say how the end beneficiaries take part ("" clears it)."""
        if description.strip() == self.beneficiary_involvement:
            raise RuleViolated("readiness.unchanged")
        self._describe_involvement(description=description.strip())

    @event(BeneficiaryInvolvementDescribed)
    def _describe_involvement(self, description: str) -> None:
        self.beneficiary_involvement = description

    # -- queries used by the service ------------------------------------------------

    def role_of(self, account_id: str) -> MemberRole | None:
        """The role this account holds here, if any."""
        membership = self.memberships.get(account_id)
        return membership.role if membership else None

    def is_active_partner(self, partner_id: str) -> bool:
        """Whether the partner exists and has not withdrawn."""
        partner = self.partners.get(partner_id)
        return partner is not None and partner.active

    def partner_of(self, account_id: str) -> str | None:
        """The partner this account represents here, if any."""
        membership = self.memberships.get(account_id)
        return membership.partner_id if membership else None

    # -- invariants -----------------------------------------------------------------

    def _leads(self) -> list[Partner]:
        return [
            p for p in self.partners.values() if p.active and p.role is PartnerRole.LEAD
        ]

    def _active_partner(self, partner_id: str) -> Partner:
        partner = self.partners.get(partner_id)
        if partner is None:
            raise NotFound("partner", partner_id)
        if not partner.active:
            raise RuleViolated("partner.withdrawn", name=partner.name)
        return partner

    def _check_identity(self, identity: PartnerIdentity) -> None:
        if not identity.name.strip():
            raise RuleViolated("partner.name_required")
        if identity.siret and not is_valid_siret(identity.siret):
            raise RuleViolated("partner.siret_invalid")
        if identity.rna and not is_valid_rna(identity.rna):
            raise RuleViolated("partner.rna_invalid")
        is_authority = identity.kind is PartnerKind.LOCAL_AUTHORITY
        if is_authority != (identity.authority_level is not None):
            raise RuleViolated("partner.authority_level_mismatch")
        for other in self.partners.values():
            if not other.active:
                continue
            if identity.siret and other.siret == identity.siret:
                raise RuleViolated("partner.siret_taken", name=other.name)
            if identity.rna and other.rna == identity.rna:
                raise RuleViolated("partner.rna_taken", name=other.name)

    @staticmethod
    def _check_paper(paper: Paper, signed_on: date | None) -> None:
        if paper is Paper.NONE and signed_on is not None:
            raise RuleViolated("partner.paper_date_without_paper")
        if paper is not Paper.NONE and signed_on is None:
            raise RuleViolated("partner.paper_date_required")

    def _check_role_partner(self, role: MemberRole, partner_id: str | None) -> None:
        if role is MemberRole.MEMBER:
            if partner_id is None:
                raise RuleViolated("membership.partner_required")
            self._active_partner(partner_id)
        elif partner_id is not None:
            raise RuleViolated("membership.partner_only_for_members")

    def _check_not_last_coordinator(self, account_id: str) -> None:
        coordinators = [
            a for a, m in self.memberships.items() if m.role is MemberRole.COORDINATOR
        ]
        if coordinators == [account_id]:
            raise RuleViolated("membership.last_coordinator")
