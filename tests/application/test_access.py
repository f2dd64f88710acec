"""Who may run which command: the role matrix enforced by the service.

Someone outside the consortium learns nothing (``NotFound``); a member whose role
does not allow the command is told so (``NotPermitted``). Refused commands record
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted
from governance.values import MemberRole, Paper, PartnerRole, Phase
from tests.support.builders import (
    T0,
    a_call,
    a_partner_identity,
    a_pledge,
    admitted_partner,
    an_authority,
    an_invitation,
    person_in_role,
)


@dataclass(frozen=True)
class World:
    """A consortium with a lead, a partner, a financer, and a pending invitation.

    Each partner has one commitment. A member represents the partner, never the lead.
    """

    consortium_id: UUID
    lead_id: str
    partner_id: str
    invitation_id: str
    lead_commitment_id: UUID
    partner_commitment_id: UUID


def commitment_commands(partner: Callable[[World], str]) -> dict[str, Command]:
    """The commitment commands, acting for ``partner`` or on its commitment."""

    def commitment_of(world: World) -> UUID:
        if partner(world) == world.lead_id:
            return world.lead_commitment_id
        return world.partner_commitment_id

    return {
        "pledge": lambda app, actor, w: app.pledge(
            actor, w.consortium_id, partner(w), a_pledge()
        ),
        "amend_commitment": lambda app, actor, w: app.amend_commitment(
            actor,
            commitment_of(w),
            amount=Decimal("20000"),
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 12, 31),
            reason="Budget revu",
        ),
        "withdraw_commitment": lambda app, actor, w: app.withdraw_commitment(
            actor, commitment_of(w), date(2026, 6, 1), "Départ"
        ),
        "deliver": lambda app, actor, w: app.deliver(
            actor,
            commitment_of(w),
            delivered_on=date(2026, 3, 2),
            amount=Decimal("5000"),
            description="Premier versement",
            evidence=None,
        ),
    }


Command = Callable[[Governance, Actor, World], object]

# Every command that needs a role in the consortium, with valid arguments.
COMMANDS: dict[str, Command] = {
    "revise_profile": lambda app, actor, w: app.revise_profile(
        actor,
        w.consortium_id,
        name="Autre nom",
        acronym="",
        summary="",
        territory="",
        call=a_call(),
    ),
    "change_phase": lambda app, actor, w: app.change_phase(
        actor, w.consortium_id, Phase.APPLICATION_SUBMITTED, date(2026, 4, 1)
    ),
    "admit_partner": lambda app, actor, w: app.admit_partner(
        actor,
        w.consortium_id,
        a_partner_identity("Nouvelle PME"),
        role=PartnerRole.PARTNER,
        axis="",
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=date(2026, 2, 1),
    ),
    "change_partner_role": lambda app, actor, w: app.change_partner_role(
        actor, w.consortium_id, w.partner_id, PartnerRole.ASSOCIATED
    ),
    "change_partner_axis": lambda app, actor, w: app.change_partner_axis(
        actor, w.consortium_id, w.partner_id, "Évaluation"
    ),
    "record_paper": lambda app, actor, w: app.record_paper(
        actor, w.consortium_id, w.partner_id, Paper.CONVENTION_SIGNED, date(2026, 2, 1)
    ),
    "withdraw_partner": lambda app, actor, w: app.withdraw_partner(
        actor, w.consortium_id, w.partner_id, date(2026, 2, 1), "Départ"
    ),
    "issue_invitation": lambda app, actor, w: app.issue_invitation(
        actor, w.consortium_id, MemberRole.PILOT_TEAM, None, T0 + timedelta(days=7)
    ),
    "cancel_invitation": lambda app, actor, w: app.cancel_invitation(
        actor, w.consortium_id, w.invitation_id
    ),
    "grant_membership": lambda app, actor, w: app.grant_membership(
        actor, w.consortium_id, "acc-newcomer", MemberRole.PILOT_TEAM, None
    ),
    "revoke_membership": lambda app, actor, w: app.revoke_membership(
        actor, w.consortium_id, "acc-funder"
    ),
    # For the lead, which no member in these tests represents.
    **commitment_commands(lambda w: w.lead_id),
}
# For the partner the member represents.
OWN_PARTNER_COMMANDS = commitment_commands(lambda w: w.partner_id)
ROLES_WITHOUT_CHANGES = [MemberRole.FINANCER, MemberRole.MEMBER, MemberRole.PILOT_TEAM]


@pytest.fixture
def world(app: Governance, coordinator: Actor, consortium_id: UUID) -> World:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    partner = admitted_partner(app, coordinator, consortium_id)
    person_in_role(app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER)
    invitation = an_invitation(app, coordinator, consortium_id, MemberRole.PILOT_TEAM)
    lead_commitment = app.pledge(coordinator, consortium_id, lead, a_pledge()).id
    partner_commitment = app.pledge(coordinator, consortium_id, partner, a_pledge()).id
    return World(
        consortium_id,
        lead,
        partner,
        invitation,
        UUID(lead_commitment),
        UUID(partner_commitment),
    )


def someone_in_role(
    app: Governance, coordinator: Actor, world: World, role: MemberRole
) -> Actor:
    """A person holding ``role``; a member represents the world's partner."""
    partner_id = world.partner_id if role is MemberRole.MEMBER else None
    return person_in_role(
        app, coordinator, world.consortium_id, f"acc-{role.value}", role, partner_id
    )


def test_every_command_needing_a_role_is_covered_here() -> None:
    public = {
        name
        for name, value in vars(Governance).items()
        if callable(value) and not name.startswith("_")
    }

    assert public - set(COMMANDS) == {
        "found_consortium",
        "accept_invitation",
        "register_transcodings",
    }


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_the_coordinator_may_run_every_command(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    before = app.recorder.max_notification_id() or 0

    command(app, coordinator, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("role", ROLES_WITHOUT_CHANGES, ids=lambda r: r.value)
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_other_roles_are_not_permitted_to_change_anything(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        command(app, actor, world)

    assert refused.value.actor_id == actor.account_id
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_someone_outside_the_consortium_gets_not_found(
    app: Governance, world: World, command: Command
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        command(app, Actor("acc-stranger"), world)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        world.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "command", OWN_PARTNER_COMMANDS.values(), ids=OWN_PARTNER_COMMANDS.keys()
)
def test_a_member_may_pledge_and_deliver_for_the_partner_they_represent(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id() or 0

    command(app, member, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
@pytest.mark.parametrize(
    "command", OWN_PARTNER_COMMANDS.values(), ids=OWN_PARTNER_COMMANDS.keys()
)
def test_financers_and_the_pilot_team_may_not_pledge_for_the_partner_either(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        command(app, actor, world)

    assert app.recorder.max_notification_id() == before


def test_a_platform_admin_outside_the_consortium_gets_not_found(
    app: Governance, world: World
) -> None:
    admin = Actor("acc-admin", is_platform_admin=True)

    with pytest.raises(NotFound):
        COMMANDS["revise_profile"](app, admin, world)


def test_a_revoked_person_is_a_stranger_again(
    app: Governance, coordinator: Actor, world: World
) -> None:
    pilot = person_in_role(
        app, coordinator, world.consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )
    app.revoke_membership(coordinator, world.consortium_id, pilot.account_id)

    with pytest.raises(NotFound):
        COMMANDS["change_partner_axis"](app, pilot, world)


def test_a_person_promoted_to_coordinator_may_manage_the_consortium(
    app: Governance, coordinator: Actor, world: World
) -> None:
    deputy = person_in_role(
        app, coordinator, world.consortium_id, "acc-deputy", MemberRole.COORDINATOR
    )

    COMMANDS["change_partner_axis"](app, deputy, world)

    assert app.repository.get(world.consortium_id).partners[world.partner_id].axis == (
        "Évaluation"
    )
