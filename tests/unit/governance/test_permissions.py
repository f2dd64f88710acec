"""The role matrix: who may do what in a consortium."""

from __future__ import annotations

import pytest

from governance.errors import NotFound, NotPermitted
from governance.permissions import MATRIX, Action, allowed, check
from governance.values import MemberRole

READ_ONLY = {Action.VIEW, Action.EXPORT}


def test_the_matrix_covers_every_action() -> None:
    assert set(MATRIX) == set(Action)


def test_every_action_is_allowed_to_someone() -> None:
    assert all(MATRIX[action] for action in Action)


def test_a_coordinator_may_do_everything() -> None:
    assert {a for a in Action if allowed(MemberRole.COORDINATOR, a)} == set(Action)


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.MEMBER, MemberRole.PILOT_TEAM]
)
def test_other_roles_may_only_view_and_export(role: MemberRole) -> None:
    assert {a for a in Action if allowed(role, a)} == READ_ONLY


@pytest.mark.parametrize("action", list(Action))
def test_someone_outside_the_consortium_may_do_nothing(action: Action) -> None:
    assert not allowed(None, action)


@pytest.mark.parametrize("action", list(Action))
def test_checking_a_non_member_hides_the_consortium(action: Action) -> None:
    with pytest.raises(NotFound) as refused:
        check(None, action, actor_id="acc-stranger", consortium_id="c-1")

    assert (refused.value.kind, refused.value.identifier) == ("consortium", "c-1")


@pytest.mark.parametrize("action", sorted(set(Action) - READ_ONLY, key=str))
def test_checking_a_financer_for_a_change_is_not_permitted(action: Action) -> None:
    with pytest.raises(NotPermitted) as refused:
        check(MemberRole.FINANCER, action, actor_id="acc-funder", consortium_id="c-1")

    assert (refused.value.action, refused.value.actor_id) == (
        action.value,
        "acc-funder",
    )


@pytest.mark.parametrize("action", sorted(READ_ONLY, key=str))
def test_checking_a_financer_for_reading_passes(action: Action) -> None:
    check(MemberRole.FINANCER, action, actor_id="acc-funder", consortium_id="c-1")
