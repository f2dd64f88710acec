"""The entities inside a consortium, and the state its parts share.

Stored in snapshots as dicts under their class names (``governance.transcodings``),
so their names, not their module, are part of the stored format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


class ConsortiumState:
    """What a consortium holds, declared once for the parts that read and assign it.

    ``Consortium.__init__`` (applying ``Founded``) sets every attribute; a snapshot
    stores them as they are, so they stay JSON-safe (string keys, transcoded values).
    """

    name: str
    acronym: str
    summary: str
    territory: str
    call: CallForProjects
    founded_on: date
    phase: Phase
    phase_since: date
    partners: dict[str, Partner]
    memberships: dict[str, Membership]
    invitations: dict[str, PendingInvitation]
    bodies: dict[str, Body]
    proxies: dict[str, Proxy]
    handles_personal_data: bool | None
    data_protection_partner_id: str | None
    beneficiary_involvement: str
