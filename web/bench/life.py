"""One synthetic consortium's life, written through the service: founded, partners
admitted, people invited, pledges, votes, reports, indicators, deliveries and
reminders, year after year (the demo's shape, ``web/ops/demo/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
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
from web.bench.batching import BatchingGovernance, SettableClock


@dataclass
class Life:
    """One consortium being written: its id, people, partners and clock."""

    governance: BatchingGovernance
    clock: SettableClock
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


def found(
    governance: BatchingGovernance,
    number: int,
    start: date,
    people: list[str],
    evidence: Evidence,
) -> Life:
    """Found consortium ``number`` and write its first year (the demo's shape)."""
    coordinator, pilot, financer, *members = (Actor(p) for p in people)
    clock = SettableClock(datetime.combine(start, datetime.min.time(), tzinfo=UTC))
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
    life = Life(
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


def _invite(life: Life, role: MemberRole, partner_id: str | None, who: Actor) -> None:
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


def _pledges(life: Life, days: int) -> list[UUID]:
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


def _voters(life: Life) -> list[tuple[str, Actor]]:
    return [(p, life.reps[p]) for p in life.partners[:4]]


def _written_vote(life: Life, days: int, body: int = 0) -> None:
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


def _meeting_vote(life: Life, days: int) -> None:
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


def _activity(life: Life, year: int, commitments: list[UUID]) -> None:
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


def flagship_year(life: Life, year: int) -> None:
    """Another year of the flagship: new pledges, then a running year, and the two
    votes of a founding year again, so that ten years hold ten times a demo-sized
    consortium's commitments (10 a year), reports (4) and votes (6)."""
    commitments = _pledges(life, 365 * year + 30)
    _written_vote(life, 365 * year + 61)
    _meeting_vote(life, 365 * year + 127)
    _activity(life, year, commitments)
