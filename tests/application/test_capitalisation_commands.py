"""The service's capitalisation commands and readiness settings."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.capitalisation import CapitalisationRecord
from governance.errors import NotFound, RuleViolated
from governance.values import MemberRole
from tests.support.builders import (
    a_lesson,
    a_replication,
    admitted_partner,
    an_asset,
    founded_consortium,
    person_in_role,
)


def test_a_member_records_a_lesson_and_the_pilot_team_amends_it(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    partner = admitted_partner(app, coordinator, consortium_id)
    member = person_in_role(
        app, coordinator, consortium_id, "acc-member", MemberRole.MEMBER, partner
    )
    pilot = person_in_role(
        app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )

    created = app.record_capitalisation(member, consortium_id, a_lesson())
    position = app.amend_capitalisation(
        pilot, UUID(created.id), a_lesson(for_whom="Médiathèques"), "Public précisé"
    )

    record = app.repository.get(UUID(created.id))
    assert isinstance(record, CapitalisationRecord)
    assert record.entry == a_lesson(for_whom="Médiathèques")
    assert position > created.position
    events = list(app.events.get(UUID(created.id)))
    assert [e.actor_id for e in events] == ["acc-member", "acc-pilot"]


def test_a_withdrawn_entry_stays_in_the_store(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    created = app.record_capitalisation(coordinator, consortium_id, a_replication())

    app.withdraw_capitalisation(coordinator, UUID(created.id), "Doublon")

    record = app.repository.get(UUID(created.id))
    assert record.withdrawn
    with pytest.raises(RuleViolated):
        app.withdraw_capitalisation(coordinator, UUID(created.id), "Encore")


def test_an_unknown_entry_or_another_aggregate_is_not_found(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    with pytest.raises(NotFound):
        app.withdraw_capitalisation(coordinator, uuid4(), "Doublon")
    with pytest.raises(NotFound):
        app.withdraw_capitalisation(coordinator, consortium_id, "Doublon")


def test_the_coordinator_of_another_consortium_cannot_touch_an_entry(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    created = app.record_capitalisation(coordinator, consortium_id, an_asset())
    other = Actor("acc-other")
    founded_consortium(app, other)

    with pytest.raises(NotFound):
        app.amend_capitalisation(
            other, UUID(created.id), an_asset(licence="MIT"), "Licence"
        )


def test_coordinators_answer_the_readiness_questions(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    partner = admitted_partner(app, coordinator, consortium_id)

    app.declare_personal_data(coordinator, consortium_id, True, partner)
    app.describe_beneficiary_involvement(
        coordinator, consortium_id, "Un panel d'usagers"
    )

    consortium = app.repository.get(consortium_id)
    assert (
        consortium.handles_personal_data,
        consortium.data_protection_partner_id,
        consortium.beneficiary_involvement,
    ) == (True, partner, "Un panel d'usagers")
