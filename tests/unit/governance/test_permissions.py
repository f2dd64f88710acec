"""The role matrix: who may do what in a consortium."""

from __future__ import annotations

import pytest

from governance.errors import NotFound, NotPermitted
from governance.permissions import (
    MATRIX,
    Action,
    allowed,
    check,
    check_acts_for_partner,
    may_act_for_partner,
    may_declare_for,
)
from governance.values import MemberRole

READ_ONLY = {Action.VIEW, Action.EXPORT}
FINANCER_MAY = READ_ONLY | {
    Action.REVIEW_REPORT,
    Action.COUNTERSIGN,
    Action.REVIEW_DELIVERABLE,
    Action.DECIDE_AMENDMENT,
    Action.REVIEW_EXPENSES,
    Action.MANAGE_GRANT,
    Action.RECORD_PAYMENT,
}
OWN = "p-own"
OTHER = "p-other"


def test_the_matrix_covers_every_action() -> None:
    assert set(MATRIX) == set(Action)


def test_every_action_is_allowed_to_someone() -> None:
    assert all(MATRIX[action] for action in Action)


def test_a_coordinator_may_do_everything_but_vote_review_and_countersign() -> None:
    assert {a for a in Action if allowed(MemberRole.COORDINATOR, a)} == set(Action) - {
        Action.VOTE,
        Action.REVIEW_REPORT,
        Action.COUNTERSIGN,
        Action.REVIEW_DELIVERABLE,
        Action.DECIDE_AMENDMENT,
        Action.REVIEW_EXPENSES,
        Action.MANAGE_GRANT,
        Action.RECORD_PAYMENT,
    }


def test_only_members_vote() -> None:
    assert {r for r in MemberRole if allowed(r, Action.VOTE)} == {MemberRole.MEMBER}


def test_a_financer_may_view_export_review_reports_and_countersign() -> None:
    assert {a for a in Action if allowed(MemberRole.FINANCER, a)} == FINANCER_MAY


def test_only_financers_countersign_checkpoints() -> None:
    assert {r for r in MemberRole if allowed(r, Action.COUNTERSIGN)} == {
        MemberRole.FINANCER
    }


def test_the_pilot_team_keeps_the_calendar_writes_reports_and_capitalises() -> None:
    assert {a for a in Action if allowed(MemberRole.PILOT_TEAM, a)} == READ_ONLY | {
        Action.MANAGE_CALENDAR,
        Action.REPORT,
        Action.CAPITALISE,
    }


@pytest.mark.parametrize(
    "action", [Action.MANAGE_CALENDAR, Action.REPORT], ids=lambda a: a.value
)
def test_only_coordinators_and_the_pilot_team_keep_the_calendar_and_write_reports(
    action: Action,
) -> None:
    assert {r for r in MemberRole if allowed(r, action)} == {
        MemberRole.COORDINATOR,
        MemberRole.PILOT_TEAM,
    }


def test_only_financers_review_reports() -> None:
    assert {r for r in MemberRole if allowed(r, Action.REVIEW_REPORT)} == {
        MemberRole.FINANCER
    }


def test_a_member_pledges_tables_votes_capitalises_hands_in_and_declares() -> None:
    assert {a for a in Action if allowed(MemberRole.MEMBER, a)} == READ_ONLY | {
        Action.PLEDGE,
        Action.TABLE,
        Action.VOTE,
        Action.CAPITALISE,
        Action.SUBMIT_DELIVERABLE,
        Action.DECLARE_EXPENSES,
    }


def test_everyone_but_financers_keeps_the_capitalisation_register() -> None:
    assert {r for r in MemberRole if allowed(r, Action.CAPITALISE)} == {
        MemberRole.COORDINATOR,
        MemberRole.MEMBER,
        MemberRole.PILOT_TEAM,
    }


@pytest.mark.parametrize(
    "action",
    [Action.MANAGE_BODIES, Action.CLOSE_VOTE],
    ids=lambda a: a.value,
)
def test_only_coordinators_manage_bodies_and_close_votes(action: Action) -> None:
    assert {r for r in MemberRole if allowed(r, action)} == {MemberRole.COORDINATOR}


def test_checking_a_coordinator_for_a_vote_is_not_permitted() -> None:
    with pytest.raises(NotPermitted) as refused:
        check(
            MemberRole.COORDINATOR,
            Action.VOTE,
            actor_id="acc-coordinator",
            consortium_id="c-1",
        )

    assert (refused.value.action, refused.value.actor_id) == (
        "vote",
        "acc-coordinator",
    )


@pytest.mark.parametrize("action", list(Action))
def test_someone_outside_the_consortium_may_do_nothing(action: Action) -> None:
    assert not allowed(None, action)


@pytest.mark.parametrize("action", list(Action))
def test_checking_a_non_member_hides_the_consortium(action: Action) -> None:
    with pytest.raises(NotFound) as refused:
        check(None, action, actor_id="acc-stranger", consortium_id="c-1")

    assert (refused.value.kind, refused.value.identifier) == ("consortium", "c-1")


@pytest.mark.parametrize("action", sorted(set(Action) - FINANCER_MAY, key=str))
def test_checking_a_financer_for_a_change_is_not_permitted(action: Action) -> None:
    with pytest.raises(NotPermitted) as refused:
        check(MemberRole.FINANCER, action, actor_id="acc-funder", consortium_id="c-1")

    assert (refused.value.action, refused.value.actor_id) == (
        action.value,
        "acc-funder",
    )


@pytest.mark.parametrize("action", sorted(FINANCER_MAY, key=str))
def test_checking_a_financer_for_reading_or_reviewing_a_report_passes(
    action: Action,
) -> None:
    check(MemberRole.FINANCER, action, actor_id="acc-funder", consortium_id="c-1")


def test_checking_a_coordinator_for_reviewing_a_report_is_not_permitted() -> None:
    with pytest.raises(NotPermitted) as refused:
        check(
            MemberRole.COORDINATOR,
            Action.REVIEW_REPORT,
            actor_id="acc-coordinator",
            consortium_id="c-1",
        )

    assert (refused.value.action, refused.value.actor_id) == (
        "review_report",
        "acc-coordinator",
    )


@pytest.mark.parametrize(
    "action", [Action.MANAGE_CALENDAR, Action.REPORT], ids=lambda a: a.value
)
def test_checking_the_pilot_team_for_the_calendar_or_a_report_passes(
    action: Action,
) -> None:
    check(MemberRole.PILOT_TEAM, action, actor_id="acc-pilot", consortium_id="c-1")


# -- acting for a partner -------------------------------------------------------------


@pytest.mark.parametrize("own_partner", [None, OWN])
def test_a_coordinator_acts_for_any_partner(own_partner: str | None) -> None:
    assert may_act_for_partner(MemberRole.COORDINATOR, own_partner, OTHER)


def test_a_member_acts_for_the_partner_they_represent() -> None:
    assert may_act_for_partner(MemberRole.MEMBER, OWN, OWN)


@pytest.mark.parametrize("own_partner", [None, OTHER])
def test_a_member_does_not_act_for_another_partner(own_partner: str | None) -> None:
    assert not may_act_for_partner(MemberRole.MEMBER, own_partner, OWN)


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM, None], ids=str
)
def test_other_roles_and_strangers_act_for_no_partner(
    role: MemberRole | None,
) -> None:
    assert not may_act_for_partner(role, OWN, OWN)


def test_checking_a_member_for_their_own_partner_passes() -> None:
    check_acts_for_partner(
        MemberRole.MEMBER, OWN, OWN, actor_id="acc-member", consortium_id="c-1"
    )


@pytest.mark.parametrize(
    ("role", "own_partner"),
    [
        pytest.param(MemberRole.MEMBER, OTHER, id="member-of-another-partner"),
        pytest.param(MemberRole.FINANCER, OWN, id="financer"),
        pytest.param(MemberRole.PILOT_TEAM, OWN, id="pilot-team"),
    ],
)
def test_checking_anyone_else_for_a_partner_is_not_permitted(
    role: MemberRole, own_partner: str
) -> None:
    with pytest.raises(NotPermitted) as refused:
        check_acts_for_partner(
            role, own_partner, OWN, actor_id="acc-someone", consortium_id="c-1"
        )

    assert (refused.value.action, refused.value.actor_id) == ("pledge", "acc-someone")


def test_checking_a_stranger_for_a_partner_hides_the_consortium() -> None:
    with pytest.raises(NotFound) as refused:
        check_acts_for_partner(
            None, None, OWN, actor_id="acc-stranger", consortium_id="c-1"
        )

    assert (refused.value.kind, refused.value.identifier) == ("consortium", "c-1")


def test_only_coordinators_propose_amendments_and_only_financers_decide_them() -> None:
    assert {r for r in MemberRole if allowed(r, Action.PROPOSE_AMENDMENT)} == {
        MemberRole.COORDINATOR
    }
    assert {r for r in MemberRole if allowed(r, Action.DECIDE_AMENDMENT)} == {
        MemberRole.FINANCER
    }


def test_members_declare_expenses_for_their_own_partner_only() -> None:
    assert may_declare_for(MemberRole.MEMBER, OWN, OWN)
    assert not may_declare_for(MemberRole.MEMBER, OWN, OTHER)
    assert may_declare_for(MemberRole.COORDINATOR, None, OTHER)
    assert not may_declare_for(MemberRole.FINANCER, OWN, OWN)
    assert not may_declare_for(MemberRole.PILOT_TEAM, OWN, OWN)


def test_only_coordinators_submit_and_only_financers_review_expenses() -> None:
    assert {r for r in MemberRole if allowed(r, Action.SUBMIT_EXPENSES)} == {
        MemberRole.COORDINATOR
    }
    assert {r for r in MemberRole if allowed(r, Action.REVIEW_EXPENSES)} == {
        MemberRole.FINANCER
    }


def test_only_coordinators_explain_and_certify_the_financial_report() -> None:
    assert {r for r in MemberRole if allowed(r, Action.FINANCIAL_REPORT)} == {
        MemberRole.COORDINATOR
    }


def test_only_financers_set_up_the_grant_and_record_payments() -> None:
    for action in (Action.MANAGE_GRANT, Action.RECORD_PAYMENT):
        assert {r for r in MemberRole if allowed(r, action)} == {MemberRole.FINANCER}
