"""Chapter 5 (days 240 to 330): contributions delivered (with their evidence), a
commitment amended, the first quarter's report sent back for changes then accepted,
and a decision recorded from a meeting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from governance.voting import Outcome
from web.ops.demo.pdf import demo_pdf
from web.ops.demo.story import Story


def tell(story: Story) -> None:
    """Deliveries through the second half of the year, and the first report."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    c, p, on, deliver = story.commitments, story.partners, story.on, story.deliver
    member = story.actor("member")
    pilot = story.actor("pilot")
    financer = story.actor("financer")
    first_report = story.reports["first"]
    deliver(
        240,
        c["lead_money"],
        "40000",
        "Autofinancement : dépenses de coordination payées (1er semestre)",
        "releve-depenses-coordination-1.pdf",
    )
    on(245)
    g.amend_commitment(
        member,
        c["fabrique_time"],
        amount=Decimal("100"),
        starts_on=story.start + timedelta(days=37),
        ends_on=story.start + timedelta(days=500),
        reason="Extension des permanences au samedi",
    )
    deliver(
        250,
        c["fabrique_rooms"],
        "8000",
        "Salles mises à disposition (6 mois)",
        "attestation-salles.pdf",
        actor=member,
    )
    deliver(260, c["lead_time"], "25", "Temps du chef de projet, 1er semestre")
    deliver(
        270, c["numeria_kit"], "18000", "90 ordinateurs livrés", "bon-de-livraison.pdf"
    )
    deliver(
        280,
        c["fabrique_time"],
        "50",
        "Permanences de médiation, 1er semestre",
        actor=member,
    )
    on(284)
    # The first quarter since the convention ended on day 272: its report.
    g.draft_report(
        pilot,
        first_report,
        "Premier trimestre : 14 permanences, 212 personnes accueillies.",
        (
            story.stores.evidence.save(
                BytesIO(demo_pdf("Rapport d'activite 1")), "rapport-activite-1.pdf"
            ),
        ),
        (story.indicators["helped"], story.indicators["equipped"]),
    )
    g.submit_report(pilot, first_report)
    on(287)
    g.request_report_changes(
        financer,
        first_report,
        "Merci d'ajouter les chiffres de fréquentation par commune.",
    )
    deliver(290, c["lab_time"], "12", "Protocole d'évaluation")
    on(292)
    g.draft_report(
        pilot,
        first_report,
        "Premier trimestre : 14 permanences, 212 personnes accueillies "
        "(Brume-le-Haut 96, Saint-Val 71, Les Essarts 45).",
        (),
        (story.indicators["helped"], story.indicators["equipped"]),
    )
    g.submit_report(pilot, first_report)
    on(296)
    g.accept_report(financer, first_report, "Merci, rapport complet.")
    deliver(
        300,
        c["lead_money"],
        "30000",
        "Autofinancement : dépenses de coordination payées (2e semestre)",
        "releve-depenses-coordination-2.pdf",
    )
    deliver(310, c["numeria_money"], "12000", "Achat d'écrans et de claviers")
    deliver(320, c["lab_data"], "5000", "Baromètre publié en open data")
    on(330)
    g.record_decision(
        coordinator,
        cid,
        story.bodies["copil"],
        title="Validation du rapport intermédiaire",
        text="Le COPIL valide le rapport intermédiaire transmis au financeur.",
        outcome=Outcome.ADOPTED,
        decided_on=story.clock.at.date(),
        present=(p["lead"], p["fabrique"], p["lab"], p["numeria"]),
        minutes=story.stores.evidence.save(
            BytesIO(demo_pdf("Compte rendu du COPIL")), "compte-rendu-copil.pdf"
        ),
    )
