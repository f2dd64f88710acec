"""The Proposal aggregate: a question put to a governance body's vote.

The body's members (with their weights) and its rule are copied when the proposal is
tabled, so a later change of the body never changes a vote under way. The deadline is
enforced here with the time passed in. Each partner has one vote, which it may change
until the vote closes; every change stays in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.values import MEETING, WRITTEN, Evidence, Motion
from governance.voting import Outcome, VotingRule, tally


@dataclass
class Ballot:
    """A partner's current vote."""

    option: str
    reason: str
    recorded: bool = False
    """Recorded by the chair from the meeting (not cast by the partner itself)."""


class Proposal(Aggregate):
    """A proposal tabled to a body, its votes, its outcome and any veto."""

    class Tabled(GovernanceCreated):
        consortium_id: str
        body_id: str
        title: str
        text: str
        options: tuple[str, ...]
        mode: str
        closes_at: datetime | None
        meeting_on: date | None
        document: Evidence | None
        members: dict[str, int]
        rule: VotingRule

    class VoteCast(GovernanceEvent):
        partner_id: str
        option: str
        reason: str

    class VoteChanged(GovernanceEvent):
        partner_id: str
        option: str
        reason: str

    class VoteRecorded(GovernanceEvent):
        """The chair recorded a vote given at the meeting; the event's actor is who
        recorded it, ``through`` the partner present who gave it (the partner itself
        or the holder of its proxy)."""

        partner_id: str
        option: str
        reason: str
        through: str

    class Closed(GovernanceEvent):
        outcome: Outcome
        closed_at: datetime

    class OutcomeVetoed(GovernanceEvent):
        partner_id: str
        reason: str

    @event(Tabled)
    def __init__(
        self,
        consortium_id: str,
        body_id: str,
        title: str,
        text: str,
        options: tuple[str, ...],
        mode: str,
        closes_at: datetime | None,
        meeting_on: date | None,
        document: Evidence | None,
        members: dict[str, int],
        rule: VotingRule,
    ) -> None:
        self.consortium_id = consortium_id
        self.body_id = body_id
        self.title = title
        self.text = text
        self.options = tuple(options)
        self.mode = mode
        self.closes_at = closes_at
        self.meeting_on = meeting_on
        self.document = document
        self.members = dict(members)
        self.rule = rule
        self.ballots: dict[str, Ballot] = {}
        self.outcome: Outcome | None = None
        self.closed_at: datetime | None = None

    @classmethod
    def table(
        cls,
        consortium_id: str,
        body_id: str,
        motion: Motion,
        members: dict[str, int],
        rule: VotingRule,
        at: datetime,
    ) -> Proposal:
        """Put a motion to a body's vote."""
        if not motion.title.strip():
            raise RuleViolated("proposal.title_required", field="title")
        options = tuple(o.strip() for o in motion.options if o.strip())
        if len(options) < 2 or len(set(options)) != len(options):
            raise RuleViolated("proposal.options_invalid", field="options")
        if motion.mode == WRITTEN:
            if motion.closes_at is None or motion.closes_at <= at:
                raise RuleViolated("proposal.closing_in_the_past", field="closes_at")
        elif motion.mode == MEETING:
            if motion.meeting_on is None:
                raise RuleViolated("proposal.meeting_date_required", field="meeting_on")
        else:
            raise RuleViolated("proposal.mode_invalid")
        if not members:
            raise RuleViolated("proposal.body_without_members")
        return cls(
            consortium_id=consortium_id,
            body_id=body_id,
            title=motion.title.strip(),
            text=motion.text.strip(),
            options=options,
            mode=motion.mode,
            closes_at=motion.closes_at if motion.mode == WRITTEN else None,
            meeting_on=motion.meeting_on if motion.mode == MEETING else None,
            document=motion.document,
            members=members,
            rule=rule,
        )

    # -- voting -------------------------------------------------------------------

    def cast_vote(
        self, partner_id: str, option: str, reason: str, *, at: datetime
    ) -> None:
        """Record (or change) a partner's vote while the vote is open."""
        self._check_open(at)
        if partner_id not in self.members:
            raise RuleViolated("vote.not_a_member")
        if option not in self.options:
            raise RuleViolated("vote.option_unknown")
        current = self.ballots.get(partner_id)
        if current is None:
            self._cast(partner_id=partner_id, option=option, reason=reason.strip())
        elif (current.option, current.reason) == (option, reason.strip()):
            raise RuleViolated("vote.unchanged")
        else:
            self._change(partner_id=partner_id, option=option, reason=reason.strip())

    @event(VoteCast)
    def _cast(self, partner_id: str, option: str, reason: str) -> None:
        self.ballots[partner_id] = Ballot(option, reason)

    @event(VoteChanged)
    def _change(self, partner_id: str, option: str, reason: str) -> None:
        self.ballots[partner_id] = Ballot(option, reason)

    def record_vote(
        self, partner_id: str, option: str, reason: str, through: str, *, at: datetime
    ) -> None:
        """Record a vote given at the meeting, for a partner present or represented.

        One vote per partner: a partner that voted itself keeps its vote (it may
        change it); a vote recorded earlier may be recorded again (a correction,
        kept in the history). Whether ``through`` may vote for ``partner_id``
        (itself, or a proxy valid on the meeting's day) is the consortium's to say.
        """
        self.check_recordable(at)
        if partner_id not in self.members:
            raise RuleViolated("vote.not_a_member")
        if option not in self.options:
            raise RuleViolated("vote.option_unknown")
        current = self.ballots.get(partner_id)
        if current is not None and not current.recorded:
            raise RuleViolated(
                "ballot.cast_by_the_partner", field=f"option-{partner_id}"
            )
        if current is not None and (current.option, current.reason) == (
            option,
            reason.strip(),
        ):
            raise RuleViolated("vote.unchanged")
        self._record(
            partner_id=partner_id,
            option=option,
            reason=reason.strip(),
            through=through,
        )

    def check_recordable(self, at: datetime) -> None:
        """Refuse unless this is an open meeting vote, whose votes the chair records."""
        self._check_open(at)
        if self.mode != MEETING:
            raise RuleViolated("ballot.not_a_meeting")

    @event(VoteRecorded)
    def _record(self, partner_id: str, option: str, reason: str, through: str) -> None:
        self.ballots[partner_id] = Ballot(option, reason, recorded=True)

    # -- closing and veto -----------------------------------------------------------

    def close(self, *, at: datetime) -> Outcome:
        """Close the vote: a meeting vote at any time, a written one at its deadline."""
        if self.outcome is not None:
            raise RuleViolated("proposal.closed")
        if self.mode == WRITTEN and self.closes_at is not None and at < self.closes_at:
            raise RuleViolated("proposal.deadline_not_reached")
        outcome = tally(self.rule, self.members, self.votes, self.options).outcome
        self._close(outcome=outcome, closed_at=at)
        return outcome

    @event(Closed)
    def _close(self, outcome: Outcome, closed_at: datetime) -> None:
        self.outcome = outcome
        self.closed_at = closed_at

    def veto(self, partner_id: str, reason: str, *, at: datetime) -> None:
        """A member partner vetoes an adopted outcome within the veto window."""
        if self.outcome is not Outcome.ADOPTED or self.closed_at is None:
            raise RuleViolated("veto.nothing_to_veto")
        if self.rule.veto_days <= 0:
            raise RuleViolated("veto.not_allowed_by_rule")
        if at > self.veto_until():
            raise RuleViolated("veto.window_closed")
        if partner_id not in self.members:
            raise RuleViolated("vote.not_a_member")
        if not reason.strip():
            raise RuleViolated("veto.reason_required")
        self._veto(partner_id=partner_id, reason=reason.strip())

    @event(OutcomeVetoed)
    def _veto(self, partner_id: str, reason: str) -> None:
        self.outcome = Outcome.VETOED

    def veto_until(self) -> datetime:
        """The end of the veto window (the closing time when there is none)."""
        assert self.closed_at is not None  # noqa: S101 - only asked once closed
        return self.closed_at + timedelta(days=self.rule.veto_days)

    @property
    def votes(self) -> dict[str, str]:
        """Each voting partner's current option."""
        return {partner: ballot.option for partner, ballot in self.ballots.items()}

    def _check_open(self, at: datetime) -> None:
        if self.outcome is not None:
            raise RuleViolated("proposal.closed")
        if self.mode == WRITTEN and self.closes_at is not None and at >= self.closes_at:
            raise RuleViolated("proposal.deadline_passed")


class Decision(Aggregate):
    """A decision taken in a meeting and recorded afterwards, with its minutes."""

    class Recorded(GovernanceCreated):
        consortium_id: str
        body_id: str
        title: str
        text: str
        outcome: Outcome
        decided_on: date
        present: tuple[str, ...]
        minutes: Evidence | None

    @event(Recorded)
    def __init__(
        self,
        consortium_id: str,
        body_id: str,
        title: str,
        text: str,
        outcome: Outcome,
        decided_on: date,
        present: tuple[str, ...],
        minutes: Evidence | None,
    ) -> None:
        self.consortium_id = consortium_id
        self.body_id = body_id
        self.title = title
        self.text = text
        self.outcome = outcome
        self.decided_on = decided_on
        self.present = tuple(present)
        self.minutes = minutes

    @classmethod
    def record(
        cls,
        consortium_id: str,
        body_id: str,
        *,
        title: str,
        text: str,
        outcome: Outcome,
        decided_on: date,
        present: tuple[str, ...],
        minutes: Evidence | None,
    ) -> Decision:
        """Record a decision a body took in a meeting."""
        if not title.strip():
            raise RuleViolated("proposal.title_required")
        if outcome not in (Outcome.ADOPTED, Outcome.REJECTED):
            raise RuleViolated("decision.outcome_invalid")
        if not present:
            raise RuleViolated("decision.present_required")
        return cls(
            consortium_id=consortium_id,
            body_id=body_id,
            title=title.strip(),
            text=text.strip(),
            outcome=outcome,
            decided_on=decided_on,
            present=present,
            minutes=minutes,
        )
