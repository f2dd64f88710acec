"""Chapter 1 (days 0 to 38): the people, the consortium and its call, seven
partners admitted, the first member invited, the letters of commitment."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from governance.actor import Actor
from governance.values import (
    AuthorityLevel,
    CallForProjects,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
)
from web.identity.accounts import Account
from web.ops.demo.story import DEMO_LOGINS, Story, at
from web.stores import Stores


def found(stores: Stores, start: date) -> tuple[dict[str, Account], UUID]:
    """The demo logins' accounts, and the consortium its coordinator founds."""
    governance = stores.governance
    people = {
        login.role.split(" ")[0]: stores.accounts.create_account(
            login.email, login.name, login.password, now=at(start)
        )
        for login in DEMO_LOGINS
    }
    coordinator = Actor(people["coordinator"].account_id)
    call = CallForProjects(
        name="Territoires intelligents et durables",
        funder="Banque publique des Territoires Solidaires (fictive)",
        reference="TID-2026-V2",
        opens_on=start - timedelta(days=30),
        # The application misses the first wave (the plan is not adopted yet) and
        # is filed for the second, before the selection committee: "V2".
        closing_dates=(start + timedelta(days=45), start + timedelta(days=90)),
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
    return people, UUID(consortium.id)


def partners(story: Story) -> None:
    """Seven partners admitted, the first member invited, four letters signed."""
    admit = story.admit
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
    story.partners.update(
        lead=lead,
        fabrique=fabrique,
        lab=lab,
        numeria=numeria,
        voisins=voisins,
        donnee=donnee,
        imprim=imprim,
    )

    story.invite("member", MemberRole.MEMBER, fabrique, 25)
    for partner_id, days, paper in (
        (lead, 30, Paper.LETTER_OF_COMMITMENT),
        (fabrique, 32, Paper.LETTER_OF_COMMITMENT),
        (lab, 35, Paper.LETTER_OF_COMMITMENT),
        (numeria, 38, Paper.LETTER_OF_COMMITMENT),
    ):
        signed = story.on(days)
        story.governance.record_paper(
            story.coordinator, story.consortium_id, partner_id, paper, signed
        )
