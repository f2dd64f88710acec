"""Governance bodies and proxies in the Consortium aggregate, and who votes for whom.

Commands are checked on the events they record (``collect_events``); a refused
command records nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce

import pytest

from governance.consortium import Body, Consortium, Proxy
from governance.errors import NotFound, RuleViolated
from governance.values import PartnerKind, PartnerRole
from governance.voting import Majority, VotingRule
from tests.support.builders import (
    RNA_A,
    SIRET_B,
    a_consortium,
    a_partner_identity,
    a_rule,
    admit,
    an_authority,
)

pytestmark = pytest.mark.usefixtures("acting")

LEAD = "p-lead"
LAB = "p-lab"
ASSO = "p-asso"
COPIL = "b-copil"
MEMBERS = {LEAD: 2, LAB: 1, ASSO: 1}
VALID_FROM = date(2026, 3, 1)
VALID_UNTIL = date(2026, 3, 31)

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

Emitted = list[tuple[type, dict[str, object]]]


def emitted(consortium: Consortium) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in consortium.collect_events()
    ]


@pytest.fixture
def consortium() -> Consortium:
    """A lead authority, a lab and an associated association; no body yet."""
    consortium = a_consortium()
    admit(consortium, an_authority(), role=PartnerRole.LEAD, partner_id=LEAD)
    admit(
        consortium,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
        partner_id=LAB,
    )
    admit(
        consortium,
        a_partner_identity("Association Clic", rna=RNA_A),
        role=PartnerRole.ASSOCIATED,
        partner_id=ASSO,
    )
    consortium.collect_events()
    return consortium


@pytest.fixture
def with_copil(consortium: Consortium) -> Consortium:
    """The three partners sit on the COPIL, the lead with a double weight."""
    consortium.establish_body(COPIL, "COPIL", MEMBERS, a_rule())
    consortium.collect_events()
    return consortium


@pytest.fixture
def delegated(consortium: Consortium) -> Consortium:
    """The association delegated its vote to the lab for March 2026."""
    consortium.delegate_proxy("px-1", ASSO, LAB, VALID_FROM, VALID_UNTIL)
    consortium.collect_events()
    return consortium


def establish(
    consortium: Consortium,
    *,
    name: str = "COPIL",
    members: dict[str, int] | None = None,
    rule: VotingRule | None = None,
) -> None:
    """Establish the COPIL, varying its name, its members or its rule."""
    consortium.establish_body(
        COPIL, name, MEMBERS if members is None else members, rule or a_rule()
    )


# -- establishing a body --------------------------------------------------------------


def test_establishing_a_body_records_its_trimmed_name_members_and_rule(
    consortium: Consortium,
) -> None:
    consortium.establish_body(COPIL, "  COPIL ", MEMBERS, a_rule(veto_days=30))

    assert emitted(consortium) == [
        (
            Consortium.GovernanceBodyEstablished,
            {
                "body_id": COPIL,
                "name": "COPIL",
                "members": MEMBERS,
                "rule": a_rule(veto_days=30),
            },
        )
    ]
    assert consortium.bodies == {COPIL: Body("COPIL", MEMBERS, a_rule(veto_days=30))}


def test_the_body_keeps_its_own_copy_of_the_members(consortium: Consortium) -> None:
    members = dict(MEMBERS)
    consortium.establish_body(COPIL, "COPIL", members, a_rule())

    members["p-other"] = 1

    assert consortium.bodies[COPIL].members == MEMBERS


@pytest.mark.parametrize("name", ["", "   "])
def test_a_body_without_a_name_is_refused(consortium: Consortium, name: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        establish(consortium, name=name)

    assert refused.value.code == "body.name_required"
    assert emitted(consortium) == []


def test_a_body_without_members_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        establish(consortium, members={})

    assert refused.value.code == "body.members_required"
    assert emitted(consortium) == []


@pytest.mark.parametrize("weight", [-1, 0, 101])
def test_a_weight_outside_one_to_a_hundred_is_refused(
    consortium: Consortium, weight: int
) -> None:
    with pytest.raises(RuleViolated) as refused:
        establish(consortium, members={LEAD: weight, LAB: 1})

    assert refused.value.code == "body.weight_invalid"
    assert emitted(consortium) == []


@pytest.mark.parametrize("weight", [1, 100])
def test_weights_of_one_and_a_hundred_are_accepted(
    consortium: Consortium, weight: int
) -> None:
    establish(consortium, members={LEAD: weight})

    assert consortium.bodies[COPIL].members == {LEAD: weight}


@pytest.mark.parametrize("quorum", [Decimal("-0.01"), Decimal("1.01")])
def test_a_quorum_outside_zero_to_one_is_refused(
    consortium: Consortium, quorum: Decimal
) -> None:
    with pytest.raises(RuleViolated) as refused:
        establish(consortium, rule=a_rule(quorum=quorum))

    assert refused.value.code == "body.quorum_invalid"
    assert emitted(consortium) == []


@pytest.mark.parametrize("quorum", [Decimal(0), Decimal(1)])
def test_quorums_of_zero_and_one_are_accepted(
    consortium: Consortium, quorum: Decimal
) -> None:
    establish(consortium, rule=a_rule(quorum=quorum))

    assert consortium.bodies[COPIL].rule.quorum == quorum


@pytest.mark.parametrize("veto_days", [-1, 91])
def test_veto_days_outside_zero_to_ninety_are_refused(
    consortium: Consortium, veto_days: int
) -> None:
    with pytest.raises(RuleViolated) as refused:
        establish(consortium, rule=a_rule(veto_days=veto_days))

    assert refused.value.code == "body.veto_days_invalid"
    assert emitted(consortium) == []


@pytest.mark.parametrize("veto_days", [0, 90])
def test_veto_days_of_zero_and_ninety_are_accepted(
    consortium: Consortium, veto_days: int
) -> None:
    establish(consortium, rule=a_rule(veto_days=veto_days))

    assert consortium.bodies[COPIL].rule.veto_days == veto_days


@pytest.mark.parametrize("name", ["COPIL", " copil "])
def test_a_name_another_body_has_is_refused(with_copil: Consortium, name: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        with_copil.establish_body("b-other", name, {LAB: 1}, a_rule())

    assert refused.value.code == "body.name_taken"
    assert emitted(with_copil) == []


def test_reusing_a_body_id_is_refused(with_copil: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        with_copil.establish_body(COPIL, "Comité technique", {LAB: 1}, a_rule())

    assert refused.value.code == "body.duplicate_id"
    assert emitted(with_copil) == []


def test_a_withdrawn_partner_may_not_sit_on_a_body(consortium: Consortium) -> None:
    consortium.withdraw_partner(ASSO, date(2026, 2, 1), "Dissolution")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        establish(consortium)

    assert (refused.value.code, refused.value.params) == (
        "partner.withdrawn",
        {"name": "Association Clic"},
    )
    assert emitted(consortium) == []


def test_an_unknown_partner_may_not_sit_on_a_body(consortium: Consortium) -> None:
    with pytest.raises(NotFound) as refused:
        establish(consortium, members={LEAD: 1, "p-nobody": 1})

    assert (refused.value.kind, refused.value.identifier) == ("partner", "p-nobody")
    assert emitted(consortium) == []


# -- changing a body ------------------------------------------------------------------


def test_changing_a_body_records_its_new_name_members_and_rule(
    with_copil: Consortium,
) -> None:
    rule = a_rule(majority=Majority.TWO_THIRDS, quorum_by_weight=True)

    with_copil.change_body(COPIL, " Comité de pilotage ", {LEAD: 3, LAB: 1}, rule)

    assert emitted(with_copil) == [
        (
            Consortium.GovernanceBodyChanged,
            {
                "body_id": COPIL,
                "name": "Comité de pilotage",
                "members": {LEAD: 3, LAB: 1},
                "rule": rule,
            },
        )
    ]
    assert with_copil.bodies[COPIL] == Body(
        "Comité de pilotage", {LEAD: 3, LAB: 1}, rule
    )


def test_a_body_may_keep_its_own_name_with_another_case(
    with_copil: Consortium,
) -> None:
    with_copil.change_body(COPIL, "Copil", MEMBERS, a_rule())

    assert with_copil.bodies[COPIL].name == "Copil"


def test_changing_nothing_is_refused(with_copil: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        with_copil.change_body(COPIL, " COPIL ", dict(MEMBERS), a_rule())

    assert refused.value.code == "body.unchanged"
    assert emitted(with_copil) == []


def test_changing_an_unknown_body_is_not_found(consortium: Consortium) -> None:
    with pytest.raises(NotFound) as refused:
        consortium.change_body("b-nowhere", "COPIL", MEMBERS, a_rule())

    assert (refused.value.kind, refused.value.identifier) == ("body", "b-nowhere")


def test_renaming_a_body_to_another_bodys_name_is_refused(
    with_copil: Consortium,
) -> None:
    with_copil.establish_body("b-tech", "Comité technique", {LAB: 1}, a_rule())
    with_copil.collect_events()

    with pytest.raises(RuleViolated) as refused:
        with_copil.change_body("b-tech", "copil", {LAB: 1}, a_rule())

    assert refused.value.code == "body.name_taken"
    assert emitted(with_copil) == []


def test_a_change_is_checked_like_a_new_body(with_copil: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        with_copil.change_body(COPIL, "COPIL", {LEAD: 0}, a_rule())

    assert refused.value.code == "body.weight_invalid"
    assert with_copil.bodies[COPIL].members == MEMBERS


# -- proxies --------------------------------------------------------------------------


def test_delegating_a_vote_records_the_proxy_and_its_period(
    consortium: Consortium,
) -> None:
    consortium.delegate_proxy("px-1", ASSO, LAB, VALID_FROM, VALID_UNTIL)

    assert emitted(consortium) == [
        (
            Consortium.ProxyDelegated,
            {
                "proxy_id": "px-1",
                "from_partner": ASSO,
                "to_partner": LAB,
                "valid_from": VALID_FROM,
                "valid_until": VALID_UNTIL,
            },
        )
    ]
    assert consortium.proxies == {"px-1": Proxy(ASSO, LAB, VALID_FROM, VALID_UNTIL)}


def test_a_proxy_for_a_single_day_is_accepted(consortium: Consortium) -> None:
    consortium.delegate_proxy("px-1", ASSO, LAB, VALID_FROM, VALID_FROM)

    assert consortium.proxies["px-1"].valid_until == VALID_FROM


def test_a_partner_may_not_delegate_to_itself(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.delegate_proxy("px-1", LAB, LAB, VALID_FROM, VALID_UNTIL)

    assert refused.value.code == "proxy.to_itself"
    assert emitted(consortium) == []


def test_a_proxy_ending_before_it_starts_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.delegate_proxy("px-1", ASSO, LAB, VALID_UNTIL, VALID_FROM)

    assert refused.value.code == "period.ends_before_start"
    assert emitted(consortium) == []


@pytest.mark.parametrize(
    ("from_partner", "to_partner"),
    [("p-nobody", LAB), (ASSO, "p-nobody")],
    ids=["from", "to"],
)
def test_a_proxy_with_an_unknown_partner_is_not_found(
    consortium: Consortium, from_partner: str, to_partner: str
) -> None:
    with pytest.raises(NotFound) as refused:
        consortium.delegate_proxy(
            "px-1", from_partner, to_partner, VALID_FROM, VALID_UNTIL
        )

    assert (refused.value.kind, refused.value.identifier) == ("partner", "p-nobody")
    assert emitted(consortium) == []


@pytest.mark.parametrize(
    ("from_partner", "to_partner"), [(ASSO, LAB), (LAB, ASSO)], ids=["from", "to"]
)
def test_a_proxy_with_a_withdrawn_partner_is_refused(
    consortium: Consortium, from_partner: str, to_partner: str
) -> None:
    consortium.withdraw_partner(ASSO, date(2026, 2, 1), "Dissolution")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.delegate_proxy(
            "px-1", from_partner, to_partner, VALID_FROM, VALID_UNTIL
        )

    assert refused.value.code == "partner.withdrawn"
    assert emitted(consortium) == []


def test_reusing_a_proxy_id_is_refused(delegated: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        delegated.delegate_proxy("px-1", LEAD, LAB, VALID_FROM, VALID_UNTIL)

    assert refused.value.code == "proxy.duplicate_id"
    assert emitted(delegated) == []


def test_revoking_a_proxy_records_it(delegated: Consortium) -> None:
    delegated.revoke_proxy("px-1")

    assert emitted(delegated) == [(Consortium.ProxyRevoked, {"proxy_id": "px-1"})]
    assert delegated.proxies == {}


def test_revoking_an_unknown_proxy_is_not_found(delegated: Consortium) -> None:
    with pytest.raises(NotFound) as refused:
        delegated.revoke_proxy("px-2")

    assert (refused.value.kind, refused.value.identifier) == ("proxy", "px-2")
    assert emitted(delegated) == []


# -- who votes for whom ---------------------------------------------------------------


def test_a_representative_votes_for_their_own_partner(consortium: Consortium) -> None:
    assert consortium.may_vote_for(LAB, LAB, VALID_FROM)


def test_nobody_votes_without_a_partner(consortium: Consortium) -> None:
    assert not consortium.may_vote_for(None, LAB, VALID_FROM)


def test_a_representative_does_not_vote_for_another_partner(
    consortium: Consortium,
) -> None:
    assert not consortium.may_vote_for(LAB, ASSO, VALID_FROM)


@pytest.mark.parametrize("on", [VALID_FROM, date(2026, 3, 15), VALID_UNTIL])
def test_a_proxy_votes_for_the_delegating_partner_during_its_period(
    delegated: Consortium, on: date
) -> None:
    assert delegated.may_vote_for(LAB, ASSO, on)


@pytest.mark.parametrize(
    "on", [date(2026, 2, 28), date(2026, 4, 1)], ids=["before", "expired"]
)
def test_a_proxy_outside_its_period_gives_no_vote(
    delegated: Consortium, on: date
) -> None:
    assert not delegated.may_vote_for(LAB, ASSO, on)


def test_a_proxy_works_one_way_only(delegated: Consortium) -> None:
    assert not delegated.may_vote_for(ASSO, LAB, VALID_FROM)


def test_a_proxy_goes_to_the_partner_it_names_only(delegated: Consortium) -> None:
    assert not delegated.may_vote_for(LEAD, ASSO, VALID_FROM)


def test_a_revoked_proxy_gives_no_vote(delegated: Consortium) -> None:
    delegated.revoke_proxy("px-1")

    assert not delegated.may_vote_for(LAB, ASSO, VALID_FROM)


def test_nobody_votes_for_a_withdrawn_partner(delegated: Consortium) -> None:
    delegated.withdraw_partner(ASSO, date(2026, 3, 10), "Dissolution")

    assert not delegated.may_vote_for(ASSO, ASSO, VALID_FROM)
    assert not delegated.may_vote_for(LAB, ASSO, VALID_FROM)


def test_nobody_votes_for_an_unknown_partner(consortium: Consortium) -> None:
    assert not consortium.may_vote_for("p-nobody", "p-nobody", VALID_FROM)


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_bodies_and_proxies() -> None:
    consortium = a_consortium()
    admit(consortium, an_authority(), role=PartnerRole.LEAD, partner_id=LEAD)
    admit(consortium, a_partner_identity(rna=RNA_A), partner_id=ASSO)
    consortium.establish_body(COPIL, "COPIL", {LEAD: 1, ASSO: 1}, a_rule())
    consortium.change_body(COPIL, "COPIL", {LEAD: 2, ASSO: 1}, a_rule())
    consortium.delegate_proxy("px-1", ASSO, LEAD, VALID_FROM, VALID_UNTIL)
    consortium.delegate_proxy("px-2", LEAD, ASSO, VALID_FROM, VALID_UNTIL)
    consortium.revoke_proxy("px-2")

    events = consortium.collect_events()
    replayed = reduce(lambda state, past: past.mutate(state), events, None)

    assert replayed == consortium
    assert list(replayed.proxies) == ["px-1"]
