"""The service's financial-report commands: the coordinator explains variances and
certifies with the figures read from the event store; everyone else is refused,
and a refusal stores nothing."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.financing.report import FinancialReport
from governance.financing.report_values import FINAL, financial_report_id
from governance.financing.values import CostCategory
from tests.support.financial_reports import (
    ACCEPTED,
    ReportWorld,
    explain_all,
    report_world,
)


@pytest.fixture
def world(app: Governance, coordinator: Actor, consortium_id: UUID) -> ReportWorld:
    return report_world(app, coordinator, consortium_id)


def report(app: Governance, world: ReportWorld, scope: str) -> FinancialReport:
    found: FinancialReport = app.repository.get(
        financial_report_id(str(world.consortium_id), scope)
    )
    return found


def certify(app: Governance, actor: Actor, world: ReportWorld, scope: str) -> int:
    return app.certify_financial_report(
        actor,
        world.consortium_id,
        scope,
        signatory="Claire Fontaine",
        capacity="Présidente de la communauté de communes",
        periods=world.periods,
    )


def test_the_coordinator_certifies_a_period_once_its_variances_are_explained(
    app: Governance, coordinator: Actor, world: ReportWorld
) -> None:
    explain_all(app, coordinator, world)

    certify(app, coordinator, world, world.first)

    found = report(app, world, world.first)
    assert found.certified
    assert found.signatory == "Claire Fontaine"
    assert found.title == "Rapport financier"
    certified = [
        e
        for e in (
            app.mapper.to_domain_event(n)
            for n in app.recorder.select_notifications(start=1, limit=10_000)
        )
        if isinstance(e, FinancialReport.Certified)
    ]
    assert [(e.realised, e.budget) for e in certified] == [
        (ACCEPTED, Decimal("30745.21"))
    ]


def test_certifying_with_a_variance_unexplained_is_refused_and_nothing_stored(
    app: Governance, coordinator: Actor, world: ReportWorld
) -> None:
    app.explain_variance(
        coordinator, world.consortium_id, world.first, CostCategory.STAFF, "Décalé."
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        certify(app, coordinator, world, world.first)

    assert refused.value.code == "financial_report.variance_unexplained"
    assert refused.value.params == {"count": 1}
    assert app.recorder.max_notification_id() == before


def test_certifying_while_a_statement_awaits_the_funder_is_refused(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    world = report_world(app, coordinator, consortium_id, review=False)
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        certify(app, coordinator, world, world.first)

    assert refused.value.code == "financial_report.statements_waiting"
    assert app.recorder.max_notification_id() == before


def test_a_period_without_accepted_expenses_cannot_be_certified(
    app: Governance, coordinator: Actor, world: ReportWorld
) -> None:
    with pytest.raises(RuleViolated) as refused:
        certify(app, coordinator, world, str(world.periods[1]))

    assert refused.value.code == "financial_report.nothing_accepted"


@pytest.mark.parametrize("who", ["member", "financer", "pilot"])
def test_only_the_coordinator_explains_and_certifies(
    app: Governance, world: ReportWorld, who: str
) -> None:
    actor = getattr(world, who)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.explain_variance(
            actor, world.consortium_id, world.first, CostCategory.STAFF, "Décalé."
        )
    with pytest.raises(NotPermitted):
        certify(app, actor, world, world.first)

    assert app.recorder.max_notification_id() == before


def test_an_outsider_is_told_nothing_exists(
    app: Governance, world: ReportWorld
) -> None:
    with pytest.raises(NotFound):
        certify(app, Actor("acc-stranger"), world, world.first)


@pytest.mark.parametrize("scope", ["not-a-uuid", str(uuid4())])
def test_a_scope_that_is_not_one_of_the_consortiums_periods_is_not_found(
    app: Governance, coordinator: Actor, world: ReportWorld, scope: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound):
        app.explain_variance(
            coordinator, world.consortium_id, scope, CostCategory.STAFF, "Décalé."
        )

    assert app.recorder.max_notification_id() == before


def test_a_period_of_another_consortium_is_not_found(
    app: Governance, coordinator: Actor, world: ReportWorld, consortium_id: UUID
) -> None:
    from tests.support.builders import founded_consortium

    other = founded_consortium(app, coordinator)

    with pytest.raises(NotFound):
        app.explain_variance(
            coordinator, other, world.first, CostCategory.STAFF, "Décalé."
        )


def test_the_final_report_covers_every_period_named(
    app: Governance, coordinator: Actor, world: ReportWorld
) -> None:
    explain_all_final = [
        (CostCategory.STAFF, "Recrutement décalé."),
        (CostCategory.TRAVEL, "Moins de déplacements."),
    ]
    for category, words in explain_all_final:
        app.explain_variance(coordinator, world.consortium_id, FINAL, category, words)

    certify(app, coordinator, world, FINAL)

    assert report(app, world, FINAL).certified
    assert report(app, world, FINAL).title == ""


def test_a_certified_report_takes_no_more_explanation(
    app: Governance, coordinator: Actor, world: ReportWorld
) -> None:
    explain_all(app, coordinator, world)
    certify(app, coordinator, world, world.first)
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.explain_variance(
            coordinator, world.consortium_id, world.first, CostCategory.STAFF, "Autre"
        )

    assert refused.value.code == "financial_report.certified"
    assert app.recorder.max_notification_id() == before
