"""People in a consortium: invitations (accept, expire, cancel) and roles."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.values import MemberRole
from tests.support.builders import admitted_partner, an_invitation, person_in_role
from tests.support.fakes import FixedClock


def stored(app: Governance, consortium_id: UUID) -> Consortium:
    consortium: object = app.repository.get(consortium_id)
    assert isinstance(consortium, Consortium)
    return consortium


def test_issuing_an_invitation_returns_its_id_and_position(
    app: Governance, coordinator: Actor, consortium_id: UUID, clock: FixedClock
) -> None:
    expires_at = clock.now() + timedelta(days=7)

    created = app.issue_invitation(
        coordinator, consortium_id, MemberRole.FINANCER, None, expires_at
    )

    invitation = stored(app, consortium_id).invitations[created.id]
    assert (invitation.role, invitation.partner_id, invitation.expires_at) == (
        MemberRole.FINANCER,
        None,
        expires_at,
    )
    assert created.position == app.recorder.max_notification_id()


def test_accepting_an_invitation_gives_the_person_the_role_it_offered(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    partner = admitted_partner(app, coordinator, consortium_id)
    invitation = an_invitation(
        app, coordinator, consortium_id, MemberRole.MEMBER, partner
    )

    app.accept_invitation(Actor("acc-newcomer"), consortium_id, invitation)

    consortium = stored(app, consortium_id)
    assert consortium.role_of("acc-newcomer") is MemberRole.MEMBER
    assert consortium.partner_of("acc-newcomer") == partner
    assert invitation not in consortium.invitations


def test_an_invitation_can_be_accepted_until_just_before_it_expires(
    app: Governance, coordinator: Actor, consortium_id: UUID, clock: FixedClock
) -> None:
    invitation = an_invitation(
        app, coordinator, consortium_id, valid_for=timedelta(days=7)
    )
    clock.advance(timedelta(days=7) - timedelta(seconds=1))

    app.accept_invitation(Actor("acc-newcomer"), consortium_id, invitation)

    assert stored(app, consortium_id).role_of("acc-newcomer") is MemberRole.PILOT_TEAM


def test_an_expired_invitation_is_refused(
    app: Governance, coordinator: Actor, consortium_id: UUID, clock: FixedClock
) -> None:
    invitation = an_invitation(
        app, coordinator, consortium_id, valid_for=timedelta(days=7)
    )
    clock.advance(timedelta(days=7))
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.accept_invitation(Actor("acc-late"), consortium_id, invitation)

    assert refused.value.code == "invitation.expired"
    assert app.recorder.max_notification_id() == before
    assert stored(app, consortium_id).role_of("acc-late") is None


def test_a_cancelled_invitation_cannot_be_accepted(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    invitation = an_invitation(app, coordinator, consortium_id)
    app.cancel_invitation(coordinator, consortium_id, invitation)

    with pytest.raises(NotFound) as refused:
        app.accept_invitation(Actor("acc-newcomer"), consortium_id, invitation)

    assert (refused.value.kind, refused.value.identifier) == ("invitation", invitation)


def test_cancelling_an_unknown_invitation_is_not_found(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    with pytest.raises(NotFound) as refused:
        app.cancel_invitation(coordinator, consortium_id, "inv-unknown")

    assert refused.value.kind == "invitation"


def test_accepting_an_invitation_to_an_unknown_consortium_is_not_found(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    invitation = an_invitation(app, coordinator, consortium_id)

    with pytest.raises(NotFound) as refused:
        app.accept_invitation(Actor("acc-newcomer"), uuid4(), invitation)

    assert refused.value.kind == "consortium"


def test_the_last_coordinator_accepting_a_lesser_invitation_is_refused(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    invitation = an_invitation(app, coordinator, consortium_id, MemberRole.FINANCER)

    with pytest.raises(RuleViolated) as refused:
        app.accept_invitation(coordinator, consortium_id, invitation)

    assert refused.value.code == "membership.last_coordinator"
    assert stored(app, consortium_id).role_of(coordinator.account_id) is (
        MemberRole.COORDINATOR
    )


def test_the_coordinator_grants_and_revokes_roles(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    person_in_role(app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM)
    person_in_role(app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER)

    app.revoke_membership(coordinator, consortium_id, "acc-pilot")

    assert {
        account: membership.role
        for account, membership in stored(app, consortium_id).memberships.items()
    } == {
        coordinator.account_id: MemberRole.COORDINATOR,
        "acc-funder": MemberRole.FINANCER,
    }


def test_the_last_coordinator_cannot_leave(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.revoke_membership(coordinator, consortium_id, coordinator.account_id)

    assert refused.value.code == "membership.last_coordinator"


def test_revoking_someone_without_a_role_is_not_found(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    with pytest.raises(NotFound) as refused:
        app.revoke_membership(coordinator, consortium_id, "acc-stranger")

    assert (refused.value.kind, refused.value.identifier) == (
        "membership",
        "acc-stranger",
    )
