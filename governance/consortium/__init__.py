"""The Consortium aggregate: its profile, phases, partners, people, bodies and proxies.

Partners are entities inside the consortium so that "exactly one lead partner past
setup" is one invariant checked in one place. Public commands validate and raise;
the methods that apply events only assign, so replaying history never fails.

**One aggregate, split into modules by area.** The commands live in ``profile``,
``partners``, ``people`` and ``bodies``, mixed into the aggregate; this module keeps
the class, its event classes and the binding of each event to the method that
applies it. The class stays here, in ``governance.consortium``, because the stored
topic of each event is ``governance.consortium:Consortium.<Event>`` (the aggregate's
module and name): moving the class would change the topic of every future event and
leave existing stores naming a class that no longer exists.

Bodies and proxies, and the readiness declarations, were weighed as a second
aggregate and kept here:

- their rules are consortium invariants checked in the same transaction: a body's
  members, both ends of a proxy and the data-protection partner must be active
  partners, and a withdrawn partner's proxies end with it (``may_vote_for``); a
  separate aggregate would check them against a copy that can be stale;
- the stores in use hold these events in Consortium streams, and the log is the
  audit trail (hash-chained, checkpointed, countersigned): events cannot move to
  other streams, so a new aggregate would have to keep reading its past from the
  consortium's stream, two owners of one history, for no gain;
- the conflicts it would save are rare: a consortium's stream is written by a few
  people editing by hand, and a conflicting command is refused and retried.

``tests/persistence/test_recorded_streams.py`` loads a stream recorded before this
split and stores it again byte for byte.
"""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.consortium.bodies import Bodies
from governance.consortium.entities import (
    Body,
    Membership,
    Partner,
    PendingInvitation,
    Proxy,
)
from governance.consortium.partners import Partners
from governance.consortium.people import People
from governance.consortium.profile import Profile
from governance.errors import RuleViolated
from governance.values import (
    AuthorityLevel,
    CallForProjects,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
)
from governance.voting import VotingRule

__all__ = [
    "Body",
    "Consortium",
    "Membership",
    "Partner",
    "PendingInvitation",
    "Proxy",
]


class Consortium(Profile, People, Bodies, Aggregate):
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

    # Each event applied by the method of the part that records it. The library
    # reads these bindings from this class body only, and names each event class
    # after this class: ``Consortium.PartnerJoined``, whichever module applies it.
    _revise = event(ProfileRevised)(Profile._revise)
    _change_phase = event(PhaseChanged)(Profile._change_phase)
    _declare_personal_data = event(PersonalDataDeclared)(Profile._declare_personal_data)
    _describe_involvement = event(BeneficiaryInvolvementDescribed)(
        Profile._describe_involvement
    )
    _join = event(PartnerJoined)(Partners._join)
    _change_role = event(PartnerRoleChanged)(Partners._change_role)
    _change_axis = event(PartnerAxisChanged)(Partners._change_axis)
    _record_paper = event(PartnerPaperRecorded)(Partners._record_paper)
    _withdraw = event(PartnerWithdrew)(Partners._withdraw)
    _issue = event(InvitationIssued)(People._issue)
    _cancel = event(InvitationCancelled)(People._cancel)
    _record_grant = event(MembershipGranted)(People._record_grant)
    _revoke = event(MembershipRevoked)(People._revoke)
    _establish = event(GovernanceBodyEstablished)(Bodies._establish)
    _change_body = event(GovernanceBodyChanged)(Bodies._change_body)
    _delegate = event(ProxyDelegated)(Bodies._delegate)
    _revoke_proxy = event(ProxyRevoked)(Bodies._revoke_proxy)

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
        self.partners = {}
        self.memberships = {}
        self.invitations = {}
        self.bodies = {}
        self.proxies = {}
        self.handles_personal_data = None
        self.data_protection_partner_id = None
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
