"""The financial report's read model: the figures from the plan and the accepted
lines (to the cent), the explanations (the latest by category), the certification,
the resources side; told in the history; rebuild-safe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.financing.grant_values import GrantTerms, PlannedTranche, TrancheKind
from governance.financing.report_values import FINAL
from governance.financing.values import CostCategory, ResourceSource
from governance.values import ContributionKind, Funding
from projections.financial_report_summary import (
    FinancialReportView,
    financial_report_of,
    financial_reports_of,
)
from projections.history import HistoryFilter, history_of
from projections.runtime import ReadSide
from tests.projections.test_rebuild import all_rows
from tests.support.builders import a_pledge, founded_consortium, record_delivery
from tests.support.financial_reports import (
    ACCEPTED,
    ReportWorld,
    explain_all,
    report_world,
)
from tests.support.funding import sign_convention


@pytest.fixture
def world(app: Governance, coordinator: Actor) -> ReportWorld:
    """The first period reviewed, its variances explained (staff twice), certified."""
    world = report_world(app, coordinator, founded_consortium(app, coordinator))
    app.explain_variance(
        coordinator, world.consortium_id, world.first, CostCategory.STAFF, "D'abord."
    )
    explain_all(app, coordinator, world)
    app.certify_financial_report(
        coordinator,
        world.consortium_id,
        world.first,
        signatory="Claire Fontaine",
        capacity="Présidente",
    )
    return world


def read(read_side: ReadSide, world: ReportWorld, scope: str) -> FinancialReportView:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        found = financial_report_of(connection, str(world.consortium_id), scope)
    assert found is not None
    return found


def test_a_periods_report_reads_the_accepted_lines_to_the_cent(
    world: ReportWorld, read_side: ReadSide
) -> None:
    view = read(read_side, world, world.first)

    assert view.figures.realised == view.accepted_total == ACCEPTED
    staff = next(v for v in view.figures.by_category if v.key == "staff")
    assert (staff.budget, staff.realised) == (Decimal("29753.43"), Decimal("23000"))
    assert staff.rate == Decimal("-22.70")
    assert [v.realised for v in view.figures.by_partner] == [
        Decimal("18550.00"),
        Decimal("5000"),
    ]
    assert not view.waiting
    assert len(view.accepted) == 3  # the taxi was refused


def test_the_latest_explanation_and_the_certification_come_back(
    world: ReportWorld, read_side: ReadSide
) -> None:
    view = read(read_side, world, world.first)

    assert view.explanations == {
        "staff": "Recrutement de la médiatrice décalé de deux mois.",
        "travel": "Moins de déplacements pendant l'hiver.",
    }
    assert view.unexplained == 0
    assert view.record is not None
    assert view.record.certification is not None
    certification = view.record.certification
    assert (certification.signatory, certification.capacity) == (
        "Claire Fontaine",
        "Présidente",
    )
    assert certification.realised == ACCEPTED


def test_the_final_report_covers_every_period_and_is_not_certified_yet(
    world: ReportWorld, read_side: ReadSide
) -> None:
    view = read(read_side, world, FINAL)

    assert view.final
    assert not view.certified
    assert view.figures.share == 1
    assert view.figures.budget == Decimal("62000.00")
    assert view.unexplained == 2
    assert {r.source for r in view.resources} == set(ResourceSource)


def test_the_list_has_the_period_with_statements_then_the_final_report(
    world: ReportWorld, read_side: ReadSide
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        listing = financial_reports_of(connection, str(world.consortium_id))
        unknown = financial_report_of(
            connection, str(world.consortium_id), str(UUID(int=1))
        )

    assert [(r.scope, r.accepted, r.certified) for r in listing] == [
        (world.first, ACCEPTED, True),
        (FINAL, ACCEPTED, False),
    ]
    assert unknown is None


def test_the_history_tells_the_explanations_and_the_certification(
    world: ReportWorld, read_side: ReadSide
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        page = history_of(
            connection,
            str(world.consortium_id),
            narrowed=HistoryFilter(area="financial_report"),
        )

    kinds = [e.kind for e in page.entries]
    assert sorted(kinds) == sorted(
        ["variance_explained"] * 3 + ["financial_report_certified"]
    )
    assert {e.about_id for e in page.entries} == {world.first}
    assert all(e.params["title"] == "Rapport financier" for e in page.entries)


def test_own_funds_and_in_kind_received_are_the_co_financing_delivered_in_the_period(
    app: Governance, coordinator: Actor, world: ReportWorld, read_side: ReadSide
) -> None:
    def pledged(partner: str, **overrides: Any) -> UUID:
        pledge = a_pledge(starts_on=date(2026, 1, 1), **overrides)
        return UUID(app.pledge(coordinator, world.consortium_id, partner, pledge).id)

    def deliver(commitment: UUID, on: date, amount: str) -> None:
        record_delivery(app, coordinator, commitment, on, amount)

    money = pledged(world.lead_id)
    staff = pledged(
        world.lab_id,
        kind=ContributionKind.HUMAN,
        amount=Decimal("20"),
        daily_rate=Decimal("450.33"),
    )
    unrated = pledged(world.lab_id, kind=ContributionKind.HUMAN, amount=Decimal("5"))
    asked = pledged(
        world.lead_id,
        kind=ContributionKind.TECHNICAL,
        amount=Decimal("3000"),
        funding=Funding.REQUESTED,
    )
    deliver(money, date(2026, 1, 1), "1000")  # the period's first day
    deliver(money, date(2026, 6, 30), "500.25")  # its last
    deliver(money, date(2026, 7, 1), "700")  # the next period's
    # 1.5 days at 450.33 € is 675.495 €: each delivery counts 675.50 €.
    deliver(staff, date(2026, 3, 1), "1.5")
    deliver(staff, date(2026, 3, 2), "1.5")
    deliver(unrated, date(2026, 3, 3), "2")  # no rate: not valued
    deliver(asked, date(2026, 3, 4), "3000")  # asked of the funder, not co-financing

    def received(scope: str) -> dict[ResourceSource, Decimal | None]:
        return {r.source: r.received for r in read(read_side, world, scope).resources}

    first, final = received(world.first), received(FINAL)
    assert first[ResourceSource.OWN_FUNDS] == Decimal("1500.25")
    assert first[ResourceSource.IN_KIND] == Decimal("1351.00")
    assert final[ResourceSource.OWN_FUNDS] == Decimal("2200.25")
    assert final[ResourceSource.IN_KIND] == Decimal("1351.00")
    assert received(str(world.periods[1]))[ResourceSource.OWN_FUNDS] == Decimal("700")


def test_catching_up_step_by_step_equals_a_rebuild(
    world: ReportWorld, read_side: ReadSide
) -> None:
    read(read_side, world, world.first)
    incremental = all_rows(read_side)

    read_side.rebuild(["financial_reports", "history"])

    assert all_rows(read_side) == incremental
    assert incremental["financial_report_explanations"]
    assert incremental["history_financial_reports"]


def test_the_funders_payments_of_the_period_are_the_grant_received(
    app: Governance, coordinator: Actor, world: ReportWorld, read_side: ReadSide
) -> None:
    cid = world.consortium_id
    sign_convention(app, coordinator, cid)
    grant = app.set_grant(
        world.financer,
        cid,
        GrantTerms(Decimal("50000.00"), Decimal("70")),
        [PlannedTranche(TrancheKind.ADVANCE, "Avance", Decimal("15000.00"))],
    )
    advance = app.repository.get(UUID(grant.id)).tranches[0].tranche_id
    app.record_payment(
        world.financer, cid, advance, Decimal("15000.00"), date(2026, 2, 1)
    )

    first = read(read_side, world, world.first)
    second = read(read_side, world, str(world.periods[1]))
    final = read(read_side, world, FINAL)

    def received(view: FinancialReportView) -> Decimal | None:
        return next(
            r.received for r in view.resources if r.source is ResourceSource.REQUESTED
        )

    assert received(first) == received(final) == Decimal("15000.00")
    assert received(second) == 0
    assert [p.amount for p in first.payments] == [Decimal("15000.00")]
