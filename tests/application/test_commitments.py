"""The service's commitment commands: who may pledge and deliver for which partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.commitment import Commitment
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.values import ContributionKind, MemberRole, PartnerRole
from tests.support.builders import (
    PLEDGE_ENDS_ON,
    PLEDGE_STARTS_ON,
    a_partner_identity,
    a_pledge,
    admitted_partner,
    an_authority,
    an_evidence,
    an_invitation,
    person_in_role,
)


@dataclass(frozen=True)
class Partners:
    """A consortium's lead and another partner."""

    consortium_id: UUID
    lead_id: str
    lab_id: str


@pytest.fixture
def partners(app: Governance, coordinator: Actor, consortium_id: UUID) -> Partners:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Laboratoire fictif")
    )
    return Partners(consortium_id, lead, lab)


@pytest.fixture
def lab_member(app: Governance, coordinator: Actor, partners: Partners) -> Actor:
    """A person who accepted an invitation to represent the lab."""
    invitation = an_invitation(
        app, coordinator, partners.consortium_id, MemberRole.MEMBER, partners.lab_id
    )
    member = Actor("acc-researcher")
    app.accept_invitation(member, partners.consortium_id, invitation)
    return member


def stored(app: Governance, commitment_id: str | UUID) -> Commitment:
    commitment: object = app.repository.get(UUID(str(commitment_id)))
    assert isinstance(commitment, Commitment)
    return commitment


def test_the_coordinator_pledges_for_any_partner(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    for partner_id in (partners.lead_id, partners.lab_id):
        created = app.pledge(
            coordinator, partners.consortium_id, partner_id, a_pledge()
        )

        commitment = stored(app, created.id)
        assert (commitment.consortium_id, commitment.partner_id) == (
            str(partners.consortium_id),
            partner_id,
        )
        assert created.position == app.recorder.max_notification_id()


def test_a_member_pledges_for_the_partner_they_represent(
    app: Governance, partners: Partners, lab_member: Actor
) -> None:
    created = app.pledge(
        lab_member,
        partners.consortium_id,
        partners.lab_id,
        a_pledge(kind=ContributionKind.HUMAN, amount=Decimal("40")),
    )

    commitment = stored(app, created.id)
    assert (commitment.partner_id, commitment.kind, commitment.amount) == (
        partners.lab_id,
        ContributionKind.HUMAN,
        Decimal("40"),
    )


def test_a_member_may_not_pledge_for_another_partner(
    app: Governance, partners: Partners, lab_member: Actor
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        app.pledge(lab_member, partners.consortium_id, partners.lead_id, a_pledge())

    assert (refused.value.action, refused.value.actor_id) == (
        "pledge",
        "acc-researcher",
    )
    assert app.recorder.max_notification_id() == before


def test_a_member_amends_delivers_and_withdraws_their_partners_commitment(
    app: Governance, partners: Partners, lab_member: Actor
) -> None:
    commitment_id = UUID(
        app.pledge(lab_member, partners.consortium_id, partners.lab_id, a_pledge()).id
    )

    app.amend_commitment(
        lab_member,
        commitment_id,
        amount=Decimal("18000"),
        starts_on=PLEDGE_STARTS_ON,
        ends_on=PLEDGE_ENDS_ON,
        reason="Budget revu",
    )
    app.deliver(
        lab_member,
        commitment_id,
        delivered_on=date(2026, 3, 2),
        amount=Decimal("6000"),
        description="Premier versement",
        evidence=an_evidence(),
    )
    app.withdraw_commitment(lab_member, commitment_id, date(2026, 5, 1), "Départ")

    commitment = stored(app, commitment_id)
    assert (commitment.amount, commitment.delivered, commitment.withdrawn_on) == (
        Decimal("18000"),
        Decimal("6000"),
        date(2026, 5, 1),
    )
    assert commitment.deliveries[0].evidence == an_evidence()


def test_a_member_may_not_touch_another_partners_commitment(
    app: Governance, coordinator: Actor, partners: Partners, lab_member: Actor
) -> None:
    lead_commitment = UUID(
        app.pledge(coordinator, partners.consortium_id, partners.lead_id, a_pledge()).id
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.deliver(
            lab_member,
            lead_commitment,
            delivered_on=date(2026, 3, 2),
            amount=Decimal("100"),
            description="Versement",
            evidence=None,
        )
    with pytest.raises(NotPermitted):
        app.withdraw_commitment(lab_member, lead_commitment, date(2026, 5, 1), "Non")

    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
def test_financers_and_the_pilot_team_may_not_pledge(
    app: Governance, coordinator: Actor, partners: Partners, role: MemberRole
) -> None:
    actor = person_in_role(
        app, coordinator, partners.consortium_id, f"acc-{role.value}", role
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.pledge(actor, partners.consortium_id, partners.lab_id, a_pledge())

    assert app.recorder.max_notification_id() == before


def test_someone_outside_the_consortium_gets_not_found(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    commitment_id = UUID(
        app.pledge(coordinator, partners.consortium_id, partners.lab_id, a_pledge()).id
    )
    stranger = Actor("acc-stranger")
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as pledging:
        app.pledge(stranger, partners.consortium_id, partners.lab_id, a_pledge())
    with pytest.raises(NotFound) as withdrawing:
        app.withdraw_commitment(stranger, commitment_id, date(2026, 5, 1), "Intrus")

    assert pledging.value.kind == withdrawing.value.kind == "consortium"
    assert app.recorder.max_notification_id() == before


def test_an_unknown_commitment_is_not_found(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        app.amend_commitment(
            coordinator,
            unknown,
            amount=Decimal("1"),
            starts_on=PLEDGE_STARTS_ON,
            ends_on=PLEDGE_ENDS_ON,
            reason="Essai",
        )

    assert (refused.value.kind, refused.value.identifier) == ("commitment", unknown)


def test_a_consortium_id_is_not_a_commitment(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    with pytest.raises(NotFound) as refused:
        app.withdraw_commitment(
            coordinator, partners.consortium_id, date(2026, 5, 1), "Erreur"
        )

    assert refused.value.kind == "commitment"


def test_pledging_in_an_unknown_consortium_is_not_found(
    app: Governance, coordinator: Actor
) -> None:
    with pytest.raises(NotFound) as refused:
        app.pledge(coordinator, uuid4(), "p-lab", a_pledge())

    assert refused.value.kind == "consortium"


def test_pledging_for_a_partner_who_withdrew_is_refused(
    app: Governance, coordinator: Actor, partners: Partners, lab_member: Actor
) -> None:
    app.withdraw_partner(
        coordinator, partners.consortium_id, partners.lab_id, date(2026, 5, 1), "Fin"
    )
    before = app.recorder.max_notification_id()

    for actor in (coordinator, lab_member):
        with pytest.raises(RuleViolated) as refused:
            app.pledge(actor, partners.consortium_id, partners.lab_id, a_pledge())
        assert refused.value.code == "commitment.partner_not_active"

    assert app.recorder.max_notification_id() == before


def test_pledging_for_an_unknown_partner_is_refused(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.pledge(coordinator, partners.consortium_id, "p-nobody", a_pledge())

    assert refused.value.code == "commitment.partner_not_active"


def test_an_invalid_pledge_records_nothing(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.pledge(
            coordinator,
            partners.consortium_id,
            partners.lab_id,
            a_pledge(amount=Decimal("0.001")),
        )

    assert refused.value.code == "amount.too_precise"
    assert app.recorder.max_notification_id() == before


def test_each_command_returns_a_later_position(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    pledged = app.pledge(
        coordinator, partners.consortium_id, partners.lab_id, a_pledge()
    )
    commitment_id = UUID(pledged.id)

    amended = app.amend_commitment(
        coordinator,
        commitment_id,
        amount=Decimal("12000"),
        starts_on=PLEDGE_STARTS_ON,
        ends_on=PLEDGE_ENDS_ON,
        reason="Budget revu",
    )
    delivered = app.deliver(
        coordinator,
        commitment_id,
        delivered_on=date(2026, 3, 2),
        amount=Decimal("4000"),
        description="Premier versement",
        evidence=None,
    )
    withdrawn = app.withdraw_commitment(
        coordinator, commitment_id, date(2026, 5, 1), "Départ"
    )

    assert pledged.position < amended < delivered.position < withdrawn
    assert withdrawn == app.recorder.max_notification_id()
    assert [d.contribution_id for d in stored(app, commitment_id).deliveries] == [
        delivered.id
    ]


def test_commands_are_stamped_with_the_acting_account(
    app: Governance, partners: Partners, lab_member: Actor
) -> None:
    commitment_id = app.pledge(
        lab_member, partners.consortium_id, partners.lab_id, a_pledge()
    ).id

    events = list(app.events.get(UUID(commitment_id)))

    assert [getattr(e, "actor_id", None) for e in events] == ["acc-researcher"]


def test_a_withdrawn_partners_commitments_no_longer_change(
    app: Governance, coordinator: Actor, partners: Partners
) -> None:
    created = app.pledge(
        coordinator, partners.consortium_id, partners.lab_id, a_pledge()
    )
    app.withdraw_partner(
        coordinator, partners.consortium_id, partners.lab_id, date(2026, 5, 1), "Fin"
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.deliver(
            coordinator,
            UUID(created.id),
            delivered_on=date(2026, 5, 2),
            amount=Decimal(10),
            description="Trop tard",
            evidence=None,
        )

    assert refused.value.code == "commitment.partner_not_active"
    assert app.recorder.max_notification_id() == before
