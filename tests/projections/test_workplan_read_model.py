"""The work plan's read model: packages in order, deliverables and milestones by
date with their status and files, a person's deliverables across consortia, the
history told in words; rebuild-safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole, PartnerRole
from governance.workplan.values import DeliverableStatus
from projections.history import history_of
from projections.runtime import ReadSide
from projections.workplan_queries import (
    WorkPlanView,
    deliverable,
    deliverables_of_account,
    steps_of_deliverable,
    workplan_file,
    workplan_of,
)
from tests.projections.test_rebuild import all_rows
from tests.support.builders import (
    COORDINATOR_ID,
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_evidence,
    founded_consortium,
    person_in_role,
)

FIRST = an_evidence(sha256="1" * 64, filename="diagnostic-v1.pdf")
SECOND = an_evidence(sha256="2" * 64, filename="diagnostic-v2.pdf")
PHOTO = an_evidence(sha256="3" * 64, filename="lancement.jpg", media_type="image/jpeg")


@dataclass(frozen=True)
class Lived:
    consortium_id: UUID
    lead: str
    lab: str
    wp1: str
    wp2: str
    sent_back: str
    accepted: str
    milestone: str


@pytest.fixture
def lived(app: Governance, coordinator: Actor) -> Lived:
    """Two packages (a third withdrawn); a deliverable sent back and handed in
    again, one accepted; a milestone reached with a photo."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(app, coordinator, cid, a_partner_identity("Labo fictif"))

    def package(code: str, title: str) -> str:
        return app.define_work_package(
            coordinator, cid, code=code, title=title, lead_id=lead, participants=[lab]
        ).id

    wp1, wp2, wp3 = (
        package("WP1", "Diagnostic"),
        package("WP2", "Ateliers"),
        package("WP3", "Brouillon"),
    )
    app.withdraw_work_package(coordinator, cid, wp3)
    app.change_work_package(
        coordinator, cid, wp2, code="WP2", title="Ateliers numériques", lead_id=lab
    )

    def due(title: str, on: date, package_id: str) -> str:
        return app.plan_deliverable(
            coordinator,
            cid,
            package_id=package_id,
            title=title,
            due_on=on,
            responsible_id=lab,
        ).id

    accepted = due("Programme des ateliers", date(2026, 5, 31), wp2)
    sent_back = due("Rapport de diagnostic", date(2026, 4, 30), wp1)
    financer = Actor("acc-financer")
    person_in_role(app, coordinator, cid, financer.account_id, MemberRole.FINANCER)
    app.submit_deliverable(coordinator, cid, sent_back, FIRST, "v1")
    app.request_deliverable_changes(financer, cid, sent_back, "Ajoutez l'enquête.")
    app.submit_deliverable(coordinator, cid, sent_back, SECOND, "v2")
    app.submit_deliverable(coordinator, cid, accepted, FIRST)
    app.accept_deliverable(financer, cid, accepted, "Merci")
    milestone = app.plan_milestone(
        coordinator, cid, package_id=wp1, title="Lancement", planned_on=date(2026, 2, 1)
    ).id
    app.reach_milestone(
        coordinator,
        cid,
        milestone,
        reached_on=date(2026, 2, 3),
        note="Salle comble",
        evidence=(PHOTO,),
    )
    return Lived(cid, lead, lab, wp1, wp2, sent_back, accepted, milestone)


def read(read_side: ReadSide, lived: Lived) -> WorkPlanView:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return workplan_of(connection, str(lived.consortium_id))


def test_packages_come_in_order_without_the_withdrawn_one_as_last_changed(
    lived: Lived, read_side: ReadSide
) -> None:
    plan = read(read_side, lived)

    assert [(p.code, p.title, p.lead_id) for p in plan.packages] == [
        ("WP1", "Diagnostic", lived.lead),
        ("WP2", "Ateliers numériques", lived.lab),
    ]


def test_deliverables_come_by_date_with_their_status_and_last_file(
    lived: Lived, read_side: ReadSide
) -> None:
    plan = read(read_side, lived)

    assert [(d.title, d.status, d.file) for d in plan.deliverables] == [
        ("Rapport de diagnostic", DeliverableStatus.SUBMITTED, SECOND),
        ("Programme des ateliers", DeliverableStatus.ACCEPTED, FIRST),
    ]
    assert [d.title for d in plan.deliverables_of(lived.wp2)] == [
        "Programme des ateliers"
    ]
    late = plan.deliverables[0]
    assert not late.late_on(date(2026, 12, 1))  # handed in: not late


def test_a_deliverable_keeps_each_step_with_its_file_and_reason(
    lived: Lived, read_side: ReadSide
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        steps = steps_of_deliverable(connection, lived.sent_back)
        row = deliverable(connection, str(lived.consortium_id), lived.sent_back)
        elsewhere = deliverable(connection, "another-consortium", lived.sent_back)

    assert [(s.kind, s.comment, s.file) for s in steps] == [
        ("planned", "", None),
        ("submitted", "v1", FIRST),
        ("changes_requested", "Ajoutez l'enquête.", None),
        ("submitted", "v2", SECOND),
    ]
    assert row is not None
    assert row.submitted_at is not None
    assert elsewhere is None


def test_every_file_of_the_work_plan_is_found_in_its_consortium_only(
    lived: Lived, read_side: ReadSide
) -> None:
    read_side.catch_up()
    cid = str(lived.consortium_id)
    with read_side.engine.connect() as connection:
        found = [
            workplan_file(connection, cid, e.sha256) for e in (FIRST, SECOND, PHOTO)
        ]
        stranger = workplan_file(connection, "another", FIRST.sha256)

    assert found == [FIRST, SECOND, PHOTO]
    assert stranger is None


def test_a_milestone_reached_keeps_its_day_note_and_evidence(
    lived: Lived, read_side: ReadSide
) -> None:
    (milestone,) = read(read_side, lived).milestones

    assert (milestone.reached_on, milestone.note, milestone.evidence) == (
        date(2026, 2, 3),
        "Salle comble",
        (PHOTO,),
    )
    assert not milestone.late_on(date(2026, 12, 1))


def test_a_member_sees_the_deliverables_of_their_consortia(
    lived: Lived, read_side: ReadSide
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        mine = deliverables_of_account(connection, COORDINATOR_ID)
        strangers = deliverables_of_account(connection, "acc-nobody")

    assert [d.title for d in mine] == [
        "Rapport de diagnostic",
        "Programme des ateliers",
    ]
    assert strangers == []


def test_the_history_tells_the_work_plan_in_words_with_what_each_is_about(
    lived: Lived, read_side: ReadSide
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        page = history_of(connection, str(lived.consortium_id), limit=200)

    entries = [e for e in page.entries if e.area == "workplan"]
    kinds = [e.kind for e in reversed(entries)]
    assert kinds[:5] == [
        "work_package_defined",
        "work_package_defined",
        "work_package_defined",
        "work_package_withdrawn",
        "work_package_changed",
    ]
    assert "milestone_reached" in kinds
    withdrawn = next(e for e in entries if e.kind == "work_package_withdrawn")
    assert withdrawn.params["code"] == "WP3"
    assert withdrawn.params["title"] == "Brouillon"
    changes = next(e for e in entries if e.kind == "deliverable_changes_requested")
    assert changes.about_kind == "deliverable"
    assert changes.about_id == lived.sent_back
    assert changes.params["title"] == "Rapport de diagnostic"
    assert changes.params["comment"] == "Ajoutez l'enquête."


def test_catching_up_step_by_step_equals_a_rebuild(
    lived: Lived, read_side: ReadSide
) -> None:
    read_side.catch_up()
    incremental = all_rows(read_side)

    read_side.rebuild(["workplan", "history"])

    assert all_rows(read_side) == incremental
    assert incremental["workplan_deliverable_steps"]
