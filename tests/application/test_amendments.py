"""Amendments of the financing plan: the coordinator drafts and proposes, the financer
approves (a new version of the plan, nothing overwritten) or refuses with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.financing.amendment import Amendment
from governance.financing.changes import AmendmentKind, AmendmentStatus
from governance.financing.plan import FinancingPlan
from governance.financing.values import PlanVersionKind, plan_id
from governance.values import MEETING
from governance.voting import AGAINST, FOR
from tests.support.amendments import TRAVEL, Signed, reallocation, signed_plan
from tests.support.builders import a_motion, founded_consortium
from tests.support.financing import a_resource, an_expense


@pytest.fixture
def signed(app: Governance, coordinator: Actor, consortium_id: UUID) -> Signed:
    return signed_plan(app, coordinator, consortium_id)


def the_plan(app: Governance, consortium_id: UUID) -> FinancingPlan:
    plan: FinancingPlan = app.repository.get(plan_id(str(consortium_id)))
    return plan


def the_amendment(app: Governance, amendment_id: str) -> Amendment:
    amendment: Amendment = app.repository.get(UUID(amendment_id))
    return amendment


def test_an_approved_amendment_files_a_new_version_and_keeps_the_earlier_ones(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    amendment = reallocation(app, coordinator, signed)

    app.approve_amendment(
        signed.financer, signed.consortium_id, UUID(amendment), "Conforme.", []
    )

    plan = the_plan(app, signed.consortium_id)
    assert [v.kind for v in plan.versions] == [
        PlanVersionKind.APPLICATION,
        PlanVersionKind.CONVENTION,
        PlanVersionKind.AMENDMENT,
    ]
    convention, amended = plan.versions[1].content, plan.versions[2].content
    assert [e.amount for e in convention.expenses] == [TRAVEL]
    assert sorted(e.amount for e in amended.expenses) == [
        Decimal("400.00"),
        Decimal("600.00"),
    ]
    assert amended.resources == convention.resources
    assert plan.in_force() == amended
    assert sorted(plan.expenses) == sorted(e.line_id for e in amended.expenses)
    approved = the_amendment(app, amendment)
    assert (approved.status, approved.version_number) == (AmendmentStatus.APPROVED, 3)


def test_a_refused_amendment_leaves_the_plan_as_it_was(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    amendment = reallocation(app, coordinator, signed)

    app.refuse_amendment(
        signed.financer, signed.consortium_id, UUID(amendment), "Hors convention."
    )

    assert len(the_plan(app, signed.consortium_id).versions) == 2
    assert the_amendment(app, amendment).status is AmendmentStatus.REFUSED


def test_a_refusal_without_a_reason_is_refused_and_nothing_is_stored(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    amendment = reallocation(app, coordinator, signed)
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated, match=r"amendment\.refusal_reason_required"):
        app.refuse_amendment(
            signed.financer, signed.consortium_id, UUID(amendment), " "
        )

    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("who", ["coordinator", "lead"])
def test_only_the_financer_decides_an_amendment(
    app: Governance, coordinator: Actor, signed: Signed, who: str
) -> None:
    amendment = reallocation(app, coordinator, signed)
    actor = coordinator if who == "coordinator" else signed.lead
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.approve_amendment(actor, signed.consortium_id, UUID(amendment), "", [])
    with pytest.raises(NotPermitted):
        app.refuse_amendment(actor, signed.consortium_id, UUID(amendment), "Non.")

    assert app.recorder.max_notification_id() == before


def test_a_financer_may_not_draft_an_amendment(app: Governance, signed: Signed) -> None:
    with pytest.raises(NotPermitted):
        app.draft_amendment(
            signed.financer,
            signed.consortium_id,
            AmendmentKind.BUDGET_REALLOCATION,
            "Par le financeur.",
        )


def test_an_amendment_before_the_convention_is_refused(
    app: Governance, coordinator: Actor
) -> None:
    cid = founded_consortium(app, coordinator)

    with pytest.raises(RuleViolated, match=r"amendment\.plan_not_signed"):
        app.draft_amendment(
            coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Trop tôt."
        )


def test_an_amendment_cites_an_adopted_proposal_of_its_consortium(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    tabled = app.table_proposal(
        coordinator, cid, signed.body_id, a_motion(mode=MEETING)
    ).id
    app.cast_vote(signed.lead, UUID(tabled), signed.lead_id, FOR)
    app.cast_vote(signed.lab, UUID(tabled), signed.lab_id, FOR)
    app.close_proposal(coordinator, UUID(tabled))

    amendment = app.draft_amendment(
        coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Retard.", UUID(tabled)
    ).id

    assert the_amendment(app, amendment).proposal_id == tabled


def test_an_amendment_citing_a_rejected_or_foreign_proposal_is_refused(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    tabled = app.table_proposal(
        coordinator, cid, signed.body_id, a_motion(mode=MEETING)
    ).id
    app.cast_vote(signed.lead, UUID(tabled), signed.lead_id, AGAINST)
    app.cast_vote(signed.lab, UUID(tabled), signed.lab_id, AGAINST)
    app.close_proposal(coordinator, UUID(tabled))
    before = app.recorder.max_notification_id()

    for proposal_id, code in (
        (UUID(tabled), "amendment.proposal_not_adopted"),
        (uuid4(), "amendment.proposal_unknown"),
    ):
        with pytest.raises(RuleViolated) as refused:
            app.draft_amendment(
                coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Retard.", proposal_id
            )
        assert refused.value.code == code
        assert refused.value.field == "proposal_id"

    assert app.recorder.max_notification_id() == before


def test_a_period_extension_moves_the_end_of_the_eligible_period(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Retard du chantier."
        ).id
    )
    with pytest.raises(RuleViolated, match=r"amendment\.not_an_extension"):
        app.extend_amendment_period(coordinator, cid, amendment, date(2027, 6, 30))
    app.extend_amendment_period(coordinator, cid, amendment, date(2028, 6, 30))
    app.propose_amendment(coordinator, cid, amendment)

    app.approve_amendment(signed.financer, cid, amendment, "", [])

    rules_now = the_plan(app, cid).in_force().rules
    assert rules_now.eligible_until == date(2028, 6, 30)
    assert rules_now.eligible_from == date(2026, 1, 1)


def test_an_amendment_without_changes_cannot_be_proposed(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Rien."
        ).id
    )

    with pytest.raises(RuleViolated, match=r"amendment\.no_change"):
        app.propose_amendment(coordinator, cid, amendment)


def test_a_second_amendment_withdrawing_a_line_already_gone_is_stale(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    first = reallocation(app, coordinator, signed)
    second = reallocation(app, coordinator, signed)
    cid = signed.consortium_id
    app.approve_amendment(signed.financer, cid, UUID(first), "", [])
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated, match=r"amendment\.stale"):
        app.approve_amendment(signed.financer, cid, UUID(second), "", [])

    assert app.recorder.max_notification_id() == before
    assert len(the_plan(app, cid).versions) == 3


def test_a_proposed_amendment_no_longer_changes_and_is_decided_once(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(reallocation(app, coordinator, signed))

    with pytest.raises(RuleViolated, match=r"amendment\.not_a_draft"):
        app.add_amendment_expense(
            coordinator, cid, amendment, an_expense(partner_id=signed.lead_id)
        )
    app.refuse_amendment(signed.financer, cid, amendment, "Non.")
    with pytest.raises(RuleViolated, match=r"amendment\.not_proposed"):
        app.approve_amendment(signed.financer, cid, amendment, "", [])


def test_a_change_dropped_from_the_draft_is_no_longer_in_it(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PARTNER_LEAVING, "Départ du labo."
        ).id
    )
    app.withdraw_in_amendment(coordinator, cid, amendment, signed.resource_id)
    added = app.add_amendment_resource(
        coordinator, cid, amendment, a_resource(partner_id=signed.lab_id)
    ).id

    app.drop_amendment_change(coordinator, cid, amendment, added)
    app.drop_amendment_change(coordinator, cid, amendment, signed.resource_id)

    assert the_amendment(app, str(amendment)).changes.empty


def test_an_amendment_of_another_consortium_is_not_found(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    amendment = reallocation(app, coordinator, signed)
    other = founded_consortium(app, coordinator)

    with pytest.raises(NotFound):
        app.drop_amendment_change(coordinator, other, UUID(amendment), "x")


def test_a_partner_entering_brings_the_lines_of_a_partner_new_to_the_plan(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PARTNER_ENTERING, "Entrée."
        ).id
    )
    app.add_amendment_expense(
        coordinator, cid, amendment, an_expense(partner_id=signed.lead_id)
    )
    with pytest.raises(RuleViolated, match=r"amendment\.entering_needs_new_partner"):
        app.propose_amendment(coordinator, cid, amendment)

    app.add_amendment_expense(
        coordinator, cid, amendment, an_expense(partner_id=signed.lab_id)
    )
    app.propose_amendment(coordinator, cid, amendment)

    assert the_amendment(app, str(amendment)).status is AmendmentStatus.PROPOSED


def test_a_partner_leaving_takes_out_every_line_of_that_partner(
    app: Governance, coordinator: Actor, signed: Signed
) -> None:
    cid = signed.consortium_id
    amendment = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PARTNER_LEAVING, "Sortie."
        ).id
    )
    app.withdraw_in_amendment(coordinator, cid, amendment, signed.expense_id)
    with pytest.raises(RuleViolated, match=r"amendment\.leaving_needs_every_line"):
        app.propose_amendment(coordinator, cid, amendment)

    app.withdraw_in_amendment(coordinator, cid, amendment, signed.resource_id)
    app.propose_amendment(coordinator, cid, amendment)

    assert the_amendment(app, str(amendment)).status is AmendmentStatus.PROPOSED
