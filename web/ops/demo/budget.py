"""The demo's financing plan: drawn up before the application, filed with it, then
filed again, adjusted, as the plan of the signed convention.

The call's rules are recorded first (typed once: they set the plan's funding
rules). Six partners plan their costs (staff as person-days × daily rate, a flat rate of
15 % of staff for indirect costs); the partners' co-financing commitments give the
own funds and the contributions in kind, valued; the grant requested is 70 % of the
costs (350,000 € of 500,000 €), under the call's 80 %. Called from the chapters
``pledges`` (the rules and the plan) and ``selection`` (the application's version,
once the steering committee adopted the plan; the change the funder asked for, the
convention's version), on days the story already has.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from governance.call.values import CallRules
from governance.financing.values import (
    CostCategory,
    Expense,
    FundingRules,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    Resource,
    ResourceSource,
)
from governance.values import PartnerKind
from projections.budget import draft_of
from projections.ledger import commitments_of
from web.ops.demo.story import Story

STAFF, TRAVEL, EQUIPMENT = (
    CostCategory.STAFF,
    CostCategory.TRAVEL,
    CostCategory.EQUIPMENT,
)
SERVICES, OTHER = CostCategory.EXTERNAL_SERVICES, CostCategory.OTHER_DIRECT

ELIGIBLE = tuple(
    k for k in PartnerKind if k not in (PartnerKind.FUNDER, PartnerKind.OTHER)
)
"""Who may apply to the demo's call: every kind of partner but funders."""

COORDINATION = "Lot 1 — Coordination"
MEDIATION = "Lot 2 — Médiation"
KIT = "Lot 3 — Équipement"
EVALUATION = "Lot 4 — Évaluation"

# partner, category, what for, amount or (person-days, daily rate), work package
EXPENSES: tuple[tuple[str, CostCategory, str, str | tuple[str, str], str], ...] = (
    ("lead", STAFF, "Cheffe de projet", ("400", "350"), COORDINATION),
    ("lead", TRAVEL, "Déplacements sur le territoire", "5000", COORDINATION),
    ("lead", SERVICES, "Communication et évaluation externe", "25000", EVALUATION),
    ("lead", OTHER, "Frais de réunion du COPIL", "3000", COORDINATION),
    ("fabrique", STAFF, "Médiateurs numériques", ("480", "250"), MEDIATION),
    ("fabrique", TRAVEL, "Permanences itinérantes", "3000", MEDIATION),
    ("fabrique", OTHER, "Petit matériel et consommables", "4900", MEDIATION),
    ("lab", STAFF, "Ingénieure d'études", ("120", "500"), EVALUATION),
    ("lab", TRAVEL, "Enquêtes de terrain", "2000", EVALUATION),
    ("numeria", STAFF, "Techniciens reconditionnement", ("100", "400"), KIT),
    ("numeria", EQUIPMENT, "Banc de test et outillage", "20000", KIT),
    ("voisins", OTHER, "Ateliers de quartier", "6000", MEDIATION),
    ("voisins", TRAVEL, "Covoiturage solidaire", "1000", MEDIATION),
    ("donnee", STAFF, "Déléguée à la protection des données", ("28", "500"), KIT),
)
# partner, grant requested; the lead also has the Region's support.
REQUESTED = (
    ("lead", "54000"),
    ("fabrique", "145900"),
    ("lab", "71000"),
    ("numeria", "56000"),
    ("voisins", "7000"),
    ("donnee", "16100"),
)


def _expense(story: Story, row: tuple[str, CostCategory, str, object, str]) -> str:
    key, category, label, cost, work_package = row
    amount, days, rate = (None, None, None)
    if isinstance(cost, tuple):
        days, rate = (Decimal(x) for x in cost)
    else:
        amount = Decimal(str(cost))
    return story.governance.plan_expense(
        story.coordinator,
        story.consortium_id,
        Expense(
            story.partners[key],
            category,
            label,
            amount,
            days,
            rate,
            work_package=work_package,
        ),
    ).id


def plan(story: Story) -> None:
    """The coordinator draws up the plan: the call's rules, costs, resources."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    opens = story.clock.at.date()
    # The call's rules, typed once: recording them sets the draft plan's funding
    # rules (the same FundingRulesSet as before, at the same moment).
    g.record_call_rules(
        coordinator,
        cid,
        CallRules(
            eligible_kinds=ELIGIBLE,
            lead_kinds=(
                PartnerKind.LOCAL_AUTHORITY,
                PartnerKind.PUBLIC_BODY,
                PartnerKind.SOCIAL_ECONOMY,
            ),
            budget_floor=Decimal(100_000),
            budget_ceiling=Decimal(600_000),
            max_duration_months=36,
            selection_committee_on=story.start + timedelta(days=110),
            contact_name="Mission Appels à projets, Banque publique des Territoires",
            contact_email="appels-tid@banque-territoires.demo.example",
            funding=FundingRules(
                max_funder_rate=Decimal(80),
                min_cofinancing=Decimal(20),
                eligible_from=opens,
                eligible_until=story.start + timedelta(days=3 * 365),
                indirect_rate=Decimal(15),
                indirect_base=IndirectBase.STAFF,
                equipment_cap=Decimal(30),
            ),
        ),
    )
    for row in EXPENSES:
        story.plan_lines[row[2]] = _expense(story, row)
    for key, amount in REQUESTED:
        g.plan_resource(
            coordinator,
            cid,
            Resource(
                story.partners[key],
                ResourceSource.REQUESTED,
                Decimal(amount),
                "Subvention sollicitée",
            ),
        )
    g.plan_resource(
        coordinator,
        cid,
        Resource(
            story.partners["lead"],
            ResourceSource.OTHER_PUBLIC,
            Decimal(20000),
            "Fonds régional pour l'inclusion numérique",
            PublicFunder.REGION,
        ),
    )


def file(story: Story, kind: PlanVersionKind) -> None:
    """File the plan as it stands, with every commitment of the ledger."""
    read_side = story.stores.read_side
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        ids = [
            c.commitment_id
            for c in commitments_of(connection, str(story.consortium_id))
        ]
        assert draft_of(connection, str(story.consortium_id)).expenses  # noqa: S101
    story.governance.file_plan_version(
        story.coordinator, story.consortium_id, kind, [UUID(i) for i in ids]
    )


def adjust(story: Story) -> None:
    """What the funder asked before signing: the third place's small equipment split
    into travel to its branches and consumables (same total)."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    g.withdraw_expense(
        coordinator, cid, story.plan_lines["Petit matériel et consommables"]
    )
    for row in (
        ("fabrique", TRAVEL, "Déplacements vers les antennes", "1900", MEDIATION),
        ("fabrique", OTHER, "Consommables des ateliers", "3000", MEDIATION),
    ):
        story.plan_lines[row[2]] = _expense(story, row)
