"""Chapter 2 (days 36 to 44): every partner's pledges, the financing plan filed with
the application, and the other partners' representatives invited."""

from __future__ import annotations

import secrets

from governance.actor import Actor
from governance.values import ContributionKind, Funding, MemberRole
from web.ops.demo import budget
from web.ops.demo.story import Story


def tell(story: Story) -> None:
    """Pledges in every kind, then the call's rules and the plan, then the
    representatives."""
    p = story.partners
    pledge = story.pledge
    member = story.actor("member")
    story.reps["member"] = member
    story.commitments.update(
        lead_money=pledge(
            36,
            p["lead"],
            ContributionKind.FINANCIAL,
            "120000",
            "Pilotage et coordination",
        ),
        lead_time=pledge(
            36, p["lead"], ContributionKind.HUMAN, "60", "Chef de projet", rate="400"
        ),
        fabrique_time=pledge(
            37,
            p["fabrique"],
            ContributionKind.HUMAN,
            "90",
            "Permanences de médiation",
            rate="300",
            funding=Funding.REQUESTED,
            actor=member,
        ),
        fabrique_rooms=pledge(
            37,
            p["fabrique"],
            ContributionKind.LOGISTICAL,
            "8000",
            "Salles et accueil du public",
            actor=member,
        ),
        lab_time=pledge(
            38, p["lab"], ContributionKind.HUMAN, "40", "Évaluation", rate="500"
        ),
        lab_data=pledge(
            38,
            p["lab"],
            ContributionKind.DATA_SET,
            "5000",
            "Baromètre de l'accès aux droits",
            licence="Licence Ouverte 2.0",
        ),
        numeria_kit=pledge(
            39,
            p["numeria"],
            ContributionKind.TECHNICAL,
            "30000",
            "150 ordinateurs reconditionnés",
        ),
        numeria_money=pledge(
            39, p["numeria"], ContributionKind.FINANCIAL, "10000", "Équipement"
        ),
    )
    pledge(
        40,
        p["donnee"],
        ContributionKind.IN_KIND,
        "6000",
        "Analyse d'impact RGPD",
        method="12 jours de conseil valorisés à 500 € (tarif public)",
    )
    pledge(
        41, p["imprim"], ContributionKind.LOGISTICAL, "3000", "Impression des flyers"
    )
    # The call's rules and the financing plan, drawn up on the last day of
    # pledges; the plan is filed with the application once the steering committee
    # adopted it (``selection``).
    budget.plan(story)

    # The other partners' representatives (fictional; their passwords are random).
    for key, name, partner_id in (
        ("lead", "Élodie Roux", p["lead"]),
        ("lab", "Marc Lefebvre", p["lab"]),
        ("numeria", "Sofia Benali", p["numeria"]),
        ("voisins", "Paul Girard", p["voisins"]),
    ):
        story.on(44)
        account = story.stores.accounts.create_account(
            f"{key}.rep@demo.example",
            name,
            secrets.token_urlsafe(24),
            now=story.clock.at,
        )
        story.people[key] = account
        story.invite(key, MemberRole.MEMBER, partner_id, 44)
        story.reps[key] = Actor(account.account_id)
