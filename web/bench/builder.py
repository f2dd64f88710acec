"""A synthetic but realistic platform history, written through the application.

Each consortium lives a year shaped like the demo's (``web/ops/demo.py``): seven
partners admitted, people invited, papers, phases, pledges in every kind, governance
bodies, written and meeting votes, reports scheduled, drafted, submitted, reviewed,
indicators measured, deliveries, a recorded decision, and the reminders the scheduler
would have issued and sent (about 200 events). One consortium, the *flagship* that the
pages are measured on, goes on for several more years, so its pages have a long history
behind them; its years are spread over the whole build, so a page deep in its history is
deep in the log too.

Every command goes through the ``Governance`` service (permissions, invariants,
events) but the service here is a ``BatchingGovernance``: it keeps the aggregates a
command touched in memory and saves them together, thousands of events per
transaction, instead of one transaction per command. That is what makes a million
events take minutes rather than hours; nothing else differs from the real path.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any, TypeVar
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.reminder_rules import reminder_id
from governance.values import (
    MEETING,
    WRITTEN,
    AuthorityLevel,
    CallForProjects,
    ContributionKind,
    Evidence,
    Funding,
    MemberRole,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    Pledge,
    ReminderChannel,
    ReportKind,
)
from governance.voting import Majority, Outcome, VotingRule
from web.ops.demo.pdf import demo_pdf
from web.ops.storage import Stores

A = TypeVar("A")

EVENTS_PER_YEAR = 200
"""About how many events one consortium-year writes (the demo writes 197)."""
FLAGSHIP_YEARS = 10
"""How many years the measured consortium lives (fewer when the build is small)."""
BATCH_EVENTS = 5000
"""Events saved per transaction while building."""
SPREAD_CONSORTIA = 32
"""How many other consortia the build notes for the writers to spread over."""


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class BatchingGovernance(Governance):
    """The service, saving many commands' events in one transaction.

    ``_load`` answers from the aggregates still in memory (saved or not), ``_save``
    only remembers them; ``flush`` saves every changed aggregate at once. Positions
    are unknown until then, so commands return 0 as their position.
    """

    # The library names tables after the application (on PostgreSQL): the same log.
    name = "Governance"

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env, clock=_Clock(datetime(2020, 1, 1, tzinfo=UTC)))
        self._live: dict[Any, Any] = {}
        self._dirty: dict[Any, Any] = {}
        self._pending = 0
        self.events_saved = 0

    def _load(self, aggregate_id: UUID, kind: type[A], name: str) -> A:
        aggregate = self._live.get(aggregate_id)
        if isinstance(aggregate, kind):
            return aggregate
        loaded = super()._load(aggregate_id, kind, name)
        self._live[aggregate_id] = loaded
        return loaded

    def _save(self, *aggregates: Any) -> int:
        for aggregate in aggregates:
            self._live[aggregate.id] = aggregate
            self._dirty[aggregate.id] = aggregate
            self._pending += len(aggregate.pending_events)
        if self._pending >= BATCH_EVENTS:
            self.flush()
        return 0

    def flush(self) -> int:
        """Save every changed aggregate in one transaction; returns events saved."""
        saved = 0
        if self._dirty:
            recordings = self.save(*self._dirty.values())
            saved = len(recordings)
        self.events_saved += saved
        self._dirty.clear()
        self._pending = 0
        return saved

    def forget(self) -> None:
        """Drop the aggregates kept in memory (after a consortium is done)."""
        self.flush()
        self._live.clear()


@dataclass
class People:
    """A pool of accounts; each consortium draws its people from it."""

    account_ids: list[str]
    cursor: int = 0

    def take(self, count: int) -> list[str]:
        chosen = []
        for _ in range(count):
            chosen.append(self.account_ids[self.cursor % len(self.account_ids)])
            self.cursor += 1
        return chosen


@dataclass
class Flagship:
    """What the measurements need to know about the measured consortium."""

    consortium_id: str
    coordinator_id: str
    coordinator_email: str
    coordinator_password: str
    partner_id: str = ""
    first_positions: list[int] = field(default_factory=list)
    others: list[list[str]] = field(default_factory=list)
    """Other consortia the concurrent writers spread over: for each, its id, its
    coordinator's e-mail (same password as the flagship's) and one partner's id."""


@dataclass
class BuildResult:
    """What was built and how long it took."""

    events: int
    consortia: int
    seconds: float
    flagship: Flagship


@dataclass
class _Life:
    """One consortium being written: its id, people, partners and clock."""

    governance: BatchingGovernance
    clock: _Clock
    start: date
    cid: UUID
    coordinator: Actor
    pilot: Actor
    financer: Actor
    partners: list[str]
    reps: dict[str, Actor]
    bodies: list[str] = field(default_factory=list)
    indicators: list[UUID] = field(default_factory=list)
    evidence: Evidence | None = None
    serial: int = 0

    def use(self) -> None:
        """Commands from now on happen at this consortium's time."""
        self.governance.clock = self.clock

    def on(self, days: int, hour: int = 10) -> date:
        moment = datetime.combine(
            self.start + timedelta(days=days), datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=hour)
        self.clock.at = max(self.clock.at, moment)
        return self.clock.at.date()

    def next(self) -> int:
        self.serial += 1
        return self.serial


KINDS = (
    (PartnerKind.LOCAL_AUTHORITY, PartnerRole.LEAD, "Pilotage et coordination"),
    (PartnerKind.SOCIAL_ECONOMY, PartnerRole.PARTNER, "Médiation numérique"),
    (PartnerKind.ACADEMIC, PartnerRole.PARTNER, "Évaluation"),
    (PartnerKind.COMPANY, PartnerRole.PARTNER, "Équipement"),
    (PartnerKind.CITIZENS, PartnerRole.ASSOCIATED, "Participation des habitants"),
    (PartnerKind.COMPANY, PartnerRole.ASSOCIATED, "Protection des données"),
    (PartnerKind.COMPANY, PartnerRole.ASSOCIATED, "Supports de communication"),
)
FUNDER = "Banque publique des Territoires Solidaires (fictive)"


def _found(
    governance: BatchingGovernance,
    number: int,
    start: date,
    people: list[str],
    evidence: Evidence,
) -> _Life:
    """Found consortium ``number`` and write its first year (the demo's shape)."""
    coordinator, pilot, financer, *members = (Actor(p) for p in people)
    clock = _Clock(datetime.combine(start, datetime.min.time(), tzinfo=UTC))
    governance.clock = clock
    created = governance.found_consortium(
        coordinator,
        name=f"Consortium {number:06d} numérique pour tous",
        acronym=f"C{number:06d}",
        summary="Rapprocher les habitants des services numériques.",
        territory=f"Territoire {number}",
        call=CallForProjects(
            name="Territoires intelligents et durables",
            funder=FUNDER,
            reference=f"TID-{number}",
            opens_on=start - timedelta(days=30),
            closing_dates=(start + timedelta(days=45),),
            url="https://appels.bench.example/tid",
        ),
        founded_on=start,
    )
    life = _Life(
        governance,
        clock,
        start,
        UUID(created.id),
        coordinator,
        pilot,
        financer,
        [],
        {},
        evidence=evidence,
    )
    g, cid = governance, life.cid
    for index, (kind, role, axis) in enumerate(KINDS):
        joined = life.on(1 + 3 * index)
        life.partners.append(
            g.admit_partner(
                coordinator,
                cid,
                PartnerIdentity(
                    f"Partenaire {index + 1} du consortium {number}",
                    kind,
                    AuthorityLevel.EPCI
                    if kind is PartnerKind.LOCAL_AUTHORITY
                    else None,
                    "",
                    "",
                ),
                role=role,
                axis=axis,
                paper=Paper.NONE,
                paper_signed_on=None,
                joined_on=joined,
            ).id
        )
    for index, partner_id in enumerate(life.partners[:4]):
        signed = life.on(25 + index)
        g.record_paper(coordinator, cid, partner_id, Paper.LETTER_OF_COMMITMENT, signed)
    for partner_id, member in zip(life.partners[:5], members, strict=False):
        life.on(30)
        _invite(life, MemberRole.MEMBER, partner_id, member)
        life.reps[partner_id] = member
    commitments = _pledges(life, 36)
    g.change_phase(coordinator, cid, Phase.APPLICATION_SUBMITTED, life.on(42))
    p = life.partners
    life.bodies.append(
        g.establish_body(
            coordinator,
            cid,
            name="Comité de pilotage (COPIL)",
            members={p[0]: 2, p[1]: 1, p[2]: 1, p[3]: 1, p[4]: 1},
            rule=VotingRule(Decimal("0.5"), False, Majority.SIMPLE, 15),
        ).id
    )
    life.on(50)
    life.bodies.append(
        g.establish_body(
            coordinator,
            cid,
            name="Comité technique",
            members={p[0]: 1, p[1]: 1, p[2]: 1, p[3]: 1, p[5]: 1},
            rule=VotingRule(Decimal("0.6667"), False, Majority.TWO_THIRDS, 0),
        ).id
    )
    _written_vote(life, 61)
    life.on(70)
    _invite(life, MemberRole.PILOT_TEAM, None, pilot)
    life.on(100)
    g.delegate_proxy(
        life.reps[p[4]],
        cid,
        from_partner=p[4],
        to_partner=p[1],
        valid_from=life.clock.at.date(),
        valid_until=start + timedelta(days=500),
    )
    g.change_phase(coordinator, cid, Phase.SELECTED, life.on(120))
    life.on(125)
    _invite(life, MemberRole.FINANCER, None, financer)
    _meeting_vote(life, 127)
    g.withdraw_partner(
        coordinator, cid, p[6], life.on(130), "Cessation d'activité annoncée."
    )
    for index, partner_id in enumerate(p[:4]):
        signed = life.on(170 + index)
        g.record_paper(coordinator, cid, partner_id, Paper.CONVENTION_SIGNED, signed)
    g.change_phase(coordinator, cid, Phase.AGREEMENT_SIGNED, life.on(180))
    life.on(189)
    for name, unit in (("Personnes accompagnées", "personnes"), ("Ordinateurs", "pc")):
        life.indicators.append(
            UUID(
                g.define_indicator(
                    pilot,
                    cid,
                    name=name,
                    unit=unit,
                    baseline=Decimal(0),
                    target=Decimal(1500),
                    target_on=start + timedelta(days=3650),
                    measured_by="Équipe projet",
                ).id
            )
        )
    g.change_partner_role(coordinator, cid, p[4], PartnerRole.PARTNER)
    g.change_phase(coordinator, cid, Phase.IMPLEMENTATION, life.on(200))
    _activity(life, 0, commitments)
    return life


def _invite(life: _Life, role: MemberRole, partner_id: str | None, who: Actor) -> None:
    g = life.governance
    invitation = g.issue_invitation(
        life.coordinator,
        life.cid,
        role,
        partner_id,
        life.clock.at + timedelta(days=14),
    )
    life.clock.at += timedelta(hours=20)
    g.accept_invitation(who, life.cid, invitation.id)


def _pledges(life: _Life, days: int) -> list[UUID]:
    """Ten commitments across the partners, every kind, as in the demo."""
    g, p = life.governance, life.partners
    starts = life.on(days)
    ends = starts + timedelta(days=460)
    plan = (
        (p[0], ContributionKind.FINANCIAL, "120000", None, "", ""),
        (p[0], ContributionKind.HUMAN, "60", "400", "", ""),
        (p[1], ContributionKind.HUMAN, "90", "300", "", ""),
        (p[1], ContributionKind.LOGISTICAL, "8000", None, "", ""),
        (p[2], ContributionKind.HUMAN, "40", "500", "", ""),
        (p[2], ContributionKind.DATA_SET, "5000", None, "Licence Ouverte 2.0", ""),
        (p[3], ContributionKind.TECHNICAL, "30000", None, "", ""),
        (p[3], ContributionKind.FINANCIAL, "10000", None, "", ""),
        (p[5], ContributionKind.IN_KIND, "6000", None, "", "12 jours à 500 €"),
        (p[4], ContributionKind.LOGISTICAL, "3000", None, "", ""),
    )
    made = []
    for partner_id, kind, amount, rate, licence, method in plan:
        made.append(
            UUID(
                g.pledge(
                    life.coordinator,
                    life.cid,
                    partner_id,
                    Pledge(
                        kind,
                        Decimal(amount),
                        starts,
                        ends,
                        f"Engagement {life.next()}",
                        Funding.REQUESTED
                        if kind is ContributionKind.HUMAN
                        else Funding.CO_FINANCING,
                        daily_rate=Decimal(rate) if rate else None,
                        licence=licence,
                        valuation_method=method,
                    ),
                ).id
            )
        )
    return made


def _voters(life: _Life) -> list[tuple[str, Actor]]:
    return [(p, life.reps[p]) for p in life.partners[:4]]


def _written_vote(life: _Life, days: int, body: int = 0) -> None:
    g = life.governance
    life.on(days)
    tabled = life.clock.at
    proposal = UUID(
        g.table_proposal(
            life.coordinator,
            life.cid,
            life.bodies[body],
            Motion(
                f"Proposition {life.next()}",
                "Le comité adopte la proposition annexée.",
                ("for", "against", "abstain"),
                WRITTEN,
                closes_at=life.clock.at + timedelta(days=7),
                meeting_on=life.clock.at.date(),
            ),
        ).id
    )
    for index, (partner_id, actor) in enumerate(_voters(life)):
        life.clock.at += timedelta(hours=5)
        option = "for" if index != 3 else "abstain"
        g.cast_vote(actor, proposal, partner_id, option, "")
    life.clock.at = tabled + timedelta(days=8)
    g.close_due_proposal(proposal)


def _meeting_vote(life: _Life, days: int) -> None:
    g = life.governance
    life.on(days)
    options = ("Solution A", "Solution B")
    proposal = UUID(
        g.table_proposal(
            life.coordinator,
            life.cid,
            life.bodies[1],
            Motion(
                f"Choix {life.next()}",
                "Deux solutions ont été comparées.",
                options,
                MEETING,
                closes_at=None,
                meeting_on=life.clock.at.date(),
            ),
        ).id
    )
    for partner_id, actor in _voters(life):
        life.clock.at += timedelta(hours=1)
        g.cast_vote(actor, proposal, partner_id, options[0], "")
    life.clock.at += timedelta(hours=1)
    g.close_proposal(life.coordinator, proposal)


def _activity(life: _Life, year: int, commitments: list[UUID]) -> None:
    """One year of a running consortium: reports and their reminders, votes,
    measurements, deliveries, a decision (about 150 events)."""
    g, base = life.governance, 365 * year
    reports: list[tuple[UUID, date]] = []
    for quarter in range(4):
        life.on(base + 201 + quarter)
        due_on = life.start + timedelta(days=base + 250 + 30 * quarter)
        created = g.schedule_report(
            life.pilot,
            life.cid,
            funder=FUNDER,
            title=f"Rapport {year + 1}.{quarter + 1}",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=life.pilot.account_id,
            due_on=due_on,
        )
        reports.append((UUID(created.id), due_on))
    recipients = [life.pilot.account_id, life.coordinator.account_id]
    recipients += [a.account_id for a in life.reps.values()]
    for index, (report, due_on) in enumerate(reports):
        life.on(base + 210 + 30 * index)
        for stage in range(3):
            for escalation, recipient in enumerate(recipients[: 4 if stage else 2]):
                g.request_reminder(report, stage, recipient, escalation)
                rid = reminder_id(str(report), due_on, stage, recipient)
                g.record_reminder_sent(
                    rid, ReminderChannel.EMAIL, f"<reminder-{rid}@bench.example>"
                )
        g.draft_report(life.pilot, report, f"Rapport {index}: activité conforme.", ())
        g.submit_report(life.pilot, report)
        life.clock.at += timedelta(days=2)
        if index == 1:
            g.request_report_changes(life.financer, report, "Merci de compléter.")
            g.draft_report(life.pilot, report, "Rapport complété.", ())
            g.submit_report(life.pilot, report)
        g.accept_report(life.financer, report, "Merci, rapport complet.")
    for vote in range(4):
        _written_vote(life, base + 215 + 30 * vote, body=0)
    for month in (1, 5, 9):
        life.on(base + 220 + 12 * month)
        for indicator in life.indicators:
            g.measure_indicator(
                life.pilot,
                indicator,
                Decimal(100 * (year * 12 + month)),
                life.clock.at.date(),
                "Feuilles d'émargement",
            )
    for index, commitment in enumerate(commitments[:9]):
        delivered_on = life.on(base + 240 + 10 * index)
        g.deliver(
            life.coordinator,
            commitment,
            delivered_on=delivered_on,
            amount=Decimal(1),
            description=f"Livraison {life.next()}",
            evidence=life.evidence if index % 3 == 0 else None,
        )
    life.on(base + 340)
    p = life.partners
    g.record_decision(
        life.coordinator,
        life.cid,
        life.bodies[0],
        title=f"Décision {life.next()}",
        text="Le COPIL valide le rapport transmis au financeur.",
        outcome=Outcome.ADOPTED,
        decided_on=life.clock.at.date(),
        present=(p[0], p[1], p[2], p[3]),
        minutes=None,
    )


def _flagship_year(life: _Life, year: int) -> None:
    """Another year of the flagship: new pledges, then a running year."""
    commitments = _pledges(life, 365 * year + 30)
    _activity(life, year, commitments)


def build(
    stores: Stores,
    events: int,
    *,
    progress: Callable[[int], None] | None = None,
    people_per_consortium: int = 8,
) -> BuildResult:
    """Write about ``events`` events; returns what was built and the flagship."""
    started = time.perf_counter()
    governance = BatchingGovernance(dict(stores.governance.env))
    try:
        return _build(
            stores, governance, events, progress, people_per_consortium, started
        )
    finally:
        governance.close()


def _build(
    stores: Stores,
    governance: BatchingGovernance,
    events: int,
    progress: Callable[[int], None] | None,
    per: int,
    started: float,
) -> BuildResult:
    years = max(1, min(FLAGSHIP_YEARS, events // (4 * EVENTS_PER_YEAR)))
    others = max(0, (events - years * EVENTS_PER_YEAR) // EVENTS_PER_YEAR)
    password = secrets.token_urlsafe(12)
    pool_size = max(4 * per, min(2 * (others + 1), 5000))
    now = datetime.now(UTC)
    pool = People(
        [
            stores.accounts.create_account(
                f"person{n}@bench.example",
                f"Personne {n}",
                # One password for every synthetic person, so that the writers
                # can log in as the coordinators of several consortia.
                password,
                now=now,
            ).account_id
            for n in range(pool_size)
        ]
    )
    evidence = stores.evidence.save(BytesIO(demo_pdf("Justificatif")), "piece.pdf")
    reported = 0

    def report() -> None:
        nonlocal reported
        if progress is not None and governance.events_saved > reported:
            progress(governance.events_saved - reported)
            reported = governance.events_saved

    flagship_people = pool.take(per)
    flagship = _found(governance, 0, date(2020, 1, 1), flagship_people, evidence)
    first_positions = _positions_after_flush(governance)
    governance.forget()
    report()
    # The flagship's later years are spread over the build of the others.
    due_years = iter(range(1, years))
    every = max(1, others // max(1, years - 1)) if others else 1
    spread: list[list[str]] = []
    for number in range(1, others + 1):
        start = date(2020, 1, 1) + timedelta(days=number % 1500)
        first = pool.cursor % len(pool.account_ids)
        life = _found(governance, number, start, pool.take(per), evidence)
        if len(spread) < SPREAD_CONSORTIA:
            email = f"person{first}@bench.example"
            spread.append([str(life.cid), email, life.partners[1]])
        governance.forget()
        if number % every == 0:
            _next_flagship_year(governance, flagship, due_years)
        report()
    for year in due_years:
        _next_flagship_year(governance, flagship, iter([year]))
    governance.forget()
    report()
    return BuildResult(
        events=governance.events_saved,
        consortia=others + 1,
        seconds=time.perf_counter() - started,
        flagship=Flagship(
            consortium_id=str(flagship.cid),
            coordinator_id=flagship.coordinator.account_id,
            coordinator_email="person0@bench.example",
            coordinator_password=password,
            partner_id=flagship.partners[1],
            first_positions=first_positions,
            others=spread,
        ),
    )


def _positions_after_flush(governance: BatchingGovernance) -> list[int]:
    """The log's last position once everything written so far is saved."""
    governance.flush()
    return [int(governance.recorder.max_notification_id() or 0)]


def _next_flagship_year(
    governance: BatchingGovernance, flagship: _Life, years: Iterator[int]
) -> None:
    year = next(years, None)
    if year is None:
        return
    flagship.use()
    _flagship_year(flagship, year)
    governance.forget()
