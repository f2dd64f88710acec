"""Chapter 7 (days 359 to 363): the partners' expense statements of the first two
reporting periods, told after the rest of the year (earlier events unchanged).

The first period's statements (the lead, the third place, the lab) are submitted
and accepted, one line refused for want of a supporting document; the second's
(the lead, the third place, the reconditioner) are submitted and await the
funder's review. Each partner's representative declares for their own partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from uuid import UUID

from governance.actor import Actor
from governance.financing.statement_values import (
    DeclaredExpense,
    RefusalReason,
    statement_id,
)
from governance.financing.values import CostCategory
from governance.values import ReportKind
from projections.reporting import ObligationRow, obligations_of
from web.ops.demo.budget import COORDINATION, EVALUATION, KIT, MEDIATION
from web.ops.demo.pdf import demo_pdf
from web.ops.demo.story import Story

STAFF, TRAVEL, EQUIPMENT = (
    CostCategory.STAFF,
    CostCategory.TRAVEL,
    CostCategory.EQUIPMENT,
)
OTHER = CostCategory.OTHER_DIRECT


@dataclass(frozen=True)
class Line:
    """One expense of the demo: whose, what, when (days before the period's end)."""

    partner: str
    category: CostCategory
    label: str
    days_before_end: int
    work_package: str
    cost: tuple[str, str]
    """(excluding VAT, including VAT), or (person-days, daily rate) for staff."""
    supplier: str = ""
    invoice: str = ""
    recoverable: bool = False
    document: str = ""


FIRST = (
    Line("lead", STAFF, "Cheffe de projet", 5, COORDINATION, ("40", "350")),
    Line(
        "lead",
        TRAVEL,
        "Déplacements sur le territoire",
        25,
        COORDINATION,
        ("1240.00", "1488.00"),
        "SNCF Voyageurs",
        "FAC-2025-0412",
        document="facture-sncf-0412.pdf",
    ),
    Line("fabrique", STAFF, "Médiateurs numériques", 5, MEDIATION, ("60", "250")),
    Line(
        "fabrique",
        OTHER,
        "Consommables des ateliers",
        40,
        MEDIATION,
        ("412.50", "495.00"),
        "Bureau Vallée Val-de-Loire",
        "BV-88231",
        document="facture-bureau-vallee-88231.pdf",
    ),
    # No ticket or receipt joined: the funder refuses it.
    Line(
        "fabrique",
        TRAVEL,
        "Covoiturage vers les permanences",
        30,
        MEDIATION,
        ("180.00", "180.00"),
        "Covoit'Val",
    ),
    Line("lab", STAFF, "Ingénieure d'études", 10, EVALUATION, ("15", "500")),
)
SECOND = (
    Line("lead", STAFF, "Cheffe de projet", 5, COORDINATION, ("45", "350")),
    Line("fabrique", STAFF, "Médiateurs numériques", 5, MEDIATION, ("70", "250")),
    Line(
        "numeria",
        EQUIPMENT,
        "Banc de test et outillage",
        50,
        KIT,
        ("8400.00", "10080.00"),
        "Outillage Pro Centre",
        "OPC-2025-117",
        recoverable=True,
        document="facture-outillage-117.pdf",
    ),
)
REFUSED = "Covoiturage vers les permanences"


def first_periods(story: Story) -> list[ObligationRow]:
    """The activity reports' first two periods (the statements go with them)."""
    story.stores.read_side.catch_up()
    with story.stores.read_side.engine.connect() as connection:
        found = [
            o
            for o in obligations_of(connection, str(story.consortium_id))
            if o.kind is ReportKind.ACTIVITY_REPORT and o.period_end is not None
        ]
    return sorted(found, key=lambda o: o.period_end or o.due_on)[:2]


def _declarer(story: Story, key: str) -> Actor:
    """The partner's representative (the third place's is the demo's member)."""
    return story.reps["member" if key == "fabrique" else key]


def _expense(story: Story, line: Line, period: ObligationRow) -> DeclaredExpense:
    assert period.period_end is not None  # noqa: S101 - the periods found have one
    first, second = (Decimal(x) for x in line.cost)
    document = None
    if line.document:
        document = story.stores.evidence.save(
            BytesIO(demo_pdf(f"{line.supplier} {line.invoice}")), line.document
        )
    staff = line.category is STAFF
    return DeclaredExpense(
        category=line.category,
        label=line.label,
        spent_on=period.period_end - timedelta(days=line.days_before_end),
        amount_excl=None if staff else first,
        amount_incl=None if staff else second,
        vat_recoverable=line.recoverable,
        supplier=line.supplier,
        invoice_number=line.invoice,
        work_package=line.work_package,
        person_days=first if staff else None,
        daily_rate=second if staff else None,
        document=document,
    )


def _declare(
    story: Story, lines: tuple[Line, ...], period: ObligationRow
) -> dict[str, str]:
    """Each line declared by its partner's representative; line ids by label."""
    ids = {}
    for line in lines:
        ids[line.label] = story.governance.declare_expense(
            _declarer(story, line.partner),
            story.consortium_id,
            UUID(period.obligation_id),
            story.partners[line.partner],
            _expense(story, line, period),
        ).id
    return ids


def tell(story: Story) -> None:
    """Two periods of statements: the first reviewed (a line refused), the second
    submitted."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    financer = story.actor("financer")
    first, second = first_periods(story)
    story.on(359)
    ids = _declare(story, FIRST, first)
    story.on(360)
    g.submit_statements(coordinator, cid, UUID(first.obligation_id))
    story.on(361)
    fabrique = statement_id(str(cid), first.obligation_id, story.partners["fabrique"])
    g.refuse_statement_line(
        financer,
        fabrique,
        ids[REFUSED],
        RefusalReason.UNSUPPORTED,
        "Aucun justificatif de déplacement joint.",
    )
    for key in ("lead", "fabrique", "lab"):
        g.accept_statement(
            financer,
            statement_id(str(cid), first.obligation_id, story.partners[key]),
            "Dépenses conformes au plan de financement.",
        )
    story.on(362)
    _declare(story, SECOND, second)
    story.on(363)
    g.submit_statements(coordinator, cid, UUID(second.obligation_id))
