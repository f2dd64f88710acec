"""The service's consortium commands: founding, profile, phases and the lead rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.values import MemberRole, PartnerRole, Phase
from tests.support.builders import (
    T0,
    a_call,
    a_partner_identity,
    admitted_partner,
    an_authority,
    founded_consortium,
    person_in_role,
)
from tests.support.fakes import FixedClock

SUBMITTED_ON = date(2026, 4, 1)


def stored(app: Governance, consortium_id: UUID) -> Consortium:
    consortium: object = app.repository.get(consortium_id)
    assert isinstance(consortium, Consortium)
    return consortium


def test_founding_returns_the_new_id_and_the_position_of_its_last_event(
    app: Governance, coordinator: Actor
) -> None:
    created = app.found_consortium(
        coordinator,
        name="Inclusion numérique du Val",
        acronym="INV",
        summary="",
        territory="Val fictif",
        call=a_call(),
        founded_on=date(2026, 1, 5),
    )

    assert stored(app, UUID(created.id)).name == "Inclusion numérique du Val"
    assert created.position == app.recorder.max_notification_id() == 2


def test_the_founder_becomes_the_only_coordinator(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    consortium = stored(app, consortium_id)

    assert consortium.memberships.keys() == {coordinator.account_id}
    assert consortium.role_of(coordinator.account_id) is MemberRole.COORDINATOR


def test_a_financer_elsewhere_may_found_a_consortium_of_its_own(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    funder = person_in_role(
        app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER
    )

    own = founded_consortium(app, funder, name="Autre projet")

    assert stored(app, own).role_of("acc-funder") is MemberRole.COORDINATOR
    assert stored(app, consortium_id).role_of("acc-funder") is MemberRole.FINANCER


def test_every_event_is_stamped_with_the_acting_account_and_the_clock(
    app: Governance, coordinator: Actor, consortium_id: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=2))
    admitted_partner(app, coordinator, consortium_id)

    notifications = app.recorder.select_notifications(start=1, limit=100)
    events: list[Any] = [app.mapper.to_domain_event(n) for n in notifications]
    stamps = [(e.actor_id, e.timestamp) for e in events]

    assert stamps == [
        (coordinator.account_id, T0),
        (coordinator.account_id, T0),
        (coordinator.account_id, T0 + timedelta(hours=2)),
    ]


def test_the_coordinator_revises_the_profile(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    new_call = a_call(name="Appel régional numérique", closing_dates=())

    position = app.revise_profile(
        coordinator,
        consortium_id,
        name="Numérique pour tous",
        acronym="NPT",
        summary="Résumé",
        territory="Val fictif",
        call=new_call,
    )

    consortium = stored(app, consortium_id)
    assert (consortium.name, consortium.acronym, consortium.call) == (
        "Numérique pour tous",
        "NPT",
        new_call,
    )
    assert position == app.recorder.max_notification_id()


def test_commands_return_the_position_of_their_last_event(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )

    submitted = app.change_phase(
        coordinator, consortium_id, Phase.APPLICATION_SUBMITTED, SUBMITTED_ON
    )
    selected = app.change_phase(
        coordinator, consortium_id, Phase.SELECTED, SUBMITTED_ON
    )

    assert (submitted, selected) == (4, 5)
    assert selected == app.recorder.max_notification_id()


def test_a_command_on_an_unknown_consortium_is_not_found(
    app: Governance, coordinator: Actor
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        app.change_phase(
            coordinator, unknown, Phase.APPLICATION_SUBMITTED, SUBMITTED_ON
        )

    assert (refused.value.kind, refused.value.identifier) == ("consortium", unknown)


def test_leaving_setup_without_a_lead_partner_is_refused(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    admitted_partner(app, coordinator, consortium_id)
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.change_phase(
            coordinator, consortium_id, Phase.APPLICATION_SUBMITTED, SUBMITTED_ON
        )

    assert refused.value.code == "phase.needs_one_lead_partner"
    assert app.recorder.max_notification_id() == before
    assert stored(app, consortium_id).phase is Phase.SETUP


@pytest.fixture
def submitted(app: Governance, coordinator: Actor, consortium_id: UUID) -> str:
    """The application was submitted with a lead partner; returns the lead's id."""
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    app.change_phase(
        coordinator, consortium_id, Phase.APPLICATION_SUBMITTED, SUBMITTED_ON
    )
    return lead


def test_submitting_with_a_lead_partner_moves_the_phase(
    app: Governance, consortium_id: UUID, submitted: str
) -> None:
    consortium = stored(app, consortium_id)

    assert (consortium.phase, consortium.phase_since) == (
        Phase.APPLICATION_SUBMITTED,
        SUBMITTED_ON,
    )


def test_past_setup_the_lead_cannot_withdraw(
    app: Governance, coordinator: Actor, consortium_id: UUID, submitted: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.withdraw_partner(
            coordinator, consortium_id, submitted, date(2026, 5, 1), "Départ"
        )

    assert refused.value.code == "partner.lead_must_be_handed_over"


def test_past_setup_the_lead_cannot_step_down(
    app: Governance, coordinator: Actor, consortium_id: UUID, submitted: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.change_partner_role(
            coordinator, consortium_id, submitted, PartnerRole.PARTNER
        )

    assert refused.value.code == "partner.lead_must_be_handed_over"


def test_past_setup_a_second_lead_cannot_be_admitted(
    app: Governance, coordinator: Actor, consortium_id: UUID, submitted: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        admitted_partner(
            app, coordinator, consortium_id, a_partner_identity(), role=PartnerRole.LEAD
        )

    assert refused.value.code == "partner.lead_already_exists"


def test_handing_the_lead_over_keeps_exactly_one_lead_and_the_project_goes_on(
    app: Governance, coordinator: Actor, consortium_id: UUID, submitted: str
) -> None:
    successor = admitted_partner(app, coordinator, consortium_id)

    handover = app.change_partner_role(
        coordinator, consortium_id, successor, PartnerRole.LEAD
    )
    app.withdraw_partner(
        coordinator, consortium_id, submitted, date(2026, 5, 1), "Départ"
    )
    app.change_phase(coordinator, consortium_id, Phase.SELECTED, date(2026, 6, 1))

    consortium = stored(app, consortium_id)
    leads = [
        p.partner_id
        for p in consortium.partners.values()
        if p.active and p.role is PartnerRole.LEAD
    ]
    assert leads == [successor]
    assert consortium.phase is Phase.SELECTED
    # Two role changes (old lead demoted, new one promoted): the position is the last.
    assert handover == (app.recorder.max_notification_id() or 0) - 2
