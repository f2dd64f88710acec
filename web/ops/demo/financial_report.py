"""Chapter 9 (day 364, evening): the financial report of the first period.

The funder accepted the first period's statements (day 361, one line refused) and
the plan's amendment (day 363), and recorded its payments (day 364). The
coordinator draws up the period's compte rendu financier: each variance beyond the
threshold is explained (staff and travel ahead of the plan at the launch, equipment
and external services not yet bought, fewer consumables), then the report is
certified in the name of the lead partner's legal representative. Told after every
earlier chapter (their events unchanged, in the same order and at the same times);
the work plan is still told last.
"""

from __future__ import annotations

from datetime import timedelta

from governance.financing.values import CostCategory
from projections.financial_report_summary import financial_report_of
from web.ops.demo.expenses import first_periods
from web.ops.demo.story import Story

EXPLANATIONS = {
    CostCategory.STAFF: (
        "Le lancement a mobilisé la cheffe de projet à temps plein et les "
        "médiateurs dès le premier mois : le temps passé est en avance sur le "
        "prévisionnel, il sera lissé sur les périodes suivantes."
    ),
    CostCategory.TRAVEL: (
        "Tournée de lancement auprès des communes du territoire ; un "
        "covoiturage sans justificatif a été rejeté par le financeur."
    ),
    CostCategory.EQUIPMENT: (
        "Le banc de test est acheté en deuxième période, après l'avenant n° 1 "
        "qui en a réduit le montant."
    ),
    CostCategory.EXTERNAL_SERVICES: (
        "L'évaluation externe sera commandée après le premier rapport "
        "d'activité, comme prévu au calendrier."
    ),
    CostCategory.OTHER_DIRECT: (
        "Les ateliers de quartier démarrent en deuxième période : seuls les "
        "consommables des premiers ateliers ont été achetés."
    ),
}
SIGNATORY = "Catherine Vasseur"
CAPACITY = (
    "Présidente de la communauté de communes, représentante légale du chef de file"
)


def tell(story: Story) -> None:
    """Explain the first period's variances, then certify its financial report."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    first = first_periods(story)[0]
    story.clock.at = story.clock.at + timedelta(hours=5)
    story.stores.read_side.catch_up()
    with story.stores.read_side.engine.connect() as connection:
        report = financial_report_of(connection, str(cid), first.obligation_id)
    assert report is not None  # noqa: S101 - the period is the demo's own
    for category in report.figures.to_explain:
        g.explain_variance(
            coordinator, cid, first.obligation_id, category, EXPLANATIONS[category]
        )
    story.clock.at = story.clock.at + timedelta(minutes=20)
    g.certify_financial_report(
        coordinator,
        cid,
        first.obligation_id,
        signatory=SIGNATORY,
        capacity=CAPACITY,
    )
