"""Chapter 6 (days 332 to 358): the capitalisation register filled in, and the
closing event's budget put to the steering committee."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from governance.values import (
    AssetType,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
)
from web.ops.demo.story import Story


def tell(story: Story) -> None:
    """The register, then a proposal whose vote is still open at the end."""
    _capitalise(story)
    p = story.partners
    party = story.table(
        358,
        story.bodies["copil"],
        "Budget de l'événement de clôture",
        "Proposition : 2 500 € pris sur l'enveloppe communication.",
        close_in=10,
    )
    story.vote(party, "lead", p["lead"], "for")
    story.vote(party, "numeria", p["numeria"], "for")


def _capitalise(story: Story) -> None:
    """The capitalisation register: a few entries of each kind, one amended, one
    withdrawn (days 332 to 356 of the demo year)."""
    governance, cid, on, start = (
        story.governance,
        story.consortium_id,
        story.on,
        story.start,
    )
    member, pilot = story.actor("member"), story.actor("pilot")
    coordinator = story.coordinator
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
