"""The chair records the votes given at a meeting (issue 17): one vote per partner,
a partner's own vote kept, refusals leaving nothing behind."""

from __future__ import annotations

import pytest

from governance.errors import RuleViolated
from governance.proposal import Proposal
from governance.values import MEETING
from governance.voting import FOR
from tests.support.builders import T0
from tests.unit.governance.test_proposal import ASSO, LAB, LEAD, emitted, tabled

pytestmark = pytest.mark.usefixtures("acting")


def meeting() -> Proposal:
    """A proposal put to a meeting, just tabled."""
    return tabled(mode=MEETING)


def test_the_chair_records_a_vote_given_in_person_or_through_a_proxy() -> None:
    proposal = meeting()

    proposal.record_vote(LEAD, FOR, " ", LEAD, at=T0)
    proposal.record_vote(ASSO, "against", "Trop cher", LAB, at=T0)

    assert emitted(proposal) == [
        (
            Proposal.VoteRecorded,
            {"partner_id": LEAD, "option": FOR, "reason": "", "through": LEAD},
        ),
        (
            Proposal.VoteRecorded,
            {
                "partner_id": ASSO,
                "option": "against",
                "reason": "Trop cher",
                "through": LAB,
            },
        ),
    ]
    assert proposal.votes == {LEAD: FOR, ASSO: "against"}


def test_a_vote_recorded_by_mistake_is_recorded_again_not_twice_the_same() -> None:
    proposal = meeting()
    proposal.record_vote(LEAD, FOR, "", LEAD, at=T0)
    emitted(proposal)

    with pytest.raises(RuleViolated) as same:
        proposal.record_vote(LEAD, FOR, "", LEAD, at=T0)
    proposal.record_vote(LEAD, "against", "", LEAD, at=T0)

    assert same.value.code == "vote.unchanged"
    assert [kind for kind, _ in emitted(proposal)] == [Proposal.VoteRecorded]
    assert proposal.votes == {LEAD: "against"}


@pytest.mark.parametrize(
    ("setup", "partner", "option", "code"),
    [
        ("written", LEAD, FOR, "ballot.not_a_meeting"),
        ("closed", LEAD, FOR, "proposal.closed"),
        ("voted itself", LAB, "against", "ballot.cast_by_the_partner"),
        ("open", "p-stranger", FOR, "vote.not_a_member"),
        ("open", LEAD, "maybe", "vote.option_unknown"),
    ],
)
def test_a_ballot_the_chair_may_not_record_is_refused_and_records_nothing(
    setup: str, partner: str, option: str, code: str
) -> None:
    proposal = tabled() if setup == "written" else meeting()
    if setup == "closed":
        proposal.close(at=T0)
    if setup == "voted itself":
        proposal.cast_vote(LAB, FOR, "", at=T0)
    emitted(proposal)

    with pytest.raises(RuleViolated) as refused:
        proposal.record_vote(partner, option, "", partner, at=T0)

    assert refused.value.code == code
    assert emitted(proposal) == []
