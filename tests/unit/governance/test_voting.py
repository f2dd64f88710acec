"""Voting rules: quorum, the five majorities and the outcome, after the DESCA model."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from governance.voting import (
    ABSTAIN,
    AGAINST,
    FOR,
    Majority,
    Outcome,
    VotingRule,
    can_still_reach_quorum,
    rule_can_be_met,
    tally,
)

HALF = Decimal("0.5")
# A Decimal cannot hold 1/3 or 2/3; these sit just below them, and no share of at
# most 12 members (or 60 weight units) falls between them and the exact fraction.
ONE_THIRD = Decimal("0.3333")
TWO_THIRDS = Decimal("0.6666")
QUORUMS = (Decimal(0), ONE_THIRD, HALF, TWO_THIRDS, Decimal(1))
CUSTOM_OPTIONS = ("Lyon", "Lille", "Nantes", ABSTAIN)

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def a_body(size: int, weight: int = 1) -> dict[str, int]:
    """``size`` partners P1…Pn, each with ``weight``."""
    return {f"P{i}": weight for i in range(1, size + 1)}


def ballots(
    members: dict[str, int], *, cast_for: int = 0, against: int = 0, abstain: int = 0
) -> dict[str, str]:
    """Votes of the first partners, in order: for, then against, then abstain."""
    options = [FOR] * cast_for + [AGAINST] * against + [ABSTAIN] * abstain
    assert len(options) <= len(members)
    return dict(zip(members, options, strict=False))


def rule(
    majority: Majority, quorum: Decimal = HALF, *, by_weight: bool = False
) -> VotingRule:
    return VotingRule(quorum=quorum, quorum_by_weight=by_weight, majority=majority)


# --- Exact shares: two thirds is a fraction, not a percentage -----------------


def test_four_members_of_six_make_a_quorum_of_exactly_two_thirds() -> None:
    six = a_body(6)

    counted = tally(
        VotingRule(quorum=Fraction(2, 3), majority=Majority.SIMPLE),
        six,
        ballots(six, cast_for=4),
    )

    assert counted.quorum_reached
    assert counted.outcome is Outcome.ADOPTED


def test_a_quorum_entered_as_the_percentage_sixty_seven_is_not_two_thirds() -> None:
    # Why a quorum is a fraction: 66.67 % is more than 2/3, so 4 of 6 fall short.
    six = a_body(6)

    counted = tally(
        VotingRule(quorum=Fraction(6667, 10000), majority=Majority.SIMPLE),
        six,
        ballots(six, cast_for=4),
    )

    assert not counted.quorum_reached


def test_a_rule_recorded_with_a_decimal_quorum_keeps_its_exact_value() -> None:
    recorded = VotingRule(quorum=Decimal("0.6667"))  # as older events hold it

    assert recorded.share == Fraction(6667, 10000)
    assert recorded.effective_quorum == Fraction(6667, 10000)


# --- DESCA steering committee: seven partners, quorum 50 % ---------------------


def test_a_two_thirds_majority_of_five_voters_out_of_seven_adopts() -> None:
    # Given a 7-partner steering committee, quorum 50 %, two-thirds majority
    committee = a_body(7)
    votes = ballots(committee, cast_for=4, against=1)

    # When 5 partners vote, 4 for and 1 against
    result = tally(rule(Majority.TWO_THIRDS), committee, votes)

    # Then the quorum and the majority are reached and the proposal is adopted
    assert result.outcome is Outcome.ADOPTED
    assert (result.members, result.voted) == (7, 5)
    assert (result.for_weight, result.against_weight) == (4, 1)
    assert result.quorum_reached
    assert result.majority_reached


def test_three_voters_out_of_seven_do_not_make_a_fifty_percent_quorum() -> None:
    # Given the same committee
    committee = a_body(7)

    # When only 3 partners vote, all for
    result = tally(rule(Majority.TWO_THIRDS), committee, ballots(committee, cast_for=3))

    # Then there is no quorum, whatever the votes say
    assert result.outcome is Outcome.NO_QUORUM
    assert not result.quorum_reached
    assert result.majority_reached


def test_four_voters_out_of_seven_make_a_fifty_percent_quorum() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.TWO_THIRDS), committee, ballots(committee, cast_for=4))

    assert result.quorum_reached
    assert result.outcome is Outcome.ADOPTED


def test_three_for_and_two_against_fall_short_of_two_thirds() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.TWO_THIRDS),
        committee,
        ballots(committee, cast_for=3, against=2),
    )

    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


def test_exactly_two_thirds_of_the_votes_cast_is_enough() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.TWO_THIRDS),
        committee,
        ballots(committee, cast_for=4, against=2, abstain=1),
    )

    assert result.outcome is Outcome.ADOPTED


def test_abstentions_count_towards_the_quorum_but_not_the_two_thirds() -> None:
    # Given a committee where 2 vote for and 3 abstain
    committee = a_body(7)
    votes = ballots(committee, cast_for=2, abstain=3)

    # When the votes are counted
    result = tally(rule(Majority.TWO_THIRDS), committee, votes)

    # Then the abstainers make the quorum and the two votes for are all the votes cast
    assert result.voted == 5
    assert result.abstain_weight == 3
    assert result.outcome is Outcome.ADOPTED


def test_two_thirds_with_only_abstentions_is_rejected() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.TWO_THIRDS), committee, ballots(committee, abstain=5))

    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


# --- Weighted votes ------------------------------------------------------------


def weighted_body() -> dict[str, int]:
    """Five partners; the coordinator weighs 3, the others 1 (total 7)."""
    return {"COORD": 3, "P2": 1, "P3": 1, "P4": 1, "P5": 1}


def test_a_heavy_partner_alone_does_not_make_a_quorum_by_weight() -> None:
    # Given a body where one partner weighs 3 out of 7, quorum 50 % by weight
    body = weighted_body()

    # When only that partner votes
    result = tally(rule(Majority.SIMPLE, by_weight=True), body, {"COORD": FOR})

    # Then 3/7 is short of half the weight
    assert (result.weight_voted, result.weight_total) == (3, 7)
    assert result.outcome is Outcome.NO_QUORUM


def test_a_heavy_partner_and_one_other_make_a_quorum_by_weight_not_by_head() -> None:
    # Given the weighted body and two voters weighing 4 out of 7
    body = weighted_body()
    votes = {"COORD": FOR, "P2": AGAINST}

    # When counted by weight, then by head
    by_weight = tally(rule(Majority.SIMPLE, by_weight=True), body, votes)
    by_head = tally(rule(Majority.SIMPLE, by_weight=False), body, votes)

    # Then 4/7 of the weight is a quorum, 2/5 of the partners is not
    assert by_weight.quorum_reached
    assert not by_head.quorum_reached
    assert by_head.outcome is Outcome.NO_QUORUM


def test_votes_are_weighted_so_a_heavy_partner_outweighs_two_others() -> None:
    body = weighted_body()
    votes = {"COORD": FOR, "P2": AGAINST, "P3": AGAINST}

    result = tally(rule(Majority.SIMPLE, by_weight=True), body, votes)

    assert (result.for_weight, result.against_weight) == (3, 2)
    assert result.outcome is Outcome.ADOPTED


def test_the_heavy_partner_cannot_reach_two_thirds_against_two_others() -> None:
    body = weighted_body()
    votes = {"COORD": FOR, "P2": AGAINST, "P3": AGAINST}

    result = tally(rule(Majority.TWO_THIRDS, by_weight=True), body, votes)

    assert result.outcome is Outcome.REJECTED


# --- Simple majority -----------------------------------------------------------


def test_simple_majority_adopts_with_more_for_than_against() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.SIMPLE),
        committee,
        ballots(committee, cast_for=3, against=2),
    )

    assert result.outcome is Outcome.ADOPTED


def test_a_tie_under_simple_majority_is_rejected() -> None:
    # Given 3 for and 3 against
    committee = a_body(7)
    votes = ballots(committee, cast_for=3, against=3, abstain=1)

    # When counted under a simple majority
    result = tally(rule(Majority.SIMPLE), committee, votes)

    # Then a tie is not a majority
    assert result.quorum_reached
    assert not result.majority_reached
    assert result.outcome is Outcome.REJECTED


def test_simple_majority_ignores_abstentions() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.SIMPLE),
        committee,
        ballots(committee, cast_for=1, abstain=4),
    )

    assert result.outcome is Outcome.ADOPTED


# --- Absolute majority ---------------------------------------------------------


def test_absolute_majority_counts_absent_members() -> None:
    # Given 5 of 7 partners voting 3 for and 2 against
    committee = a_body(7)
    votes = ballots(committee, cast_for=3, against=2)

    # When counted under a simple and under an absolute majority
    simple = tally(rule(Majority.SIMPLE), committee, votes)
    absolute = tally(rule(Majority.ABSOLUTE), committee, votes)

    # Then 3 beats 2, but 3 is not more than half of the 7 members
    assert simple.outcome is Outcome.ADOPTED
    assert absolute.outcome is Outcome.REJECTED


def test_absolute_majority_adopts_with_more_than_half_of_all_members() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.ABSOLUTE), committee, ballots(committee, cast_for=4))

    assert result.outcome is Outcome.ADOPTED


def test_exactly_half_of_all_members_is_not_an_absolute_majority() -> None:
    committee = a_body(8)

    result = tally(rule(Majority.ABSOLUTE), committee, ballots(committee, cast_for=4))

    assert result.outcome is Outcome.REJECTED


def test_absolute_majority_counts_the_absent_weight() -> None:
    # Given the weighted body (total 7) where the coordinator (3) votes for
    body = weighted_body()
    votes = {"COORD": FOR, "P2": ABSTAIN, "P3": ABSTAIN}

    # When counted under an absolute majority
    result = tally(rule(Majority.ABSOLUTE, by_weight=True), body, votes)

    # Then 3 is not more than half of 7
    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


# --- Unanimity -----------------------------------------------------------------


def test_unanimity_adopts_when_everyone_taking_part_votes_for() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.UNANIMITY), committee, ballots(committee, cast_for=5))

    assert result.outcome is Outcome.ADOPTED


def test_one_abstention_breaks_unanimity() -> None:
    # Given 6 partners for and one abstaining
    committee = a_body(7)
    votes = ballots(committee, cast_for=6, abstain=1)

    # When counted under unanimity
    result = tally(rule(Majority.UNANIMITY), committee, votes)

    # Then the abstention blocks the decision
    assert result.outcome is Outcome.REJECTED


def test_one_vote_against_breaks_unanimity() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.UNANIMITY),
        committee,
        ballots(committee, cast_for=6, against=1),
    )

    assert result.outcome is Outcome.REJECTED


def test_unanimity_needs_at_least_one_vote_for() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.UNANIMITY, Decimal(0)), committee, {})

    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


# --- Two thirds of two thirds --------------------------------------------------


def test_two_thirds_of_two_thirds_raises_a_half_quorum_to_two_thirds() -> None:
    assert rule(Majority.TWO_THIRDS_OF_TWO_THIRDS).effective_quorum == Fraction(2, 3)
    assert rule(Majority.TWO_THIRDS).effective_quorum == Fraction(1, 2)


def test_two_thirds_of_two_thirds_keeps_a_higher_quorum() -> None:
    strict = rule(Majority.TWO_THIRDS_OF_TWO_THIRDS, Decimal("0.75"))

    assert strict.effective_quorum == Fraction(3, 4)


def test_two_thirds_of_two_thirds_needs_two_thirds_of_members_despite_half_quorum() -> (
    None
):
    # Given a rule whose quorum says 0.5 and 4 of 7 partners voting, all for
    committee = a_body(7)
    votes = ballots(committee, cast_for=4)

    # When counted under two thirds and under two thirds of two thirds
    two_thirds = tally(rule(Majority.TWO_THIRDS), committee, votes)
    double = tally(rule(Majority.TWO_THIRDS_OF_TWO_THIRDS), committee, votes)

    # Then 4/7 is a half quorum but not two thirds of the members
    assert two_thirds.outcome is Outcome.ADOPTED
    assert double.outcome is Outcome.NO_QUORUM


def test_two_thirds_of_two_thirds_adopts_with_five_of_seven_voting_four_for() -> None:
    committee = a_body(7)

    result = tally(
        rule(Majority.TWO_THIRDS_OF_TWO_THIRDS),
        committee,
        ballots(committee, cast_for=4, against=1),
    )

    assert result.outcome is Outcome.ADOPTED


def test_two_thirds_of_two_thirds_accepts_exactly_two_thirds_of_the_members() -> None:
    committee = a_body(6)

    result = tally(
        rule(Majority.TWO_THIRDS_OF_TWO_THIRDS),
        committee,
        ballots(committee, cast_for=4),
    )

    assert result.quorum_reached
    assert result.outcome is Outcome.ADOPTED


def test_two_thirds_of_two_thirds_rejects_short_of_two_thirds_of_votes_cast() -> None:
    committee = a_body(6)

    result = tally(
        rule(Majority.TWO_THIRDS_OF_TWO_THIRDS),
        committee,
        ballots(committee, cast_for=3, against=2),
    )

    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


def test_two_thirds_of_two_thirds_raises_a_quorum_by_weight_too() -> None:
    # Given the weighted body (total 7) where 4 of the weight votes for
    body = weighted_body()
    votes = {"COORD": FOR, "P2": FOR}

    # When counted by weight with a half quorum
    result = tally(rule(Majority.TWO_THIRDS_OF_TWO_THIRDS, by_weight=True), body, votes)

    # Then 4/7 of the weight is short of two thirds
    assert result.outcome is Outcome.NO_QUORUM


# --- Custom options ------------------------------------------------------------


def test_the_leading_custom_option_wins_when_it_has_the_majority() -> None:
    # Given a choice of venue among three cities
    committee = a_body(7)
    votes = {"P1": "Lyon", "P2": "Lyon", "P3": "Lyon", "P4": "Lille", "P5": ABSTAIN}

    # When counted under a simple majority
    result = tally(rule(Majority.SIMPLE), committee, votes, CUSTOM_OPTIONS)

    # Then Lyon leads, plays "for" against every other city, and wins
    assert result.leading_option == "Lyon"
    assert (result.for_weight, result.against_weight) == (3, 1)
    assert result.abstain_weight == 1
    assert result.outcome is Outcome.ADOPTED
    assert dict(result.by_option) == {"Lyon": 3, "Lille": 1, "Nantes": 0, ABSTAIN: 1}


def test_the_leading_custom_option_loses_without_the_majority() -> None:
    # Given Lyon leads with 3, but the other cities gather 3 as well
    committee = a_body(7)
    votes = {
        "P1": "Lyon",
        "P2": "Lyon",
        "P3": "Lyon",
        "P4": "Lille",
        "P5": "Lille",
        "P6": "Nantes",
    }

    # When counted under a simple majority
    result = tally(rule(Majority.SIMPLE), committee, votes, CUSTOM_OPTIONS)

    # Then leading is not enough: 3 for against 3 is no majority
    assert result.leading_option == "Lyon"
    assert result.outcome is Outcome.REJECTED


@pytest.mark.parametrize("majority", list(Majority))
def test_a_tie_between_custom_options_is_never_adopted(majority: Majority) -> None:
    # Given Lyon and Lille tied at the top
    committee = a_body(4)
    votes = {"P1": "Lyon", "P2": "Lyon", "P3": "Lille", "P4": "Lille"}

    # When counted under any majority
    result = tally(rule(majority), committee, votes, CUSTOM_OPTIONS)

    # Then the tie goes to the option listed first, and is rejected
    assert result.leading_option == "Lyon"
    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


def test_a_tie_goes_to_the_option_listed_first() -> None:
    committee = a_body(2)
    votes = {"P1": "Nantes", "P2": "Lille"}

    result = tally(rule(Majority.SIMPLE), committee, votes, CUSTOM_OPTIONS)

    assert result.leading_option == "Lille"
    assert result.outcome is Outcome.REJECTED


# --- What is not counted -------------------------------------------------------


def test_votes_from_non_members_are_ignored() -> None:
    # Given 3 members of 7 voting for, and 3 outsiders voting against
    committee = a_body(7)
    votes = {
        **ballots(committee, cast_for=4),
        "OUTSIDER1": AGAINST,
        "OUTSIDER2": AGAINST,
        "OUTSIDER3": AGAINST,
    }

    # When counted
    result = tally(rule(Majority.SIMPLE), committee, votes)

    # Then only the members' votes are seen
    assert result.voted == 4
    assert result.against_weight == 0
    assert result.outcome is Outcome.ADOPTED


def test_votes_for_unknown_options_are_ignored() -> None:
    # Given 4 members voting, one of them for an option that is not on the ballot
    committee = a_body(7)
    votes = {"P1": FOR, "P2": FOR, "P3": FOR, "P4": "maybe"}

    # When counted
    result = tally(rule(Majority.SIMPLE), committee, votes)

    # Then that vote is not counted, not even towards the quorum
    assert result.voted == 3
    assert "maybe" not in dict(result.by_option)
    assert result.outcome is Outcome.NO_QUORUM


def test_a_default_option_is_unknown_on_a_custom_ballot() -> None:
    committee = a_body(2)
    votes = {"P1": FOR, "P2": "Nantes"}

    result = tally(rule(Majority.SIMPLE), committee, votes, CUSTOM_OPTIONS)

    assert result.voted == 1
    assert result.leading_option == "Nantes"


@pytest.mark.parametrize("quorum", QUORUMS)
@pytest.mark.parametrize("by_weight", [False, True])
def test_an_empty_body_never_reaches_quorum(quorum: Decimal, by_weight: bool) -> None:
    result = tally(rule(Majority.SIMPLE, quorum, by_weight=by_weight), {}, {"P1": FOR})

    assert result.outcome is Outcome.NO_QUORUM
    assert (result.members, result.voted, result.weight_total) == (0, 0, 0)


def test_a_quorum_of_zero_is_reached_without_any_vote() -> None:
    committee = a_body(7)

    result = tally(rule(Majority.SIMPLE, Decimal(0)), committee, {})

    assert result.quorum_reached
    assert result.outcome is Outcome.REJECTED


def test_a_quorum_of_one_needs_every_member() -> None:
    committee = a_body(7)

    six = tally(
        rule(Majority.SIMPLE, Decimal(1)), committee, ballots(committee, cast_for=6)
    )
    seven = tally(
        rule(Majority.SIMPLE, Decimal(1)), committee, ballots(committee, cast_for=7)
    )

    assert six.outcome is Outcome.NO_QUORUM
    assert seven.outcome is Outcome.ADOPTED


# --- can_still_reach_quorum ----------------------------------------------------


def test_the_quorum_is_still_reachable_before_anyone_votes() -> None:
    assert can_still_reach_quorum(rule(Majority.SIMPLE, Decimal(1)), a_body(7), {})


def test_the_quorum_is_still_reachable_while_enough_members_have_not_voted() -> None:
    # Given 2 of 7 have voted and a quorum of 50 %
    committee = a_body(7)
    votes = ballots(committee, cast_for=2)

    # Then the quorum is not reached yet, but still can be
    assert tally(rule(Majority.SIMPLE), committee, votes).outcome is Outcome.NO_QUORUM
    assert can_still_reach_quorum(rule(Majority.SIMPLE), committee, votes)


def test_absent_members_are_counted_as_potential_voters() -> None:
    # Given a quorum of every member, and nobody but one has voted
    committee = a_body(7)

    # Then the six absent members could still make it
    assert can_still_reach_quorum(
        rule(Majority.UNANIMITY, Decimal(1)), committee, {"P1": AGAINST}
    )


def test_the_quorum_is_no_longer_reachable_once_too_many_votes_cannot_count() -> None:
    # Given 4 of 7 members cast a vote that cannot be counted (an unknown option):
    # they have voted, so only 3 members can still take part
    committee = a_body(7)
    votes = {"P1": "maybe", "P2": "maybe", "P3": "maybe", "P4": "maybe"}

    # Then 3 of 7 can no longer make a 50 % quorum; with 3 spoilt votes, 4 still can
    assert not can_still_reach_quorum(rule(Majority.SIMPLE), committee, votes)
    assert can_still_reach_quorum(
        rule(Majority.SIMPLE), committee, {"P1": "maybe", "P2": "maybe", "P3": "maybe"}
    )


def test_a_weighted_quorum_is_lost_when_the_heavy_partner_cannot_count() -> None:
    body = weighted_body()
    strict = rule(Majority.SIMPLE, Decimal("0.6"), by_weight=True)

    assert can_still_reach_quorum(strict, body, {"P2": FOR})
    assert not can_still_reach_quorum(strict, body, {"COORD": "maybe"})


def test_an_empty_body_can_never_reach_quorum() -> None:
    assert not can_still_reach_quorum(rule(Majority.SIMPLE, Decimal(0)), {}, {})


def test_a_weightless_body_can_never_reach_a_quorum_by_weight() -> None:
    assert not can_still_reach_quorum(
        rule(Majority.SIMPLE, by_weight=True), a_body(3, weight=0), {}
    )


# --- rule_can_be_met -----------------------------------------------------------


@pytest.mark.parametrize("majority", list(Majority))
@pytest.mark.parametrize("quorum", QUORUMS)
@pytest.mark.parametrize("by_weight", [False, True])
def test_usual_rules_can_be_met(
    majority: Majority, quorum: Decimal, by_weight: bool
) -> None:
    assert rule_can_be_met(rule(majority, quorum, by_weight=by_weight), a_body(7))
    assert rule_can_be_met(rule(majority, quorum, by_weight=by_weight), weighted_body())


@pytest.mark.parametrize("majority", list(Majority))
def test_no_rule_can_be_met_by_an_empty_body(majority: Majority) -> None:
    assert not rule_can_be_met(rule(majority), {})


@pytest.mark.parametrize("majority", list(Majority))
def test_no_rule_can_be_met_when_a_member_weighs_nothing(majority: Majority) -> None:
    body = {**a_body(4), "SLEEPER": 0}

    assert not rule_can_be_met(rule(majority), body)


def test_a_quorum_above_every_member_cannot_be_met() -> None:
    assert not rule_can_be_met(rule(Majority.SIMPLE, Decimal("1.5")), a_body(7))


# --- Properties ----------------------------------------------------------------

ABSENT = None
CHOICES = (FOR, AGAINST, ABSTAIN, ABSENT)


Setup = tuple[VotingRule, dict[str, int], dict[str, str]]


def _setup(
    weights_and_choices: list[tuple[int, str | None]],
    quorum: Decimal,
    by_weight: bool,
    majority: Majority,
) -> Setup:
    members = {f"P{i}": w for i, (w, _) in enumerate(weights_and_choices, start=1)}
    votes = {
        partner: choice
        for partner, (_, choice) in zip(members, weights_and_choices, strict=True)
        if choice is not ABSENT
    }
    return rule(majority, quorum, by_weight=by_weight), members, votes


# A rule, 1–12 members weighing 1–5, and their votes (some absent).
vote_setups = st.builds(
    _setup,
    st.lists(
        st.tuples(st.integers(1, 5), st.sampled_from(CHOICES)), min_size=1, max_size=12
    ),
    st.sampled_from(QUORUMS),
    st.booleans(),
    st.sampled_from(list(Majority)),
)


@PROPERTY_SETTINGS
@given(setup=vote_setups, data=st.data())
def test_turning_a_vote_into_for_never_undoes_an_adoption(
    setup: Setup, data: st.DataObject
) -> None:
    voting_rule, members, votes = setup
    not_for = [partner for partner in members if votes.get(partner) != FOR]
    assume(not_for)
    partner = data.draw(st.sampled_from(not_for))

    before = tally(voting_rule, members, votes)
    after = tally(voting_rule, members, {**votes, partner: FOR})

    assert after.weight_voted >= before.weight_voted
    if before.outcome is Outcome.ADOPTED:
        assert after.outcome is Outcome.ADOPTED


@PROPERTY_SETTINGS
@given(setup=vote_setups, data=st.data())
def test_turning_a_for_into_against_never_adopts_a_rejected_proposal(
    setup: Setup, data: st.DataObject
) -> None:
    voting_rule, members, votes = setup
    voting_for = [partner for partner, option in votes.items() if option == FOR]
    assume(voting_for)
    partner = data.draw(st.sampled_from(voting_for))

    before = tally(voting_rule, members, votes)
    after = tally(voting_rule, members, {**votes, partner: AGAINST})

    assert after.quorum_reached == before.quorum_reached
    if before.outcome is Outcome.REJECTED:
        assert after.outcome is Outcome.REJECTED


@PROPERTY_SETTINGS
@given(setup=vote_setups)
def test_the_outcome_follows_from_quorum_and_majority(setup: Setup) -> None:
    voting_rule, members, votes = setup

    result = tally(voting_rule, members, votes)

    share = (
        Fraction(result.weight_voted, result.weight_total)
        if voting_rule.quorum_by_weight
        else Fraction(result.voted, result.members)
    )
    assert result.quorum_reached == (share >= voting_rule.effective_quorum)
    assert (result.outcome is Outcome.NO_QUORUM) == (not result.quorum_reached)
    assert (result.outcome is Outcome.ADOPTED) == (
        result.quorum_reached and result.majority_reached
    )
    assert result.outcome is not Outcome.VETOED


@PROPERTY_SETTINGS
@given(setup=vote_setups)
def test_the_tally_weights_add_up(setup: Setup) -> None:
    voting_rule, members, votes = setup

    result = tally(voting_rule, members, votes)

    assert (
        result.for_weight + result.against_weight + result.abstain_weight
        == result.weight_voted
        <= result.weight_total
        == sum(members.values())
    )
    assert result.voted == len(votes) <= result.members == len(members)
    assert sum(weight for _, weight in result.by_option) == result.weight_voted


@PROPERTY_SETTINGS
@given(setup=vote_setups, data=st.data())
def test_the_outcome_does_not_depend_on_the_order_of_the_votes(
    setup: Setup, data: st.DataObject
) -> None:
    voting_rule, members, votes = setup
    shuffled = dict(data.draw(st.permutations(list(votes.items()))))

    assert tally(voting_rule, members, shuffled) == tally(voting_rule, members, votes)


@PROPERTY_SETTINGS
@given(setup=vote_setups)
def test_a_body_voting_unanimously_for_adopts_under_every_rule(setup: Setup) -> None:
    voting_rule, members, votes = setup

    result = tally(voting_rule, members, dict.fromkeys(members, FOR))

    assert result.outcome is Outcome.ADOPTED
    assert rule_can_be_met(voting_rule, members)
    # Whatever has been voted so far, the members still to vote could make it.
    assert can_still_reach_quorum(voting_rule, members, votes)


@PROPERTY_SETTINGS
@given(
    members=st.lists(st.integers(1, 5), min_size=1, max_size=12),
    choices=st.lists(st.sampled_from(CUSTOM_OPTIONS), max_size=12),
    majority=st.sampled_from(list(Majority)),
)
def test_a_tie_at_the_top_of_custom_options_is_never_adopted(
    members: list[int], choices: list[str], majority: Majority
) -> None:
    body = {f"P{i}": weight for i, weight in enumerate(members, start=1)}
    votes = dict(zip(body, choices, strict=False))

    result = tally(rule(majority, Decimal(0)), body, votes, CUSTOM_OPTIONS)

    counts = sorted(
        (weight for option, weight in result.by_option if option != ABSTAIN),
        reverse=True,
    )
    if counts[0] == counts[1]:
        assert not result.majority_reached
        assert result.outcome is not Outcome.ADOPTED
