"""Chapter 4 (days 182 to 232): the reporting calendar (quarters from the
convention), two indicators measured, implementation starts, two more votes, and the
readiness answers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from governance.values import PartnerRole, Phase, ReportKind
from projections.reporting import obligations_of
from web.ops.demo.story import Story

FUNDER = "Banque publique des Territoires Solidaires (fictive)"


def tell(story: Story) -> None:
    """Reports, indicators, implementation and two votes of the steering bodies."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    p, start, on = story.partners, story.start, story.on
    stores = story.stores
    pilot = story.actor("pilot")
    on(182)
    g.schedule_periodic_reports(
        pilot,
        cid,
        funder=FUNDER,
        title="Rapport d'activité",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=story.people["pilot"].account_id,
        # The periods start with the convention (signed on day 180), a quarter each.
        first_period_start=start + timedelta(days=180),
        every_months=3,
        due_days=30,
        count=3,
    )
    g.schedule_report(
        pilot,
        cid,
        funder=FUNDER,
        title="État financier final",
        kind=ReportKind.FINANCIAL_STATEMENT,
        responsible_id=None,
        due_on=start + timedelta(days=420),
    )
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        reports = obligations_of(connection, str(cid))
    # The first quarter's report is written once the quarter ended (``deliveries``).
    story.reports["first"] = UUID(reports[0].obligation_id)
    story.reports["second"] = UUID(reports[1].obligation_id)
    on(189)
    _indicators(story)
    on(190)
    g.change_partner_role(coordinator, cid, p["voisins"], PartnerRole.PARTNER)
    g.change_phase(coordinator, cid, Phase.IMPLEMENTATION, on(200))
    _votes(story)
    on(230)
    g.change_partner_axis(
        coordinator, cid, p["donnee"], "Protection des données et ouverture"
    )
    on(232)
    # Readiness answers: the project keeps names of the people it helps.
    g.declare_personal_data(coordinator, cid, True, p["donnee"])
    g.describe_beneficiary_involvement(
        coordinator,
        cid,
        "Un panel de douze habitants teste chaque nouvel atelier ; le collectif "
        "Les Voisins Connectés siège au COPIL.",
    )


def _indicators(story: Story) -> None:
    """Two indicators, each measured three times."""
    g, cid, start = story.governance, story.consortium_id, story.start
    pilot = story.actor("pilot")
    helped = UUID(
        g.define_indicator(
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
        g.define_indicator(
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
    story.indicators.update(helped=helped, equipped=equipped)
    for days, people_count, computers in (
        (120, 212, 0),
        (240, 560, 40),
        (330, 910, 90),
    ):
        measured_on = start + timedelta(days=days)
        g.measure_indicator(
            pilot,
            helped,
            Decimal(people_count),
            measured_on,
            "Feuilles d'émargement",
        )
        g.measure_indicator(
            pilot, equipped, Decimal(computers), measured_on, "Bons de livraison"
        )


def _votes(story: Story) -> None:
    """The extension is rejected by the steering committee; open data adopted."""
    p, bodies = story.partners, story.bodies
    table, vote = story.table, story.vote
    extension = table(
        205,
        bodies["copil"],
        "Extension aux communes voisines",
        "Ouvrir les permanences à trois communes hors du périmètre.",
    )
    vote(extension, "voisins", p["voisins"], "for", "Forte demande des habitants")
    vote(extension, "lead", p["lead"], "against", "Budget insuffisant cette année")
    vote(extension, "lab", p["lab"], "against")
    vote(extension, "numeria", p["numeria"], "against")
    story.close_due(213, extension)
    open_data = table(
        215,
        bodies["cotech"],
        "Publication des données en open data",
        "Publier les données anonymisées de fréquentation.",
    )
    vote(open_data, "lab", p["lab"], "for")
    vote(open_data, "lead", p["lead"], "for")
    story.close_due(223, open_data)
