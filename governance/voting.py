"""Voting rules as pure functions: quorum, majorities, and the outcome of a vote.

A governance body's rule says how many of its member partners (or how much of their
weight) must take part, and which majority adopts a proposal. Consortium agreements
(the DESCA model) use these majorities; each is defined once here:

- simple: more votes for than against among votes cast (abstentions not counted);
- absolute: votes for exceed half of all members (or weights), present or not;
- two thirds: votes for reach two thirds of the votes cast for or against;
- unanimity: every member taking part voted for (abstaining blocks it);
- two thirds of two thirds: two thirds of the members take part and two thirds of the
  votes cast are for (the quorum is then at least two thirds).

With custom options, the leading option plays the part of "for" and every other
option, abstentions aside, of "against".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

FOR = "for"
AGAINST = "against"
ABSTAIN = "abstain"
DEFAULT_OPTIONS: tuple[str, ...] = (FOR, AGAINST, ABSTAIN)


class Majority(Enum):
    """Which majority adopts a proposal."""

    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    UNANIMITY = "unanimity"
    TWO_THIRDS_OF_TWO_THIRDS = "two_thirds_of_two_thirds"


class Outcome(Enum):
    """How a vote ended."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    VETOED = "vetoed"


@dataclass(frozen=True)
class VotingRule:
    """A body's decision rule: quorum (a share of members or weights) and majority.

    The quorum is an exact fraction: "two thirds" is 2/3, which no percentage is
    (66.67 % is more, so 4 of 6 members would miss it). Rules recorded before
    fractions existed hold a decimal, kept as it was so that their events are
    stored again as the very same bytes; ``share`` reads either exactly.
    """

    quorum: Fraction | Decimal = Fraction(1, 2)
    quorum_by_weight: bool = False
    majority: Majority = Majority.SIMPLE
    veto_days: int = 0

    @property
    def share(self) -> Fraction:
        """The quorum as entered, as an exact fraction."""
        return Fraction(self.quorum)

    @property
    def effective_quorum(self) -> Fraction:
        """The quorum actually applied (two thirds of two thirds raises it)."""
        quorum = self.share
        if self.majority is Majority.TWO_THIRDS_OF_TWO_THIRDS:
            return max(quorum, Fraction(2, 3))
        return quorum


@dataclass(frozen=True)
class Tally:
    """The counted votes and the outcome, with what an explanation needs."""

    outcome: Outcome
    members: int
    voted: int
    weight_total: int
    weight_voted: int
    for_weight: int
    against_weight: int
    abstain_weight: int
    leading_option: str
    quorum_reached: bool
    majority_reached: bool
    by_option: tuple[tuple[str, int], ...]


def tally(
    rule: VotingRule,
    members: dict[str, int],
    votes: dict[str, str],
    options: tuple[str, ...] = DEFAULT_OPTIONS,
) -> Tally:
    """Count ``votes`` (partner → option) of ``members`` (partner → weight)."""
    counted = {
        partner: option
        for partner, option in votes.items()
        if partner in members and option in options
    }
    by_option = dict.fromkeys(options, 0)
    for partner, option in counted.items():
        by_option[option] += members[partner]
    leading = _leading(options, by_option)
    for_weight = by_option[leading]
    abstain = by_option.get(ABSTAIN, 0)
    against = sum(w for o, w in by_option.items() if o not in {leading, ABSTAIN})
    weight_total = sum(members.values())
    weight_voted = sum(members[p] for p in counted)
    quorum_reached = _quorum(
        rule, len(members), len(counted), weight_total, weight_voted
    )
    majority_reached = _majority(
        rule.majority, for_weight, against, abstain, weight_total
    )
    if not quorum_reached:
        outcome = Outcome.NO_QUORUM
    else:
        outcome = Outcome.ADOPTED if majority_reached else Outcome.REJECTED
    return Tally(
        outcome,
        len(members),
        len(counted),
        weight_total,
        weight_voted,
        for_weight,
        against,
        abstain,
        leading,
        quorum_reached,
        majority_reached,
        tuple(by_option.items()),
    )


def _leading(options: tuple[str, ...], by_option: dict[str, int]) -> str:
    if FOR in options:
        return FOR
    candidates = [o for o in options if o != ABSTAIN]
    # Ties go to the option listed first: a tie is never a majority anyway.
    return max(candidates, key=lambda o: (by_option[o], -candidates.index(o)))


def _quorum(
    rule: VotingRule, members: int, voted: int, weight_total: int, weight_voted: int
) -> bool:
    if members == 0:
        return False
    if rule.quorum_by_weight:
        return (
            weight_total > 0
            and Fraction(weight_voted, weight_total) >= rule.effective_quorum
        )
    return Fraction(voted, members) >= rule.effective_quorum


def _majority(
    majority: Majority, for_weight: int, against: int, abstain: int, weight_total: int
) -> bool:
    cast = for_weight + against
    if majority is Majority.SIMPLE:
        return for_weight > against
    if majority is Majority.ABSOLUTE:
        return 2 * for_weight > weight_total
    if majority is Majority.UNANIMITY:
        return for_weight > 0 and against == 0 and abstain == 0
    # Two thirds, and two thirds of two thirds (whose quorum is handled above).
    return cast > 0 and 3 * for_weight >= 2 * cast


def can_still_reach_quorum(
    rule: VotingRule,
    members: dict[str, int],
    votes: dict[str, str],
    options: tuple[str, ...] = DEFAULT_OPTIONS,
    able: set[str] | None = None,
) -> bool:
    """Whether the quorum is still reachable if every member ``able`` to vote does.

    ``able`` is who can still vote (partners that withdrew cannot); by default every
    member.
    """
    any_option = ABSTAIN if ABSTAIN in options else options[0]
    outstanding = {
        partner: any_option
        for partner in members
        if partner not in votes and (able is None or partner in able)
    }
    return tally(rule, members, {**outstanding, **votes}, options).quorum_reached


def rule_can_be_met(rule: VotingRule, members: dict[str, int]) -> bool:
    """Whether the body's members can ever adopt anything under its rule."""
    if not members or any(weight <= 0 for weight in members.values()):
        return False
    return tally(rule, members, dict.fromkeys(members, FOR)).outcome is Outcome.ADOPTED
