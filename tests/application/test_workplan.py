"""The service's work-plan commands: who may do what, active partners only, the
responsible partner's members submit, the financer reviews; refusals store nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.values import MemberRole, PartnerRole
from governance.workplan.plan import WorkPlan
from governance.workplan.values import DeliverableStatus, workplan_id
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_evidence,
    person_in_role,
)


@dataclass(frozen=True)
class Setting:
    consortium_id: UUID
    lead_id: str
    lab_id: str
    package_id: str
    deliverable_id: str


@pytest.fixture
def setting(app: Governance, coordinator: Actor, consortium_id: UUID) -> Setting:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Laboratoire fictif")
    )
    package = app.define_work_package(
        coordinator,
        consortium_id,
        code="WP1",
        title="Diagnostic",
        lead_id=lead,
        participants=[lab],
    ).id
    deliverable = app.plan_deliverable(
        coordinator,
        consortium_id,
        package_id=package,
        title="Rapport de diagnostic",
        due_on=date(2026, 9, 30),
        responsible_id=lab,
    ).id
    return Setting(consortium_id, lead, lab, package, deliverable)


def the_plan(app: Governance, consortium_id: UUID) -> WorkPlan:
    plan: WorkPlan = app.repository.get(workplan_id(str(consortium_id)))
    return plan


def test_the_first_package_opens_the_consortium_s_work_plan(
    app: Governance, setting: Setting
) -> None:
    plan = the_plan(app, setting.consortium_id)

    assert plan.consortium_id == str(setting.consortium_id)
    assert plan.packages[setting.package_id].participants == (setting.lab_id,)
    assert plan.deliverables[setting.deliverable_id].responsible_id == setting.lab_id


def test_a_package_led_by_a_withdrawn_partner_is_refused_and_nothing_is_stored(
    app: Governance, coordinator: Actor, setting: Setting
) -> None:
    app.withdraw_partner(
        coordinator, setting.consortium_id, setting.lab_id, date(2026, 2, 1), "Départ"
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.define_work_package(
            coordinator,
            setting.consortium_id,
            code="WP2",
            title="Animation",
            lead_id=setting.lab_id,
        )

    assert (refused.value.code, refused.value.field) == (
        "workplan.partner_not_active",
        "lead_id",
    )
    assert app.recorder.max_notification_id() == before


def test_a_member_submits_for_their_own_partner_only(
    app: Governance, coordinator: Actor, setting: Setting
) -> None:
    of_lab = person_in_role(
        app, coordinator, setting.consortium_id, "acc-lab", MemberRole.MEMBER,
        setting.lab_id,
    )  # fmt: skip
    of_lead = person_in_role(
        app, coordinator, setting.consortium_id, "acc-lead", MemberRole.MEMBER,
        setting.lead_id,
    )  # fmt: skip
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.submit_deliverable(
            of_lead, setting.consortium_id, setting.deliverable_id, an_evidence()
        )
    assert app.recorder.max_notification_id() == before
    app.submit_deliverable(
        of_lab, setting.consortium_id, setting.deliverable_id, an_evidence()
    )

    deliverable = the_plan(app, setting.consortium_id).deliverables[
        setting.deliverable_id
    ]
    assert deliverable.status is DeliverableStatus.SUBMITTED


def test_only_the_financer_reviews_a_deliverable(
    app: Governance, coordinator: Actor, setting: Setting
) -> None:
    financer = person_in_role(
        app, coordinator, setting.consortium_id, "acc-fin", MemberRole.FINANCER
    )
    app.submit_deliverable(
        coordinator, setting.consortium_id, setting.deliverable_id, an_evidence()
    )

    with pytest.raises(NotPermitted):
        app.accept_deliverable(
            coordinator, setting.consortium_id, setting.deliverable_id, ""
        )
    with pytest.raises(NotPermitted):
        app.define_work_package(
            financer,
            setting.consortium_id,
            code="WP9",
            title="x",
            lead_id=setting.lead_id,
        )
    app.request_deliverable_changes(
        financer, setting.consortium_id, setting.deliverable_id, "Ajoutez l'annexe."
    )

    status = (
        the_plan(app, setting.consortium_id).deliverables[setting.deliverable_id].status
    )
    assert status is DeliverableStatus.CHANGES_REQUESTED


def test_an_outsider_learns_nothing_of_the_work_plan(
    app: Governance, setting: Setting
) -> None:
    with pytest.raises(NotFound):
        app.plan_milestone(
            Actor("acc-stranger"),
            setting.consortium_id,
            package_id=setting.package_id,
            title="x",
            planned_on=date(2026, 5, 1),
        )


def test_a_milestone_reached_on_a_day_after_the_service_s_today_is_refused(
    app: Governance, coordinator: Actor, setting: Setting
) -> None:
    milestone = app.plan_milestone(
        coordinator,
        setting.consortium_id,
        package_id=setting.package_id,
        title="Lancement",
        planned_on=date(2026, 3, 1),
    ).id
    today = app.clock.now().date()

    with pytest.raises(RuleViolated) as refused:
        app.reach_milestone(
            coordinator,
            setting.consortium_id,
            milestone,
            reached_on=date(today.year + 1, 1, 1),
            note="Tenu",
        )
    app.reach_milestone(
        coordinator, setting.consortium_id, milestone, reached_on=today, note="Tenu"
    )

    assert refused.value.code == "milestone.reached_in_future"
    reached = the_plan(app, setting.consortium_id).milestones[milestone].reached_on
    assert reached == today
