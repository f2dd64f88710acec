"""The Proposal and Decision aggregates: tabling, voting, closing, vetoing, recording.

Commands are checked on the events they record (``collect_events``); a refused
command records nothing. Time is passed in, so deadlines are tested to the second.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce
from typing import Any

import pytest

from governance.errors import RuleViolated
from governance.proposal import Ballot, Decision, Proposal
from governance.values import MEETING, WRITTEN
from governance.voting import FOR, Majority, Outcome, VotingRule
from tests.support.builders import (
    MEETING_ON,
    T0,
    a_motion,
    a_rule,
    an_evidence,
)

pytestmark = pytest.mark.usefixtures("acting")

CONSORTIUM = "c-1"
BODY = "b-copil"
LEAD = "p-lead"
LAB = "p-lab"
ASSO = "p-asso"
MEMBERS = {LEAD: 1, LAB: 1, ASSO: 1}
CLOSES_AT = T0 + timedelta(days=1)
SECOND = timedelta(seconds=1)

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

Emitted = list[tuple[type, dict[str, object]]]


def emitted(aggregate: Proposal | Decision) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in aggregate.collect_events()
    ]


def tabled(
    members: dict[str, int] | None = None, at: datetime = T0, **overrides: Any
) -> Proposal:
    """A proposal just tabled to the COPIL, its creation event already collected."""
    rule = overrides.pop("rule", a_rule())
    proposal = Proposal.table(
        CONSORTIUM,
        BODY,
        a_motion(**overrides),
        MEMBERS if members is None else members,
        rule,
        at,
    )
    proposal.collect_events()
    return proposal


def voted(proposal: Proposal, votes: dict[str, str], at: datetime = T0) -> Proposal:
    for partner_id, option in votes.items():
        proposal.cast_vote(partner_id, option, "", at=at)
    proposal.collect_events()
    return proposal


@pytest.fixture
def written() -> Proposal:
    """A written vote of the three COPIL partners, closing a day after ``T0``."""
    return tabled()


@pytest.fixture
def meeting() -> Proposal:
    """A vote put to the COPIL meeting of ``MEETING_ON``."""
    return tabled(mode=MEETING)


@pytest.fixture
def adopted(meeting: Proposal) -> Proposal:
    """Adopted by two votes for and one against, closed at ``T0``."""
    voted(meeting, {LEAD: FOR, LAB: FOR, ASSO: "against"})
    meeting.close(at=T0)
    meeting.collect_events()
    return meeting


# -- tabling --------------------------------------------------------------------------


def test_tabling_records_the_trimmed_motion_with_the_bodys_members_and_rule() -> None:
    proposal = Proposal.table(
        CONSORTIUM,
        BODY,
        a_motion(
            title="  Adopter le budget 2026 ",
            text=" Le budget est adopté. ",
            options=(" oui ", "non", "  "),
            document=an_evidence(filename="budget.pdf"),
        ),
        MEMBERS,
        a_rule(majority=Majority.TWO_THIRDS),
        T0,
    )

    assert emitted(proposal) == [
        (
            Proposal.Tabled,
            {
                "consortium_id": CONSORTIUM,
                "body_id": BODY,
                "title": "Adopter le budget 2026",
                "text": "Le budget est adopté.",
                "options": ("oui", "non"),
                "mode": WRITTEN,
                "closes_at": CLOSES_AT,
                "meeting_on": None,
                "document": an_evidence(filename="budget.pdf"),
                "members": MEMBERS,
                "rule": a_rule(majority=Majority.TWO_THIRDS),
            },
        )
    ]


def test_a_new_proposal_is_open_without_votes(written: Proposal) -> None:
    assert (written.outcome, written.closed_at, written.votes) == (None, None, {})


def test_a_written_vote_keeps_no_meeting_date() -> None:
    proposal = tabled(meeting_on=MEETING_ON)

    assert (proposal.closes_at, proposal.meeting_on) == (CLOSES_AT, None)


def test_a_meeting_vote_keeps_no_closing_time() -> None:
    proposal = tabled(mode=MEETING, closes_at=CLOSES_AT)

    assert (proposal.closes_at, proposal.meeting_on) == (None, MEETING_ON)


def test_the_proposal_keeps_its_own_copy_of_the_members() -> None:
    members = dict(MEMBERS)
    proposal = tabled(members)

    members["p-newcomer"] = 1

    assert proposal.members == MEMBERS


@pytest.mark.parametrize("title", ["", "   "])
def test_tabling_without_a_title_is_refused(title: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled(title=title)

    assert refused.value.code == "proposal.title_required"


@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="none"),
        pytest.param(("oui",), id="one"),
        pytest.param(("oui", "  "), id="one-and-a-blank"),
        pytest.param(("oui", "non", "oui"), id="duplicate"),
        pytest.param(("oui", " oui "), id="duplicate-once-trimmed"),
    ],
)
def test_tabling_with_invalid_options_is_refused(options: tuple[str, ...]) -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled(options=options)

    assert refused.value.code == "proposal.options_invalid"


@pytest.mark.parametrize(
    "closes_at",
    [
        pytest.param(None, id="none"),
        pytest.param(T0, id="now"),
        pytest.param(T0 - SECOND, id="past"),
    ],
)
def test_a_written_vote_closing_now_or_in_the_past_is_refused(
    closes_at: datetime | None,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled(closes_at=closes_at)

    assert refused.value.code == "proposal.closing_in_the_past"


def test_a_written_vote_may_close_a_second_from_now() -> None:
    proposal = tabled(closes_at=T0 + SECOND)

    assert proposal.closes_at == T0 + SECOND


def test_a_meeting_vote_without_a_meeting_date_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled(mode=MEETING, meeting_on=None)

    assert refused.value.code == "proposal.meeting_date_required"


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled(mode="by_post")

    assert refused.value.code == "proposal.mode_invalid"


def test_tabling_to_a_body_without_members_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        tabled({})

    assert refused.value.code == "proposal.body_without_members"


# -- voting ---------------------------------------------------------------------------


def test_casting_a_vote_records_the_partners_option_and_trimmed_reason(
    written: Proposal,
) -> None:
    written.cast_vote(LAB, FOR, "  Budget équilibré ", at=T0)

    assert emitted(written) == [
        (
            Proposal.VoteCast,
            {"partner_id": LAB, "option": FOR, "reason": "Budget équilibré"},
        )
    ]
    assert written.votes == {LAB: FOR}


def test_changing_a_vote_records_the_change_and_keeps_one_ballot(
    written: Proposal,
) -> None:
    voted(written, {LAB: FOR})

    written.cast_vote(LAB, "against", "Chiffres revus", at=T0 + timedelta(hours=2))

    assert emitted(written) == [
        (
            Proposal.VoteChanged,
            {"partner_id": LAB, "option": "against", "reason": "Chiffres revus"},
        )
    ]
    assert written.ballots == {LAB: Ballot("against", "Chiffres revus")}


def test_giving_a_new_reason_for_the_same_option_is_a_change(
    written: Proposal,
) -> None:
    voted(written, {LAB: FOR})

    written.cast_vote(LAB, FOR, "Après discussion", at=T0)

    assert [type(e) for e in written.collect_events()] == [Proposal.VoteChanged]


def test_casting_the_same_vote_again_is_refused(written: Proposal) -> None:
    written.cast_vote(LAB, FOR, "Budget équilibré", at=T0)
    written.collect_events()

    with pytest.raises(RuleViolated) as refused:
        written.cast_vote(LAB, FOR, " Budget équilibré  ", at=T0)

    assert refused.value.code == "vote.unchanged"
    assert emitted(written) == []


def test_a_partner_outside_the_body_may_not_vote(written: Proposal) -> None:
    with pytest.raises(RuleViolated) as refused:
        written.cast_vote("p-outsider", FOR, "", at=T0)

    assert refused.value.code == "vote.not_a_member"
    assert emitted(written) == []


@pytest.mark.parametrize("option", ["peut-être", "FOR", ""])
def test_voting_for_an_unknown_option_is_refused(
    written: Proposal, option: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        written.cast_vote(LAB, option, "", at=T0)

    assert refused.value.code == "vote.option_unknown"
    assert emitted(written) == []


def test_a_default_option_is_unknown_on_a_custom_ballot() -> None:
    proposal = tabled(options=("Lyon", "Grenoble"))

    with pytest.raises(RuleViolated) as refused:
        proposal.cast_vote(LAB, FOR, "", at=T0)

    assert refused.value.code == "vote.option_unknown"


def test_a_vote_a_second_before_the_deadline_counts(written: Proposal) -> None:
    written.cast_vote(LAB, FOR, "", at=CLOSES_AT - SECOND)

    assert written.votes == {LAB: FOR}


@pytest.mark.parametrize(
    "at",
    [pytest.param(CLOSES_AT, id="at"), pytest.param(CLOSES_AT + SECOND, id="after")],
)
def test_a_vote_at_or_after_the_deadline_is_refused(
    written: Proposal, at: datetime
) -> None:
    with pytest.raises(RuleViolated) as refused:
        written.cast_vote(LAB, FOR, "", at=at)

    assert refused.value.code == "proposal.deadline_passed"
    assert emitted(written) == []


def test_changing_a_vote_after_the_deadline_is_refused(written: Proposal) -> None:
    voted(written, {LAB: FOR})

    with pytest.raises(RuleViolated) as refused:
        written.cast_vote(LAB, "against", "", at=CLOSES_AT)

    assert refused.value.code == "proposal.deadline_passed"
    assert written.votes == {LAB: FOR}


def test_a_meeting_vote_has_no_deadline(meeting: Proposal) -> None:
    meeting.cast_vote(LAB, FOR, "", at=T0 + timedelta(days=30))

    assert meeting.votes == {LAB: FOR}


def test_a_vote_after_closing_is_refused(meeting: Proposal) -> None:
    meeting.close(at=T0)
    meeting.collect_events()

    with pytest.raises(RuleViolated) as refused:
        meeting.cast_vote(LAB, FOR, "", at=T0)

    assert refused.value.code == "proposal.closed"
    assert emitted(meeting) == []


# -- closing --------------------------------------------------------------------------


def test_closing_a_written_vote_at_its_deadline_records_the_outcome(
    written: Proposal,
) -> None:
    voted(written, {LEAD: FOR, LAB: FOR})

    outcome = written.close(at=CLOSES_AT)

    assert outcome is Outcome.ADOPTED
    assert emitted(written) == [
        (Proposal.Closed, {"outcome": Outcome.ADOPTED, "closed_at": CLOSES_AT})
    ]
    assert (written.outcome, written.closed_at) == (Outcome.ADOPTED, CLOSES_AT)


def test_closing_a_written_vote_before_its_deadline_is_refused(
    written: Proposal,
) -> None:
    voted(written, {LEAD: FOR, LAB: FOR, ASSO: FOR})

    with pytest.raises(RuleViolated) as refused:
        written.close(at=CLOSES_AT - SECOND)

    assert refused.value.code == "proposal.deadline_not_reached"
    assert (emitted(written), written.outcome) == ([], None)


def test_a_meeting_vote_closes_at_any_time(meeting: Proposal) -> None:
    voted(meeting, {LEAD: FOR, LAB: FOR})

    outcome = meeting.close(at=T0 + timedelta(minutes=5))

    assert outcome is Outcome.ADOPTED
    assert meeting.closed_at == T0 + timedelta(minutes=5)


def test_closing_twice_is_refused(meeting: Proposal) -> None:
    meeting.close(at=T0)
    meeting.collect_events()

    with pytest.raises(RuleViolated) as refused:
        meeting.close(at=T0 + timedelta(hours=1))

    assert refused.value.code == "proposal.closed"
    assert emitted(meeting) == []


@pytest.mark.parametrize(
    ("rule", "members", "votes", "expected"),
    [
        pytest.param(
            a_rule(),
            MEMBERS,
            {LEAD: FOR, LAB: FOR, ASSO: "against"},
            Outcome.ADOPTED,
            id="simple-majority",
        ),
        pytest.param(
            a_rule(),
            MEMBERS,
            {LEAD: FOR, LAB: "against"},
            Outcome.REJECTED,
            id="simple-majority-tie",
        ),
        pytest.param(a_rule(), MEMBERS, {LEAD: FOR}, Outcome.NO_QUORUM, id="no-quorum"),
        pytest.param(
            a_rule(majority=Majority.UNANIMITY),
            MEMBERS,
            {LEAD: FOR, LAB: FOR, ASSO: "abstain"},
            Outcome.REJECTED,
            id="unanimity-broken-by-an-abstention",
        ),
        pytest.param(
            a_rule(quorum_by_weight=True),
            {LEAD: 5, LAB: 1, ASSO: 1},
            {LEAD: FOR},
            Outcome.ADOPTED,
            id="heavy-partner-makes-the-quorum-by-weight",
        ),
        pytest.param(
            a_rule(majority=Majority.ABSOLUTE),
            {LEAD: 5, LAB: 3, ASSO: 3},
            {LEAD: FOR, LAB: "against"},
            Outcome.REJECTED,
            id="absolute-majority-counts-the-absent",
        ),
    ],
)
def test_the_outcome_follows_the_rule_the_proposal_was_tabled_with(
    rule: VotingRule,
    members: dict[str, int],
    votes: dict[str, str],
    expected: Outcome,
) -> None:
    proposal = voted(tabled(members, rule=rule, mode=MEETING), votes)

    assert proposal.close(at=T0) is expected


def test_the_outcome_counts_each_partners_last_vote(meeting: Proposal) -> None:
    voted(meeting, {LEAD: FOR, LAB: FOR, ASSO: "against"})
    voted(meeting, {LAB: "against"})

    assert meeting.close(at=T0) is Outcome.REJECTED


def test_a_custom_ballot_adopts_its_leading_option() -> None:
    proposal = tabled(mode=MEETING, options=("Lyon", "Grenoble", "abstain"))
    voted(proposal, {LEAD: "Grenoble", LAB: "Grenoble", ASSO: "Lyon"})

    assert proposal.close(at=T0) is Outcome.ADOPTED


# -- veto -----------------------------------------------------------------------------


def test_a_member_vetoes_an_adopted_outcome_with_a_trimmed_reason(
    adopted: Proposal,
) -> None:
    adopted.veto(ASSO, "  Contraire à la convention ", at=T0 + timedelta(days=3))

    assert emitted(adopted) == [
        (
            Proposal.OutcomeVetoed,
            {"partner_id": ASSO, "reason": "Contraire à la convention"},
        )
    ]
    assert adopted.outcome is Outcome.VETOED


def test_the_veto_window_lasts_the_rules_veto_days_after_closing(
    adopted: Proposal,
) -> None:
    assert adopted.veto_until() == T0 + timedelta(days=15)


def test_a_veto_on_the_last_moment_of_the_window_counts(adopted: Proposal) -> None:
    adopted.veto(ASSO, "Contraire à la convention", at=T0 + timedelta(days=15))

    assert adopted.outcome is Outcome.VETOED


def test_a_veto_after_the_window_is_refused(adopted: Proposal) -> None:
    with pytest.raises(RuleViolated) as refused:
        adopted.veto(ASSO, "Trop tard", at=T0 + timedelta(days=15) + SECOND)

    assert refused.value.code == "veto.window_closed"
    assert (emitted(adopted), adopted.outcome) == ([], Outcome.ADOPTED)


def test_a_veto_before_closing_is_refused(meeting: Proposal) -> None:
    voted(meeting, {LEAD: FOR, LAB: FOR})

    with pytest.raises(RuleViolated) as refused:
        meeting.veto(ASSO, "Contraire à la convention", at=T0)

    assert refused.value.code == "veto.nothing_to_veto"
    assert emitted(meeting) == []


@pytest.mark.parametrize(
    "votes",
    [
        pytest.param({LEAD: "against", LAB: "against"}, id="rejected"),
        pytest.param({}, id="no-quorum"),
    ],
)
def test_only_an_adopted_outcome_can_be_vetoed(
    meeting: Proposal, votes: dict[str, str]
) -> None:
    voted(meeting, votes)
    meeting.close(at=T0)
    meeting.collect_events()

    with pytest.raises(RuleViolated) as refused:
        meeting.veto(ASSO, "Contraire à la convention", at=T0)

    assert refused.value.code == "veto.nothing_to_veto"
    assert emitted(meeting) == []


def test_a_vetoed_outcome_cannot_be_vetoed_again(adopted: Proposal) -> None:
    adopted.veto(ASSO, "Contraire à la convention", at=T0)
    adopted.collect_events()

    with pytest.raises(RuleViolated) as refused:
        adopted.veto(LAB, "Moi aussi", at=T0)

    assert refused.value.code == "veto.nothing_to_veto"


def test_a_veto_is_refused_when_the_rule_allows_none() -> None:
    proposal = tabled(rule=a_rule(veto_days=0), mode=MEETING)
    voted(proposal, {LEAD: FOR, LAB: FOR})
    proposal.close(at=T0)
    proposal.collect_events()

    with pytest.raises(RuleViolated) as refused:
        proposal.veto(ASSO, "Contraire à la convention", at=T0)

    assert refused.value.code == "veto.not_allowed_by_rule"
    assert (emitted(proposal), proposal.outcome) == ([], Outcome.ADOPTED)


def test_a_partner_outside_the_body_may_not_veto(adopted: Proposal) -> None:
    with pytest.raises(RuleViolated) as refused:
        adopted.veto("p-outsider", "Contraire à la convention", at=T0)

    assert refused.value.code == "vote.not_a_member"
    assert emitted(adopted) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_veto_without_a_reason_is_refused(adopted: Proposal, reason: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        adopted.veto(ASSO, reason, at=T0)

    assert refused.value.code == "veto.reason_required"
    assert (emitted(adopted), adopted.outcome) == ([], Outcome.ADOPTED)


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_proposal() -> None:
    proposal = Proposal.table(
        CONSORTIUM, BODY, a_motion(mode=MEETING), MEMBERS, a_rule(), T0
    )
    proposal.cast_vote(LEAD, FOR, "", at=T0)
    proposal.cast_vote(LAB, "against", "", at=T0)
    proposal.cast_vote(LAB, FOR, "Convaincu", at=T0)
    proposal.close(at=T0)
    proposal.veto(ASSO, "Contraire à la convention", at=T0)

    events = proposal.collect_events()
    replayed = reduce(lambda state, past: past.mutate(state), events, None)

    assert replayed == proposal
    assert replayed.outcome is Outcome.VETOED


# -- decisions recorded after a meeting -----------------------------------------------


def recorded(**overrides: Any) -> Decision:
    arguments: dict[str, Any] = {
        "title": "Adopter le budget 2026",
        "text": "Adopté à l'unanimité des présents.",
        "outcome": Outcome.ADOPTED,
        "decided_on": MEETING_ON,
        "present": (LEAD, LAB),
        "minutes": an_evidence(filename="compte-rendu.pdf"),
    }
    arguments.update(overrides)
    return Decision.record(CONSORTIUM, BODY, **arguments)


def test_recording_a_decision_records_it_trimmed() -> None:
    decision = recorded(title=" Adopter le budget 2026 ", text=" Adopté. ")

    assert emitted(decision) == [
        (
            Decision.Recorded,
            {
                "consortium_id": CONSORTIUM,
                "body_id": BODY,
                "title": "Adopter le budget 2026",
                "text": "Adopté.",
                "outcome": Outcome.ADOPTED,
                "decided_on": MEETING_ON,
                "present": (LEAD, LAB),
                "minutes": an_evidence(filename="compte-rendu.pdf"),
            },
        )
    ]


def test_a_rejection_may_be_recorded_without_minutes() -> None:
    decision = recorded(outcome=Outcome.REJECTED, minutes=None)

    assert (decision.outcome, decision.minutes) == (Outcome.REJECTED, None)


def test_recording_a_decision_without_a_title_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        recorded(title="  ")

    assert refused.value.code == "proposal.title_required"


@pytest.mark.parametrize(
    "outcome", [Outcome.NO_QUORUM, Outcome.VETOED], ids=lambda o: o.value
)
def test_a_decision_is_either_adopted_or_rejected(outcome: Outcome) -> None:
    with pytest.raises(RuleViolated) as refused:
        recorded(outcome=outcome)

    assert refused.value.code == "decision.outcome_invalid"


def test_recording_a_decision_without_anyone_present_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        recorded(present=())

    assert refused.value.code == "decision.present_required"
