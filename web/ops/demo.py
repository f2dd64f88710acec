"""The demo consortium: a year of a fictional digital-inclusion project.

Every organisation and person here is invented (``.example`` addresses). The history
is written through the governance service like any user's, with the clock set to the
dates things happened, so the history panel reads like a real year.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.clock import Clock
from governance.values import (
    MEETING,
    WRITTEN,
    AssetType,
    AuthorityLevel,
    CallForProjects,
    ContributionKind,
    Dissemination,
    Funding,
    Lesson,
    MemberRole,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    Pledge,
    Replication,
    ReportKind,
    ReusableAsset,
)
from governance.voting import DEFAULT_OPTIONS, Majority, Outcome, VotingRule
from notifications.emails import MailRenderer
from notifications.mail import MailboxTransport
from notifications.reminders import ReminderPipeline
from projections.reporting import obligations_of
from web.i18n import catalogues
from web.ops.jobs import AccountDirectory
from web.ops.storage import Stores


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


class _SettableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _reminder_pipeline(
    stores: Stores, mailbox: Path, base_url: str
) -> ReminderPipeline:
    return ReminderPipeline(
        governance=stores.governance,
        read_side=stores.read_side,
        outbox=stores.outbox,
        directory=AccountDirectory(stores.accounts),
        renderer=MailRenderer(catalogues(), base_url),
        transport=MailboxTransport(mailbox),
        sender="Consortium Ledger (démo) <no-reply@demo.example>",
    )


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _demo_pdf(text: str) -> bytes:
    """A tiny, valid one-page PDF carrying ``text`` (demo evidence)."""
    safe = text.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 12 Tf 72 720 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += str(number).encode() + b" 0 obj\n" + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += (
        b"trailer\n<< /Size "
        + str(len(objects) + 1).encode()
        + b" /Root 1 0 R >>\nstartxref\n"
        + str(xref).encode()
        + b"\n%%EOF\n"
    )
    return body


def _capitalise(
    governance: Governance,
    cid: UUID,
    on: Callable[[int], date],
    start: date,
    member: Actor,
    pilot: Actor,
    coordinator: Actor,
) -> None:
    """The capitalisation register: a few entries of each kind, one amended, one
    withdrawn (days 332 to 356 of the demo year)."""
    on(332)
    barometer = governance.record_capitalisation(
        pilot,
        cid,
        ReusableAsset(
            "Baromètre de l'accès aux droits numériques",
            AssetType.DATA_SET,
            "Fréquentation anonymisée des permanences, par commune et par mois.",
            "Licence Ouverte 2.0",
            "https://donnees.demo.example/barometre-val-de-brume",
        ),
    )
    on(334)
    governance.record_capitalisation(
        member,
        cid,
        ReusableAsset(
            "Kit de médiation en tiers-lieu",
            AssetType.GUIDE,
            "Fiches d'atelier, grille d'accueil et parcours type.",
            "CC BY-SA 4.0",
            "https://depot.demo.example/kit-mediation",
        ),
    )
    governance.record_capitalisation(
        member,
        cid,
        Lesson(
            "Des ateliers le soir plutôt que le samedi",
            "Les ateliers après 18 h attirent les actifs et les parents.",
            "Les permanences du samedi matin sont restées presque vides.",
            "Tiers-lieux et médiathèques qui ouvrent des permanences",
        ),
    )
    on(338)
    governance.record_capitalisation(
        pilot,
        cid,
        Lesson(
            "Former les agents d'accueil des mairies",
            "Les agents orientent mieux vers les permanences après une demi-journée.",
            "",
            "Communes rurales sans service numérique",
        ),
    )
    governance.record_capitalisation(
        pilot,
        cid,
        ReusableAsset(
            "Outil de prise de rendez-vous",
            AssetType.SOFTWARE,
            "Application web libre pour réserver un créneau de médiation.",
            "AGPL-3.0",
            "https://forge.demo.example/val-de-brume/rendez-vous",
        ),
    )
    on(342)
    governance.record_capitalisation(
        coordinator,
        cid,
        Replication(
            "Kit de médiation en tiers-lieu",
            "Communauté de communes des Coteaux fictifs",
            start + timedelta(days=320),
            "Ateliers traduits pour un public allophone.",
        ),
    )
    on(346)
    governance.record_capitalisation(
        coordinator,
        cid,
        Dissemination(
            "Journée régionale de l'inclusion numérique",
            start + timedelta(days=345),
            "Élus et médiateurs de la région",
            "Hôtel de région (fictif)",
            "",
        ),
    )
    duplicate = governance.record_capitalisation(
        pilot,
        cid,
        Dissemination(
            "Journée régionale inclusion numérique",
            start + timedelta(days=345),
            "Élus",
            "Hôtel de région",
            "",
        ),
    )
    on(350)
    governance.record_capitalisation(
        member,
        cid,
        Dissemination(
            "Webinaire « Médiation en tiers-lieu »",
            start + timedelta(days=349),
            "Réseau national des tiers-lieux",
            "",
            "https://webinaires.demo.example/mediation-tiers-lieu",
        ),
    )
    on(352)
    governance.amend_capitalisation(
        pilot,
        UUID(barometer.id),
        ReusableAsset(
            "Baromètre de l'accès aux droits numériques",
            AssetType.DATA_SET,
            "Fréquentation anonymisée des permanences, par commune et par mois, "
            "mise à jour chaque trimestre.",
            "Licence Ouverte 2.0",
            "https://donnees.demo.example/barometre-val-de-brume",
        ),
        "Rythme de mise à jour précisé",
    )
    on(354)
    governance.withdraw_capitalisation(
        coordinator, UUID(duplicate.id), "Doublon de la journée régionale"
    )


def load_demo(
    stores: Stores,
    *,
    today: date,
    mailbox: Path | None = None,
    base_url: str = "http://127.0.0.1:8000",
) -> UUID:
    """Write the demo consortium's year of history; returns its id.

    With a ``mailbox`` file, the reminder pipeline runs each time the demo's clock
    moves on, as the scheduler would have: reminders are issued and their e-mails
    written to that file (never to a real SMTP server: the addresses are fictional).
    """
    governance = stores.governance
    accounts = stores.accounts
    start = today - timedelta(days=365)
    clock = _SettableClock(_at(start))
    reminders = _reminder_pipeline(stores, mailbox, base_url) if mailbox else None
    saved_clock: Clock = governance.clock
    governance.clock = clock
    try:
        people = {
            login.role.split(" ")[0]: accounts.create_account(
                login.email, login.name, login.password, now=_at(start)
            )
            for login in DEMO_LOGINS
        }
        coordinator = Actor(people["coordinator"].account_id)
        call = CallForProjects(
            name="Territoires intelligents et durables",
            funder="Banque publique des Territoires Solidaires (fictive)",
            reference="TID-2026-V2",
            opens_on=start - timedelta(days=30),
            closing_dates=(start + timedelta(days=45), start + timedelta(days=150)),
            url="https://appels.demo.example/tid-2026",
        )
        consortium = governance.found_consortium(
            coordinator,
            name="Val de Brume numérique pour tous",
            acronym="VBNT",
            summary="Rapprocher les habitants du Val de Brume des services numériques: "
            "médiation dans les tiers-lieux, équipement reconditionné, données "
            "ouvertes sur l'accès aux droits.",
            territory="Communauté de communes du Val de Brume",
            call=call,
            founded_on=start,
        )
        cid = UUID(consortium.id)

        def on(days: int) -> date:
            moment = _at(start + timedelta(days=days))
            moved = moment > clock.at
            clock.at = moment
            if reminders is not None and moved:
                reminders.run(moment)
            return start + timedelta(days=days)

        def admit(
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
            joined = on(days)
            return governance.admit_partner(
                coordinator,
                cid,
                PartnerIdentity(name, kind, level, siret, rna),
                role=role,
                axis=axis,
                paper=Paper.NONE,
                paper_signed_on=None,
                joined_on=joined,
            ).id

        def invite(
            key: str, role: MemberRole, partner_id: str | None, days: int
        ) -> None:
            on(days)
            invitation = governance.issue_invitation(
                coordinator, cid, role, partner_id, clock.at + timedelta(days=14)
            )
            accounts.store_invitation(
                invitation_id=invitation.id,
                consortium_id=str(cid),
                email=people[key].email,
                expires_at=clock.at + timedelta(days=14),
                now=clock.at,
            )
            clock.at += timedelta(days=1)
            governance.accept_invitation(
                Actor(people[key].account_id), cid, invitation.id
            )

        lead = admit(
            1,
            "Communauté de communes du Val de Brume",
            PartnerKind.LOCAL_AUTHORITY,
            PartnerRole.LEAD,
            "Pilotage et coordination",
            level=AuthorityLevel.EPCI,
        )
        fabrique = admit(
            3,
            "Tiers-lieu La Fabrique",
            PartnerKind.SOCIAL_ECONOMY,
            PartnerRole.PARTNER,
            "Médiation numérique",
            rna="W123456789",
        )
        lab = admit(
            5,
            "Laboratoire Usages et Territoires (Université de Brume)",
            PartnerKind.ACADEMIC,
            PartnerRole.PARTNER,
            "Évaluation",
        )
        numeria = admit(
            8,
            "Numeria Reconditionnement SAS",
            PartnerKind.COMPANY,
            PartnerRole.PARTNER,
            "Équipement",
            siret="73282932000074",
        )
        voisins = admit(
            12,
            "Collectif Les Voisins Connectés",
            PartnerKind.CITIZENS,
            PartnerRole.ASSOCIATED,
            "Participation des habitants",
        )
        donnee = admit(
            15,
            "Donnée Sûre Conseil",
            PartnerKind.COMPANY,
            PartnerRole.ASSOCIATED,
            "Protection des données (RGPD)",
        )
        imprim = admit(
            20,
            "Imprimerie du Plateau",
            PartnerKind.COMPANY,
            PartnerRole.ASSOCIATED,
            "Supports de communication",
        )

        invite("member", MemberRole.MEMBER, fabrique, 25)
        for partner_id, days, paper in (
            (lead, 30, Paper.LETTER_OF_COMMITMENT),
            (fabrique, 32, Paper.LETTER_OF_COMMITMENT),
            (lab, 35, Paper.LETTER_OF_COMMITMENT),
            (numeria, 38, Paper.LETTER_OF_COMMITMENT),
        ):
            signed = on(days)
            governance.record_paper(coordinator, cid, partner_id, paper, signed)

        member = Actor(people["member"].account_id)

        def pledge(
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
            actor: Actor = coordinator,
        ) -> UUID:
            starts = on(days)
            return UUID(
                governance.pledge(
                    actor,
                    cid,
                    partner_id,
                    Pledge(
                        kind,
                        Decimal(amount),
                        starts,
                        start + timedelta(days=500),
                        covers,
                        funding,
                        daily_rate=Decimal(rate) if rate else None,
                        licence=licence,
                        valuation_method=method,
                    ),
                ).id
            )

        lead_money = pledge(
            36, lead, ContributionKind.FINANCIAL, "120000", "Pilotage et coordination"
        )
        lead_time = pledge(
            36, lead, ContributionKind.HUMAN, "60", "Chef de projet", rate="400"
        )
        fabrique_time = pledge(
            37,
            fabrique,
            ContributionKind.HUMAN,
            "90",
            "Permanences de médiation",
            rate="300",
            funding=Funding.REQUESTED,
            actor=member,
        )
        fabrique_rooms = pledge(
            37,
            fabrique,
            ContributionKind.LOGISTICAL,
            "8000",
            "Salles et accueil du public",
            actor=member,
        )
        lab_time = pledge(
            38, lab, ContributionKind.HUMAN, "40", "Évaluation", rate="500"
        )
        lab_data = pledge(
            38,
            lab,
            ContributionKind.DATA_SET,
            "5000",
            "Baromètre de l'accès aux droits",
            licence="Licence Ouverte 2.0",
        )
        numeria_kit = pledge(
            39,
            numeria,
            ContributionKind.TECHNICAL,
            "30000",
            "150 ordinateurs reconditionnés",
        )
        numeria_money = pledge(
            39, numeria, ContributionKind.FINANCIAL, "10000", "Équipement"
        )
        pledge(
            40,
            donnee,
            ContributionKind.IN_KIND,
            "6000",
            "Analyse d'impact RGPD",
            method="12 jours de conseil valorisés à 500 € (tarif public)",
        )
        pledge(41, imprim, ContributionKind.LOGISTICAL, "3000", "Impression des flyers")
        governance.change_phase(coordinator, cid, Phase.APPLICATION_SUBMITTED, on(42))

        # The other partners' representatives (fictional; their passwords are random).
        reps = {"member": member}
        for key, name, partner_id in (
            ("lead", "Élodie Roux", lead),
            ("lab", "Marc Lefebvre", lab),
            ("numeria", "Sofia Benali", numeria),
            ("voisins", "Paul Girard", voisins),
        ):
            on(44)
            account = accounts.create_account(
                f"{key}.rep@demo.example", name, secrets.token_urlsafe(24), now=clock.at
            )
            people[key] = account
            invite(key, MemberRole.MEMBER, partner_id, 44)
            reps[key] = Actor(account.account_id)
        copil = governance.establish_body(
            coordinator,
            cid,
            name="Comité de pilotage (COPIL)",
            members={lead: 2, fabrique: 1, lab: 1, numeria: 1, voisins: 1},
            rule=VotingRule(Decimal("0.5"), False, Majority.SIMPLE, 15),
        ).id
        on(50)
        cotech = governance.establish_body(
            coordinator,
            cid,
            name="Comité technique",
            members={lead: 1, fabrique: 1, lab: 1, numeria: 1, donnee: 1},
            rule=VotingRule(Decimal("0.6667"), False, Majority.TWO_THIRDS, 0),
        ).id

        def table(
            days: int,
            body: str,
            title: str,
            text: str,
            *,
            close_in: int = 7,
            options: tuple[str, ...] = DEFAULT_OPTIONS,
            meeting: bool = False,
        ) -> UUID:
            on(days)
            motion = Motion(
                title,
                text,
                options,
                MEETING if meeting else WRITTEN,
                closes_at=None if meeting else clock.at + timedelta(days=close_in),
                meeting_on=clock.at.date(),
            )
            return UUID(governance.table_proposal(coordinator, cid, body, motion).id)

        def vote(
            proposal: UUID, key: str, partner_id: str, option: str, reason: str = ""
        ) -> None:
            clock.at += timedelta(hours=5)
            governance.cast_vote(reps[key], proposal, partner_id, option, reason)

        def close_due(days: int, proposal: UUID) -> None:
            on(days)
            governance.close_due_proposal(proposal)

        plan = table(
            61,
            copil,
            "Adoption du plan de financement",
            "Le COPIL adopte le plan de financement annexé à la candidature.",
        )
        vote(plan, "lead", lead, "for")
        vote(plan, "member", fabrique, "for")
        vote(plan, "lab", lab, "for", "Conforme au budget de l'université")
        vote(plan, "numeria", numeria, "abstain")
        close_due(68, plan)
        invite("pilot", MemberRole.PILOT_TEAM, None, 70)
        on(100)
        governance.delegate_proxy(
            reps["voisins"],
            cid,
            from_partner=voisins,
            to_partner=fabrique,
            valid_from=clock.at.date(),
            valid_until=start + timedelta(days=500),
        )
        governance.change_phase(coordinator, cid, Phase.SELECTED, on(120))
        invite("financer", MemberRole.FINANCER, None, 125)
        tool = table(
            127,
            cotech,
            "Choix de l'outil de prise de rendez-vous",
            "Deux solutions ont été comparées par le comité technique.",
            options=("Logiciel libre Agendas", "Service en ligne Rdv+"),
            meeting=True,
        )
        vote(tool, "lead", lead, "Logiciel libre Agendas")
        vote(tool, "member", fabrique, "Logiciel libre Agendas")
        vote(tool, "lab", lab, "Service en ligne Rdv+", "Plus simple à déployer")
        vote(tool, "lab", lab, "Logiciel libre Agendas", "Après démonstration")
        vote(tool, "numeria", numeria, "Logiciel libre Agendas")
        on(128)
        governance.close_proposal(coordinator, tool)
        governance.withdraw_partner(
            coordinator,
            cid,
            imprim,
            on(130),
            "Cessation d'activité annoncée par le dirigeant.",
        )
        for partner_id, days in (
            (lead, 170),
            (fabrique, 172),
            (lab, 175),
            (numeria, 176),
        ):
            signed = on(days)
            governance.record_paper(
                coordinator, cid, partner_id, Paper.CONVENTION_SIGNED, signed
            )
        governance.change_phase(coordinator, cid, Phase.AGREEMENT_SIGNED, on(180))
        pilot = Actor(people["pilot"].account_id)
        financer = Actor(people["financer"].account_id)
        on(182)
        funder = "Banque publique des Territoires Solidaires (fictive)"
        governance.schedule_periodic_reports(
            pilot,
            cid,
            funder=funder,
            title="Rapport d'activité",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=people["pilot"].account_id,
            first_period_start=start,
            every_months=4,
            due_days=30,
            count=3,
        )
        governance.schedule_report(
            pilot,
            cid,
            funder=funder,
            title="État financier final",
            kind=ReportKind.FINANCIAL_STATEMENT,
            responsible_id=None,
            due_on=start + timedelta(days=420),
        )
        stores.read_side.catch_up()
        with stores.read_side.engine.connect() as connection:
            reports = obligations_of(connection, str(cid))
        first_report = UUID(reports[0].obligation_id)
        second_report = UUID(reports[1].obligation_id)
        on(184)
        governance.draft_report(
            pilot,
            first_report,
            "Premier quadrimestre : 14 permanences, 212 personnes accueillies.",
            (
                stores.evidence.save(
                    BytesIO(_demo_pdf("Rapport d'activite 1")), "rapport-activite-1.pdf"
                ),
            ),
        )
        governance.submit_report(pilot, first_report)
        on(188)
        governance.accept_report(financer, first_report, "Merci, rapport complet.")
        on(189)
        helped = UUID(
            governance.define_indicator(
                pilot,
                cid,
                name="Personnes accompagnées en médiation",
                unit="personnes",
                baseline=Decimal(0),
                target=Decimal(1500),
                target_on=start + timedelta(days=500),
                measured_by="Équipe projet",
            ).id
        )
        equipped = UUID(
            governance.define_indicator(
                pilot,
                cid,
                name="Ordinateurs remis à des foyers",
                unit="ordinateurs",
                baseline=Decimal(0),
                target=Decimal(150),
                target_on=start + timedelta(days=500),
                measured_by="Numeria",
            ).id
        )
        for days, people_count, computers in (
            (120, 212, 0),
            (240, 560, 40),
            (330, 910, 90),
        ):
            measured_on = start + timedelta(days=days)
            governance.measure_indicator(
                pilot,
                helped,
                Decimal(people_count),
                measured_on,
                "Feuilles d'émargement",
            )
            governance.measure_indicator(
                pilot, equipped, Decimal(computers), measured_on, "Bons de livraison"
            )
        on(190)
        governance.change_partner_role(coordinator, cid, voisins, PartnerRole.PARTNER)
        governance.change_phase(coordinator, cid, Phase.IMPLEMENTATION, on(200))
        extension = table(
            205,
            copil,
            "Extension aux communes voisines",
            "Ouvrir les permanences à trois communes hors du périmètre.",
        )
        vote(extension, "voisins", voisins, "for", "Forte demande des habitants")
        vote(extension, "lead", lead, "against", "Budget insuffisant cette année")
        vote(extension, "lab", lab, "against")
        vote(extension, "numeria", numeria, "against")
        close_due(213, extension)
        open_data = table(
            215,
            cotech,
            "Publication des données en open data",
            "Publier les données anonymisées de fréquentation.",
        )
        vote(open_data, "lab", lab, "for")
        vote(open_data, "lead", lead, "for")
        close_due(223, open_data)
        on(230)
        governance.change_partner_axis(
            coordinator, cid, donnee, "Protection des données et ouverture"
        )
        on(232)
        # Readiness answers: the project keeps names of the people it helps.
        governance.declare_personal_data(coordinator, cid, True, donnee)
        governance.describe_beneficiary_involvement(
            coordinator,
            cid,
            "Un panel de douze habitants teste chaque nouvel atelier ; le collectif "
            "Les Voisins Connectés siège au COPIL.",
        )

        def deliver(
            days: int,
            commitment_id: UUID,
            amount: str,
            description: str,
            evidence_name: str = "",
            actor: Actor = coordinator,
        ) -> None:
            delivered_on = on(days)
            evidence = None
            if evidence_name:
                evidence = stores.evidence.save(
                    BytesIO(_demo_pdf(f"{description} ({delivered_on})")), evidence_name
                )
            governance.deliver(
                actor,
                commitment_id,
                delivered_on=delivered_on,
                amount=Decimal(amount),
                description=description,
                evidence=evidence,
            )

        deliver(
            240,
            lead_money,
            "40000",
            "Première tranche versée",
            "virement-tranche-1.pdf",
        )
        on(245)
        governance.amend_commitment(
            member,
            fabrique_time,
            amount=Decimal("100"),
            starts_on=start + timedelta(days=37),
            ends_on=start + timedelta(days=500),
            reason="Extension des permanences au samedi",
        )
        deliver(
            250,
            fabrique_rooms,
            "8000",
            "Salles mises à disposition (6 mois)",
            "attestation-salles.pdf",
            actor=member,
        )
        deliver(260, lead_time, "25", "Temps du chef de projet, 1er semestre")
        deliver(
            270, numeria_kit, "18000", "90 ordinateurs livrés", "bon-de-livraison.pdf"
        )
        deliver(
            280,
            fabrique_time,
            "50",
            "Permanences de médiation, 1er semestre",
            actor=member,
        )
        on(284)
        governance.draft_report(
            pilot,
            second_report,
            "Deuxième quadrimestre : montée en charge des permanences.",
            (),
            (helped, equipped),
        )
        governance.submit_report(pilot, second_report)
        on(287)
        governance.request_report_changes(
            financer,
            second_report,
            "Merci d'ajouter les chiffres de fréquentation par commune.",
        )
        deliver(290, lab_time, "12", "Protocole d'évaluation")
        deliver(
            300,
            lead_money,
            "30000",
            "Deuxième tranche versée",
            "virement-tranche-2.pdf",
        )
        deliver(310, numeria_money, "12000", "Achat d'écrans et de claviers")
        deliver(320, lab_data, "5000", "Baromètre publié en open data")
        on(330)
        governance.record_decision(
            coordinator,
            cid,
            copil,
            title="Validation du rapport intermédiaire",
            text="Le COPIL valide le rapport intermédiaire transmis au financeur.",
            outcome=Outcome.ADOPTED,
            decided_on=clock.at.date(),
            present=(lead, fabrique, lab, numeria),
            minutes=stores.evidence.save(
                BytesIO(_demo_pdf("Compte rendu du COPIL")), "compte-rendu-copil.pdf"
            ),
        )
        _capitalise(governance, cid, on, start, member, pilot, coordinator)
        party = table(
            358,
            copil,
            "Budget de l'événement de clôture",
            "Proposition : 2 500 € pris sur l'enveloppe communication.",
            close_in=10,
        )
        vote(party, "lead", lead, "for")
        vote(party, "numeria", numeria, "for")

    finally:
        governance.clock = saved_clock
    stores.read_side.catch_up()
    return cid
