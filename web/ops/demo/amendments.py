"""Chapter 7 (days 360 to 364): the first amendment of the financing plan.

The interim report the steering committee validated (day 330) shows more donated
computers than planned: Numeria needs less test equipment and more collection of
the donations. The coordinator proposes a reallocation (same total, staff and
indirect costs unchanged) following that decision; the financer approves it, and the
plan files its third version; the next day the coordinator files the amendment's
signed copy, signed for the lead partner. Told after every earlier chapter: their
events are unchanged, in the same order and at the same times.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from uuid import UUID

from governance.convention.values import DocumentKind
from governance.financing.changes import AmendmentKind
from governance.financing.values import CostCategory, Expense
from governance.voting import Outcome
from projections.budget import draft_of
from projections.decisions.queries import LogFilter, decision_log
from projections.ledger import commitments_of
from web.ops.demo.budget import KIT
from web.ops.demo.pdf import demo_pdf
from web.ops.demo.story import Story

REASON = (
    "Le rapport intermédiaire validé par le COPIL compte plus d'ordinateurs donnés "
    "que prévu : Numeria réaffecte 5 000 € de son banc de test à la collecte des "
    "dons, à coût total inchangé."
)


def tell(story: Story) -> None:
    """Drafted and proposed on day 360, approved by the financer on day 363."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    numeria = story.partners["numeria"]
    story.on(360)
    read_side = story.stores.read_side
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        validated, _ = decision_log(
            connection,
            str(cid),
            LogFilter(outcome=Outcome.ADOPTED, text="rapport intermédiaire"),
        )
        bench = next(
            e.line_id
            for e in draft_of(connection, str(cid)).expenses
            if e.label == "Banc de test et outillage"
        )
    amendment = UUID(
        g.draft_amendment(
            coordinator,
            cid,
            AmendmentKind.BUDGET_REALLOCATION,
            REASON,
            UUID(validated[0].proposal_id),
        ).id
    )
    g.withdraw_in_amendment(coordinator, cid, amendment, bench)
    for category, label, euros in (
        (CostCategory.EQUIPMENT, "Banc de test et outillage", "15000"),
        (
            CostCategory.EXTERNAL_SERVICES,
            "Collecte des ordinateurs donnés (transporteur)",
            "5000",
        ),
    ):
        g.add_amendment_expense(
            coordinator,
            cid,
            amendment,
            Expense(numeria, category, label, Decimal(euros), work_package=KIT),
        )
    g.propose_amendment(coordinator, cid, amendment)
    story.on(363)
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        ids = [UUID(c.commitment_id) for c in commitments_of(connection, str(cid))]
    g.approve_amendment(
        story.actor("financer"),
        cid,
        amendment,
        "Réaffectation conforme à la convention : le coût total est inchangé.",
        ids,
    )
    story.on(364)
    signed = g.file_document(
        coordinator,
        cid,
        DocumentKind.AMENDMENT,
        "Avenant n° 1 signé",
        story.stores.evidence.save(
            BytesIO(demo_pdf("Avenant n 1 - signe")), "avenant-1-signe.pdf"
        ),
        amendment_id=amendment,
    ).id
    g.record_signature(
        coordinator,
        cid,
        UUID(signed),
        story.partners["lead"],
        "Mme la présidente de la communauté de communes",
        story.clock.at.date(),
    )
