"""The WorkPlan aggregate: packages with unique codes, deliverables reviewed like
reports, milestones reached once with evidence. A refused command records nothing."""

from __future__ import annotations

from datetime import date

import pytest

from governance.errors import RuleViolated
from governance.workplan.plan import WorkPlan
from governance.workplan.values import DeliverableStatus, workplan_id
from tests.support.builders import an_evidence

pytestmark = pytest.mark.usefixtures("acting")

TODAY = date(2026, 6, 1)


def with_a_package() -> WorkPlan:
    plan = WorkPlan.open("c-1")
    plan.define_package("wp-1", " WP1 ", "Coordination", "lead", ("lab", "lead", "lab"))
    plan.collect_events()
    return plan


def with_a_deliverable() -> WorkPlan:
    plan = with_a_package()
    plan.plan_deliverable("d-1", "wp-1", "Étude", date(2026, 9, 30), "lab")
    plan.collect_events()
    return plan


def test_one_work_plan_per_consortium() -> None:
    assert WorkPlan.open("c-1").id == workplan_id("c-1")
    assert workplan_id("c-1") != workplan_id("c-2")


def test_a_package_keeps_its_code_trimmed_and_participants_once_but_the_lead() -> None:
    package = with_a_package().packages["wp-1"]

    assert package.code == "WP1"
    assert package.participants == ("lab",)


@pytest.mark.parametrize(
    ("code", "title", "rule", "field"),
    [
        ("wp1", "Autre", "workplan.code_taken", "code"),
        ("", "Autre", "workplan.code_required", "code"),
        ("W" * 41, "Autre", "workplan.code_too_long", "code"),
        ("WP2", "  ", "workplan.title_required", "title"),
    ],
)
def test_a_package_with_a_bad_code_or_title_is_refused_naming_its_input(
    code: str, title: str, rule: str, field: str
) -> None:
    plan = with_a_package()

    with pytest.raises(RuleViolated) as refused:
        plan.define_package("wp-2", code, title, "lead", ())

    assert (refused.value.code, refused.value.field) == (rule, field)
    assert plan.collect_events() == []


def test_changing_a_package_to_what_it_is_records_nothing() -> None:
    plan = with_a_package()

    plan.change_package("wp-1", "WP1", "Coordination", "lead", ("lab",))

    assert plan.collect_events() == []


def test_a_withdrawn_package_frees_its_code_and_takes_nothing_new() -> None:
    plan = with_a_package()
    plan.withdraw_package("wp-1")
    plan.define_package("wp-2", "WP1", "Coordination bis", "lead", ())

    with pytest.raises(RuleViolated) as refused:
        plan.plan_deliverable("d-1", "wp-1", "Étude", date(2026, 9, 30), "lab")

    assert refused.value.code == "workplan.package_unknown"


def test_a_package_with_a_deliverable_cannot_be_withdrawn() -> None:
    plan = with_a_deliverable()

    with pytest.raises(RuleViolated) as refused:
        plan.withdraw_package("wp-1")

    assert refused.value.code == "workplan.package_in_use"


def test_a_deliverable_is_submitted_sent_back_resubmitted_and_accepted() -> None:
    plan = with_a_deliverable()
    first, second = an_evidence(), an_evidence(sha256="a" * 64, filename="v2.pdf")

    plan.submit_deliverable("d-1", first, "v1")
    plan.request_deliverable_changes("d-1", " Ajoutez l'enquête. ")
    plan.submit_deliverable("d-1", second, "v2")
    plan.accept_deliverable("d-1", "")

    deliverable = plan.deliverables["d-1"]
    assert deliverable.status is DeliverableStatus.ACCEPTED
    assert deliverable.file == second
    kinds = [type(e).__name__ for e in plan.collect_events()]
    assert kinds == [
        "DeliverableSubmitted",
        "DeliverableChangesRequested",
        "DeliverableSubmitted",
        "DeliverableAccepted",
    ]


def test_changes_are_requested_only_with_a_reason_and_only_on_a_submission() -> None:
    plan = with_a_deliverable()
    with pytest.raises(RuleViolated) as not_submitted:
        plan.accept_deliverable("d-1", "")
    plan.submit_deliverable("d-1", an_evidence(), "")
    plan.collect_events()

    with pytest.raises(RuleViolated) as no_reason:
        plan.request_deliverable_changes("d-1", "  ")

    assert not_submitted.value.code == "deliverable.not_submitted"
    assert (no_reason.value.code, no_reason.value.field) == (
        "deliverable.reason_required",
        "comment",
    )
    assert plan.collect_events() == []


def test_a_deliverable_awaiting_review_cannot_be_submitted_again() -> None:
    plan = with_a_deliverable()
    plan.submit_deliverable("d-1", an_evidence(), "")

    with pytest.raises(RuleViolated) as refused:
        plan.submit_deliverable("d-1", an_evidence(), "")

    assert refused.value.code == "deliverable.not_open"


def test_a_milestone_is_reached_once_with_a_note_or_a_file_never_in_the_future() -> (
    None
):
    plan = with_a_package()
    plan.plan_milestone("m-1", "wp-1", "Lancement", date(2026, 5, 1))
    plan.collect_events()
    refusals = []
    for arguments in (
        (date(2026, 6, 2), "Tenu", ()),
        (date(2026, 5, 2), " ", ()),
    ):
        with pytest.raises(RuleViolated) as refused:
            plan.reach_milestone("m-1", *arguments, today=TODAY)
        refusals.append(refused.value.code)

    plan.reach_milestone("m-1", date(2026, 5, 2), "", (an_evidence(),), today=TODAY)
    with pytest.raises(RuleViolated) as twice:
        plan.reach_milestone("m-1", date(2026, 5, 3), "Encore", (), today=TODAY)

    assert refusals == ["milestone.reached_in_future", "milestone.evidence_required"]
    assert twice.value.code == "milestone.already_reached"
    assert plan.milestones["m-1"].reached_on == date(2026, 5, 2)
