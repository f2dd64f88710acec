"""The service's decision commands: bodies, proxies, proposals, votes, vetoes, minutes.

The COPIL here has three partners of one weight each, each represented by a member;
its rule asks for half of them, a simple majority, and allows a veto for 15 days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from governance.actor import SCHEDULER, Actor
from governance.application import Governance
from governance.consortium import Body, Consortium
from governance.errors import Conflict, NotFound, NotPermitted, RuleViolated
from governance.proposal import Decision, Proposal
from governance.values import MEETING, MemberRole, PartnerKind, PartnerRole
from governance.voting import FOR, Majority, Outcome
from tests.support.builders import (
    MEETING_ON,
    RNA_A,
    SIRET_B,
    T0,
    a_motion,
    a_partner_identity,
    a_rule,
    admitted_partner,
    an_authority,
    an_evidence,
    founded_consortium,
    person_in_role,
)
from tests.support.fakes import FixedClock

TODAY = T0.date()
DEADLINE = T0 + timedelta(days=1)


@dataclass(frozen=True)
class Copil:
    """A consortium's COPIL, its three partners and the members representing them."""

    consortium_id: UUID
    body_id: str
    lead_id: str
    lab_id: str
    asso_id: str
    lead: Actor
    lab: Actor
    asso: Actor


def a_copil(app: Governance, coordinator: Actor, consortium_id: UUID) -> Copil:
    """Admit three partners, give each a representative, seat them on the COPIL."""
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app,
        coordinator,
        consortium_id,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
    )
    asso = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Clic", rna=RNA_A)
    )
    body = app.establish_body(
        coordinator,
        consortium_id,
        name="COPIL",
        members={lead: 1, lab: 1, asso: 1},
        rule=a_rule(),
    ).id
    representatives = [
        person_in_role(
            app, coordinator, consortium_id, account, MemberRole.MEMBER, partner
        )
        for account, partner in (
            ("acc-lead", lead),
            ("acc-lab", lab),
            ("acc-asso", asso),
        )
    ]
    return Copil(consortium_id, body, lead, lab, asso, *representatives)


@pytest.fixture
def copil(app: Governance, coordinator: Actor, consortium_id: UUID) -> Copil:
    return a_copil(app, coordinator, consortium_id)


@pytest.fixture
def written(app: Governance, copil: Copil) -> UUID:
    """A written vote tabled by the lead's member, closing a day after ``T0``."""
    return UUID(
        app.table_proposal(
            copil.lead, copil.consortium_id, copil.body_id, a_motion()
        ).id
    )


@pytest.fixture
def meeting(app: Governance, coordinator: Actor, copil: Copil) -> UUID:
    """A vote put to the COPIL meeting, tabled by the coordinator."""
    return UUID(
        app.table_proposal(
            coordinator, copil.consortium_id, copil.body_id, a_motion(mode=MEETING)
        ).id
    )


@pytest.fixture
def adopted(app: Governance, coordinator: Actor, copil: Copil, meeting: UUID) -> UUID:
    """The meeting vote, adopted by the lead and the lab and closed at ``T0``."""
    app.cast_vote(copil.lead, meeting, copil.lead_id, FOR)
    app.cast_vote(copil.lab, meeting, copil.lab_id, FOR)
    app.close_proposal(coordinator, meeting)
    return meeting


def proposal_in(app: Governance, proposal_id: UUID) -> Proposal:
    proposal: object = app.repository.get(proposal_id)
    assert isinstance(proposal, Proposal)
    return proposal


def consortium_in(app: Governance, consortium_id: UUID) -> Consortium:
    consortium: object = app.repository.get(consortium_id)
    assert isinstance(consortium, Consortium)
    return consortium


def delegate(
    app: Governance,
    actor: Actor,
    copil: Copil,
    *,
    valid_from: date = TODAY,
    valid_until: date = TODAY + timedelta(days=7),
) -> str:
    """The association delegates its vote to the lab."""
    return app.delegate_proxy(
        actor,
        copil.consortium_id,
        from_partner=copil.asso_id,
        to_partner=copil.lab_id,
        valid_from=valid_from,
        valid_until=valid_until,
    ).id


# -- bodies ---------------------------------------------------------------------------


def test_the_coordinator_establishes_a_body_with_its_members_and_rule(
    app: Governance, copil: Copil
) -> None:
    consortium = consortium_in(app, copil.consortium_id)

    assert consortium.bodies[copil.body_id] == Body(
        "COPIL", {copil.lead_id: 1, copil.lab_id: 1, copil.asso_id: 1}, a_rule()
    )


def test_changing_a_body_leaves_the_votes_under_way_as_they_were(
    app: Governance, coordinator: Actor, copil: Copil, written: UUID
) -> None:
    rule = a_rule(majority=Majority.UNANIMITY)

    app.change_body(
        coordinator,
        copil.consortium_id,
        copil.body_id,
        name="COPIL",
        members={copil.lead_id: 3, copil.lab_id: 1},
        rule=rule,
    )

    body = consortium_in(app, copil.consortium_id).bodies[copil.body_id]
    proposal = proposal_in(app, written)
    assert (body.members, body.rule) == ({copil.lead_id: 3, copil.lab_id: 1}, rule)
    assert (proposal.members, proposal.rule) == (
        {copil.lead_id: 1, copil.lab_id: 1, copil.asso_id: 1},
        a_rule(),
    )


def test_a_body_with_a_partner_outside_the_consortium_is_not_found(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        app.establish_body(
            coordinator,
            consortium_id,
            name="COPIL",
            members={"p-nobody": 1},
            rule=a_rule(),
        )

    assert (refused.value.kind, refused.value.identifier) == ("partner", "p-nobody")
    assert app.recorder.max_notification_id() == before


# -- proxies --------------------------------------------------------------------------


def test_a_member_delegates_their_partners_vote_and_revokes_it(
    app: Governance, copil: Copil
) -> None:
    proxy_id = delegate(app, copil.asso, copil)
    delegated = consortium_in(app, copil.consortium_id)

    app.revoke_proxy(copil.asso, copil.consortium_id, proxy_id)

    assert delegated.may_vote_for(copil.lab_id, copil.asso_id, TODAY)
    assert consortium_in(app, copil.consortium_id).proxies == {}


def test_a_member_may_not_delegate_another_partners_vote(
    app: Governance, copil: Copil
) -> None:
    with pytest.raises(NotPermitted):
        delegate(app, copil.lab, copil)


def test_revoking_an_unknown_proxy_is_not_found(
    app: Governance, coordinator: Actor, copil: Copil
) -> None:
    with pytest.raises(NotFound) as refused:
        app.revoke_proxy(coordinator, copil.consortium_id, "px-nowhere")

    assert (refused.value.kind, refused.value.identifier) == ("proxy", "px-nowhere")


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
def test_a_role_that_may_not_delegate_is_refused_ending_any_delegation(
    app: Governance, coordinator: Actor, copil: Copil, role: MemberRole
) -> None:
    proxy_id = delegate(app, copil.asso, copil)
    actor = person_in_role(app, coordinator, copil.consortium_id, "acc-other", role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.revoke_proxy(actor, copil.consortium_id, proxy_id)
    # Refused before the proxy is looked up: whether one exists is not revealed.
    with pytest.raises(NotPermitted):
        app.revoke_proxy(actor, copil.consortium_id, "px-nowhere")

    assert app.recorder.max_notification_id() == before


# -- tabling --------------------------------------------------------------------------


def test_a_member_tables_a_proposal_with_the_bodys_members_and_rule(
    app: Governance, copil: Copil, written: UUID
) -> None:
    proposal = proposal_in(app, written)

    assert (proposal.consortium_id, proposal.body_id) == (
        str(copil.consortium_id),
        copil.body_id,
    )
    assert (proposal.closes_at, proposal.members, proposal.rule) == (
        DEADLINE,
        {copil.lead_id: 1, copil.lab_id: 1, copil.asso_id: 1},
        a_rule(),
    )
    assert [e.actor_id for e in app.events.get(written)] == ["acc-lead"]


def test_tabling_to_an_unknown_body_is_not_found(
    app: Governance, coordinator: Actor, copil: Copil
) -> None:
    with pytest.raises(NotFound) as refused:
        app.table_proposal(coordinator, copil.consortium_id, "b-nowhere", a_motion())

    assert (refused.value.kind, refused.value.identifier) == ("body", "b-nowhere")


def test_a_written_vote_closing_in_the_past_is_refused(
    app: Governance, coordinator: Actor, copil: Copil
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.table_proposal(
            coordinator,
            copil.consortium_id,
            copil.body_id,
            a_motion(closes_at=T0 - timedelta(hours=1)),
        )

    assert refused.value.code == "proposal.closing_in_the_past"
    assert app.recorder.max_notification_id() == before


# -- voting ---------------------------------------------------------------------------


def test_members_vote_for_the_partners_they_represent(
    app: Governance, copil: Copil, written: UUID
) -> None:
    app.cast_vote(copil.lead, written, copil.lead_id, FOR, "Budget équilibré")
    app.cast_vote(copil.lab, written, copil.lab_id, "against")

    proposal = proposal_in(app, written)
    assert proposal.votes == {copil.lead_id: FOR, copil.lab_id: "against"}
    assert proposal.ballots[copil.lead_id].reason == "Budget équilibré"
    assert [e.actor_id for e in app.events.get(written)][1:] == ["acc-lead", "acc-lab"]


def test_a_member_votes_for_a_partner_that_delegated_to_theirs(
    app: Governance, copil: Copil, written: UUID
) -> None:
    delegate(app, copil.asso, copil)

    app.cast_vote(copil.lab, written, copil.asso_id, FOR, "Par procuration")
    app.cast_vote(copil.lab, written, copil.lab_id, FOR)

    assert proposal_in(app, written).votes == {copil.asso_id: FOR, copil.lab_id: FOR}


def test_changing_a_vote_keeps_one_ballot_and_the_history(
    app: Governance, copil: Copil, written: UUID
) -> None:
    app.cast_vote(copil.lab, written, copil.lab_id, FOR)

    app.cast_vote(copil.lab, written, copil.lab_id, "against", "Chiffres revus")

    assert proposal_in(app, written).votes == {copil.lab_id: "against"}
    assert [type(e) for e in app.events.get(written)] == [
        Proposal.Tabled,
        Proposal.VoteCast,
        Proposal.VoteChanged,
    ]


def test_a_member_may_not_vote_for_a_partner_that_did_not_delegate(
    app: Governance, copil: Copil, written: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        app.cast_vote(copil.lab, written, copil.asso_id, FOR)

    assert (refused.value.action, refused.value.actor_id) == ("vote", "acc-lab")
    assert app.recorder.max_notification_id() == before


def test_a_proxy_gives_no_vote_once_expired(
    app: Governance, copil: Copil, clock: FixedClock
) -> None:
    delegate(app, copil.asso, copil, valid_until=TODAY)
    proposal_id = UUID(
        app.table_proposal(
            copil.lab,
            copil.consortium_id,
            copil.body_id,
            a_motion(closes_at=T0 + timedelta(days=3)),
        ).id
    )
    clock.advance(timedelta(days=1))

    with pytest.raises(NotPermitted):
        app.cast_vote(copil.lab, proposal_id, copil.asso_id, FOR)

    assert proposal_in(app, proposal_id).votes == {}


def test_a_proxy_gives_no_vote_before_it_starts(
    app: Governance, copil: Copil, written: UUID
) -> None:
    delegate(app, copil.asso, copil, valid_from=TODAY + timedelta(days=1))

    with pytest.raises(NotPermitted):
        app.cast_vote(copil.lab, written, copil.asso_id, FOR)


def test_nobody_votes_for_a_partner_that_withdrew(
    app: Governance, coordinator: Actor, copil: Copil, written: UUID
) -> None:
    delegate(app, copil.asso, copil)
    app.withdraw_partner(coordinator, copil.consortium_id, copil.asso_id, TODAY, "Fin")
    before = app.recorder.max_notification_id()

    for voter in (copil.asso, copil.lab):
        with pytest.raises(NotPermitted):
            app.cast_vote(voter, written, copil.asso_id, FOR)

    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "role",
    [MemberRole.COORDINATOR, MemberRole.FINANCER, MemberRole.PILOT_TEAM],
    ids=lambda r: r.value,
)
def test_coordinators_financers_and_the_pilot_team_may_not_vote(
    app: Governance,
    coordinator: Actor,
    copil: Copil,
    written: UUID,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else person_in_role(app, coordinator, copil.consortium_id, "acc-other", role)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        app.cast_vote(actor, written, copil.lab_id, FOR)

    assert (refused.value.action, refused.value.actor_id) == ("vote", actor.account_id)
    assert app.recorder.max_notification_id() == before


def test_someone_outside_the_consortium_gets_not_found(
    app: Governance, copil: Copil, written: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        app.cast_vote(Actor("acc-stranger"), written, copil.lab_id, FOR)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        copil.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


def test_a_member_of_another_consortium_gets_not_found(
    app: Governance, coordinator: Actor, copil: Copil, written: UUID
) -> None:
    other = founded_consortium(app, coordinator, name="Autre projet")
    partner = admitted_partner(app, coordinator, other)
    outsider = person_in_role(
        app, coordinator, other, "acc-elsewhere", MemberRole.MEMBER, partner
    )

    with pytest.raises(NotFound):
        app.cast_vote(outsider, written, partner, FOR)


def test_voting_on_an_unknown_proposal_is_not_found(
    app: Governance, copil: Copil
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        app.cast_vote(copil.lab, unknown, copil.lab_id, FOR)

    assert (refused.value.kind, refused.value.identifier) == ("proposal", unknown)


def test_a_consortium_id_is_not_a_proposal(app: Governance, copil: Copil) -> None:
    with pytest.raises(NotFound) as refused:
        app.cast_vote(copil.lab, copil.consortium_id, copil.lab_id, FOR)

    assert refused.value.kind == "proposal"


def test_a_vote_after_the_deadline_is_refused(
    app: Governance, copil: Copil, written: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=1))
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.cast_vote(copil.lab, written, copil.lab_id, FOR)

    assert refused.value.code == "proposal.deadline_passed"
    assert app.recorder.max_notification_id() == before


# -- closing --------------------------------------------------------------------------


def test_the_scheduler_closes_a_written_vote_after_its_deadline(
    app: Governance, copil: Copil, written: UUID, clock: FixedClock
) -> None:
    app.cast_vote(copil.lead, written, copil.lead_id, FOR)
    app.cast_vote(copil.lab, written, copil.lab_id, FOR)
    app.cast_vote(copil.asso, written, copil.asso_id, "against")
    clock.advance(timedelta(days=1, minutes=5))

    position = app.close_due_proposal(written)

    proposal = proposal_in(app, written)
    closed = list(app.events.get(written))[-1]
    assert (proposal.outcome, proposal.closed_at) == (Outcome.ADOPTED, clock.now())
    assert isinstance(closed, Proposal.Closed)
    assert (closed.actor_id, closed.timestamp) == (SCHEDULER, clock.now())
    assert position == app.recorder.max_notification_id()


def test_the_scheduler_finds_no_quorum_when_too_few_voted(
    app: Governance, copil: Copil, written: UUID, clock: FixedClock
) -> None:
    app.cast_vote(copil.lab, written, copil.lab_id, FOR)
    clock.advance(timedelta(days=1))

    app.close_due_proposal(written)

    assert proposal_in(app, written).outcome is Outcome.NO_QUORUM


def test_the_scheduler_does_not_close_a_vote_before_its_deadline(
    app: Governance, written: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=23, minutes=59))

    with pytest.raises(RuleViolated) as refused:
        app.close_due_proposal(written)

    assert refused.value.code == "proposal.deadline_not_reached"
    assert proposal_in(app, written).outcome is None


def test_the_scheduler_does_not_close_a_vote_twice(
    app: Governance, written: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=1))
    app.close_due_proposal(written)
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.close_due_proposal(written)

    assert refused.value.code == "proposal.closed"
    assert app.recorder.max_notification_id() == before


def test_a_coordinator_closes_a_meeting_vote(
    app: Governance, coordinator: Actor, copil: Copil, meeting: UUID
) -> None:
    app.cast_vote(copil.lead, meeting, copil.lead_id, FOR)
    app.cast_vote(copil.lab, meeting, copil.lab_id, "against")

    app.close_proposal(coordinator, meeting)

    proposal = proposal_in(app, meeting)
    assert (proposal.outcome, proposal.closed_at) == (Outcome.REJECTED, T0)
    assert list(app.events.get(meeting))[-1].actor_id == coordinator.account_id


def test_a_coordinator_may_not_close_a_written_vote_before_its_deadline(
    app: Governance, coordinator: Actor, written: UUID
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.close_proposal(coordinator, written)

    assert refused.value.code == "proposal.deadline_not_reached"


def test_a_member_may_not_close_a_vote(
    app: Governance, copil: Copil, meeting: UUID
) -> None:
    with pytest.raises(NotPermitted) as refused:
        app.close_proposal(copil.lead, meeting)

    assert refused.value.action == "close_vote"


# -- veto -----------------------------------------------------------------------------


def test_a_member_vetoes_an_adopted_outcome_within_the_window(
    app: Governance, copil: Copil, adopted: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=15))

    app.veto(copil.asso, adopted, copil.asso_id, "Contraire à la convention")

    vetoed = list(app.events.get(adopted))[-1]
    assert proposal_in(app, adopted).outcome is Outcome.VETOED
    assert isinstance(vetoed, Proposal.OutcomeVetoed)
    assert (vetoed.partner_id, vetoed.actor_id) == (copil.asso_id, "acc-asso")


def test_a_veto_after_the_window_is_refused(
    app: Governance, copil: Copil, adopted: UUID, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=15, seconds=1))

    with pytest.raises(RuleViolated) as refused:
        app.veto(copil.asso, adopted, copil.asso_id, "Trop tard")

    assert refused.value.code == "veto.window_closed"
    assert proposal_in(app, adopted).outcome is Outcome.ADOPTED


def test_a_member_may_not_veto_for_another_partner(
    app: Governance, copil: Copil, adopted: UUID
) -> None:
    delegate(app, copil.asso, copil)

    with pytest.raises(NotPermitted):
        app.veto(copil.lab, adopted, copil.asso_id, "Par procuration")

    assert proposal_in(app, adopted).outcome is Outcome.ADOPTED


def test_a_member_naming_no_partner_may_not_veto(
    app: Governance, copil: Copil, adopted: UUID
) -> None:
    with pytest.raises(NotPermitted):
        app.veto(copil.asso, adopted, None, "Sans partenaire")

    assert proposal_in(app, adopted).outcome is Outcome.ADOPTED


def test_a_coordinator_may_not_veto(
    app: Governance, coordinator: Actor, copil: Copil, adopted: UUID
) -> None:
    with pytest.raises(NotPermitted):
        app.veto(coordinator, adopted, copil.asso_id, "Contraire à la convention")


# -- decisions recorded after a meeting -----------------------------------------------


def record(app: Governance, actor: Actor, copil: Copil, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "title": "Adopter le règlement intérieur",
        "text": "Adopté à l'unanimité des présents.",
        "outcome": Outcome.ADOPTED,
        "decided_on": MEETING_ON,
        "present": (copil.lead_id, copil.lab_id),
        "minutes": an_evidence(filename="compte-rendu.pdf"),
    }
    arguments.update(overrides)
    return app.record_decision(
        actor, copil.consortium_id, copil.body_id, **arguments
    ).id


def test_a_coordinator_records_a_decision_taken_in_a_meeting(
    app: Governance, coordinator: Actor, copil: Copil
) -> None:
    decision_id = record(app, coordinator, copil)

    decision: object = app.repository.get(UUID(decision_id))
    assert isinstance(decision, Decision)
    assert (decision.body_id, decision.outcome, decision.present) == (
        copil.body_id,
        Outcome.ADOPTED,
        (copil.lead_id, copil.lab_id),
    )
    assert decision.minutes == an_evidence(filename="compte-rendu.pdf")


def test_a_decision_with_someone_present_outside_the_body_is_refused(
    app: Governance, coordinator: Actor, copil: Copil
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        record(app, coordinator, copil, present=(copil.lead_id, "p-outsider"))

    assert refused.value.code == "vote.not_a_member"
    assert app.recorder.max_notification_id() == before


def test_a_member_may_not_record_a_decision(app: Governance, copil: Copil) -> None:
    with pytest.raises(NotPermitted):
        record(app, copil.lead, copil)


# -- concurrency ----------------------------------------------------------------------


def test_concurrent_votes_conflict_and_lose_nothing(
    sqlite_governance: Callable[..., Governance], coordinator: Actor
) -> None:
    # A cache that trusts itself (no fast-forward) keeps the proposal it saved last:
    # once another process records a vote, this one votes on a stale proposal.
    stale = sqlite_governance(
        AGGREGATE_CACHE_MAXSIZE="10", AGGREGATE_CACHE_FASTFORWARD="n"
    )
    # Configured like production: its cache catches up with the store on each load.
    other = sqlite_governance(AGGREGATE_CACHE_MAXSIZE="10")
    copil = a_copil(stale, coordinator, founded_consortium(stale, coordinator))
    proposal_id = UUID(
        stale.table_proposal(
            copil.lead, copil.consortium_id, copil.body_id, a_motion()
        ).id
    )
    other.cast_vote(copil.lab, proposal_id, copil.lab_id, FOR)

    with pytest.raises(Conflict) as refused:
        stale.cast_vote(copil.lead, proposal_id, copil.lead_id, FOR)
    kept = proposal_in(other, proposal_id).votes
    # Told "changed meanwhile", the lead's member reloads and votes again.
    other.cast_vote(copil.lead, proposal_id, copil.lead_id, FOR)

    assert isinstance(refused.value.__context__, IntegrityError)
    assert refused.value.identifier == [proposal_id]
    assert kept == {copil.lab_id: FOR}
    assert proposal_in(other, proposal_id).votes == {
        copil.lab_id: FOR,
        copil.lead_id: FOR,
    }
