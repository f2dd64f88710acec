"""The demo's cast and its storyteller: who logs in, and the moves every chapter makes.

``Story`` holds what the chapters share (the consortium, its people, partners,
bodies, commitments, reports and indicators, by the names the story gives them) and
the moves they repeat: let days pass, admit a partner, invite a person, pledge,
table a proposal, vote, deliver. Each move goes through the governance service like
any user's, with the clock set to the day it happens: the stores are opened with
the demo's clock (``SettableClock``), so the service, the accounts store and the
reminders all read the story's day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.clock import SystemClock
from governance.values import (
    MEETING,
    WRITTEN,
    AuthorityLevel,
    ContributionKind,
    Funding,
    MemberRole,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Pledge,
)
from governance.voting import DEFAULT_OPTIONS
from notifications.reminders import ReminderPipeline
from web.identity.accounts import Account
from web.ops.demo.pdf import demo_pdf
from web.stores import Stores


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for the person trying the product."""

    email: str
    password: str
    name: str
    role: str


DEMO_LOGINS = (
    DemoLogin(
        "coordinator@demo.example", "coordinator-demo", "Camille Dupré", "coordinator"
    ),
    DemoLogin(
        "member@demo.example",
        "member-demo-2026",
        "Yanis Morel",
        "member (Tiers-lieu La Fabrique)",
    ),
    DemoLogin("pilot@demo.example", "pilot-team-demo", "Inès Garnier", "pilot team"),
    DemoLogin("financer@demo.example", "financer-demo", "Hugo Lambert", "financer"),
)


class SettableClock:
    """The demo's clock, given to the stores it writes through: the system's time
    until the story sets it to the moment each thing happens, and again once the
    story lets it go."""

    def __init__(self) -> None:
        self._system = SystemClock()
        self._at: datetime | None = None

    @property
    def at(self) -> datetime:
        """The moment the clock shows."""
        return self._system.now() if self._at is None else self._at

    @at.setter
    def at(self, moment: datetime) -> None:
        self._at = moment

    def let_go(self) -> None:
        """Back to the system's time: the story is told."""
        self._at = None

    def now(self) -> datetime:
        return self.at


def at(day: date, hour: int = 10) -> datetime:
    """That day at ``hour`` o'clock, UTC."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Story:
    """The demo year as it is being written, and the moves its chapters make."""

    stores: Stores
    start: date
    clock: SettableClock
    reminders: ReminderPipeline | None
    people: dict[str, Account]
    coordinator: Actor
    consortium_id: UUID
    # The representatives who vote for their partner, by the story's names.
    reps: dict[str, Actor] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    commitments: dict[str, UUID] = field(default_factory=dict)
    reports: dict[str, UUID] = field(default_factory=dict)
    indicators: dict[str, UUID] = field(default_factory=dict)
    plan_lines: dict[str, str] = field(default_factory=dict)

    @property
    def governance(self) -> Governance:
        return self.stores.governance

    def actor(self, key: str) -> Actor:
        """The person the story calls ``key`` (coordinator, member, pilot…)."""
        return Actor(self.people[key].account_id)

    def on(self, days: int) -> date:
        """Set the clock to the morning of day ``days``; the scheduler's reminders
        run whenever the clock moved on. Returns that day."""
        moment = at(self.start + timedelta(days=days))
        moved = moment > self.clock.at
        self.clock.at = moment
        if self.reminders is not None and moved:
            self.reminders.run(moment)
        return self.start + timedelta(days=days)

    def admit(
        self,
        days: int,
        name: str,
        kind: PartnerKind,
        role: PartnerRole,
        axis: str,
        *,
        level: AuthorityLevel | None = None,
        siret: str = "",
        rna: str = "",
    ) -> str:
        joined = self.on(days)
        return self.governance.admit_partner(
            self.coordinator,
            self.consortium_id,
            PartnerIdentity(name, kind, level, siret, rna),
            role=role,
            axis=axis,
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=joined,
        ).id

    def invite(
        self, key: str, role: MemberRole, partner_id: str | None, days: int
    ) -> None:
        """Invite the person ``key``, who accepts the next day."""
        self.on(days)
        clock = self.clock
        invitation = self.governance.issue_invitation(
            self.coordinator,
            self.consortium_id,
            role,
            partner_id,
            clock.at + timedelta(days=14),
        )
        self.stores.accounts.store_invitation(
            invitation_id=invitation.id,
            consortium_id=str(self.consortium_id),
            email=self.people[key].email,
            expires_at=clock.at + timedelta(days=14),
            now=clock.at,
        )
        clock.at += timedelta(days=1)
        self.governance.accept_invitation(
            Actor(self.people[key].account_id), self.consortium_id, invitation.id
        )

    def pledge(
        self,
        days: int,
        partner_id: str,
        kind: ContributionKind,
        amount: str,
        covers: str,
        *,
        funding: Funding = Funding.CO_FINANCING,
        rate: str | None = None,
        licence: str = "",
        method: str = "",
        actor: Actor | None = None,
    ) -> UUID:
        starts = self.on(days)
        return UUID(
            self.governance.pledge(
                actor if actor is not None else self.coordinator,
                self.consortium_id,
                partner_id,
                Pledge(
                    kind,
                    Decimal(amount),
                    starts,
                    self.start + timedelta(days=500),
                    covers,
                    funding,
                    daily_rate=Decimal(rate) if rate else None,
                    licence=licence,
                    valuation_method=method,
                ),
            ).id
        )

    def table(
        self,
        days: int,
        body: str,
        title: str,
        text: str,
        *,
        close_in: int = 7,
        options: tuple[str, ...] = DEFAULT_OPTIONS,
        meeting: bool = False,
    ) -> UUID:
        """Table a proposal before ``body``: a written vote closing in ``close_in``
        days, or a vote in today's meeting."""
        self.on(days)
        clock = self.clock
        motion = Motion(
            title,
            text,
            options,
            MEETING if meeting else WRITTEN,
            closes_at=None if meeting else clock.at + timedelta(days=close_in),
            meeting_on=clock.at.date(),
        )
        return UUID(
            self.governance.table_proposal(
                self.coordinator, self.consortium_id, body, motion
            ).id
        )

    def vote(
        self, proposal: UUID, key: str, partner_id: str, option: str, reason: str = ""
    ) -> None:
        """The representative ``key`` votes for their partner, five hours later."""
        self.clock.at += timedelta(hours=5)
        self.governance.cast_vote(self.reps[key], proposal, partner_id, option, reason)

    def close_due(self, days: int, proposal: UUID) -> None:
        self.on(days)
        self.governance.close_due_proposal(proposal)

    def deliver(
        self,
        days: int,
        commitment_id: UUID,
        amount: str,
        description: str,
        evidence_name: str = "",
        actor: Actor | None = None,
    ) -> None:
        delivered_on = self.on(days)
        evidence = None
        if evidence_name:
            evidence = self.stores.evidence.save(
                BytesIO(demo_pdf(f"{description} ({delivered_on})")), evidence_name
            )
        self.governance.deliver(
            actor if actor is not None else self.coordinator,
            commitment_id,
            delivered_on=delivered_on,
            amount=Decimal(amount),
            description=description,
            evidence=evidence,
        )
