"""Commands of daily use (issue 17): a meeting's votes recorded by its chair, and
indicator measurements corrected or withdrawn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application.base import ServiceBase
from governance.application.retrying import command
from governance.errors import RuleViolated
from governance.indicator import Indicator
from governance.permissions import Action
from governance.proposal import Proposal


@dataclass(frozen=True)
class MeetingBallot:
    """A vote given at a meeting: for ``partner_id``, by ``through`` (the partner
    itself when present, or the present holder of its proxy)."""

    partner_id: str
    option: str
    through: str
    reason: str = ""


class DailyCommands(ServiceBase):
    """Recording a meeting's votes; correcting and withdrawing measurements."""

    @command
    def record_meeting_votes(
        self, actor: Actor, proposal_id: UUID, ballots: Sequence[MeetingBallot]
    ) -> int | None:
        """The chair (a coordinator) records the votes given at a meeting.

        All or nothing: one refused ballot refuses them all, and nothing is stored.
        A ballot identical to the one already recorded is left as it is; ``None``
        when nothing changed at all.
        """
        with self._acting(actor):
            proposal = self._load(proposal_id, Proposal, "proposal")
            consortium = self._authorised(
                actor, UUID(proposal.consortium_id), Action.CLOSE_VOTE
            )
            now = self.clock.now()
            proposal.check_recordable(now)
            if not ballots:
                raise RuleViolated("ballot.none_given")
            partners = [b.partner_id for b in ballots]
            if len(set(partners)) != len(partners):
                raise RuleViolated("ballot.twice")
            # A proxy counts when it covers the day of the meeting.
            meeting_day: date = proposal.meeting_on or now.date()
            for ballot in ballots:
                if not consortium.may_vote_for(
                    ballot.through, ballot.partner_id, meeting_day
                ):
                    raise RuleViolated(
                        "ballot.not_represented", field=f"through-{ballot.partner_id}"
                    )
                current = proposal.ballots.get(ballot.partner_id)
                unchanged = (ballot.option, ballot.reason.strip())
                if (
                    current is not None
                    and current.recorded
                    and (current.option, current.reason) == unchanged
                ):
                    continue
                proposal.record_vote(
                    ballot.partner_id,
                    ballot.option,
                    ballot.reason,
                    ballot.through,
                    at=now,
                )
            if not proposal.pending_events:
                return None
            return self._save(proposal)

    @command
    def correct_measurement(
        self,
        actor: Actor,
        indicator_id: UUID,
        measurement_id: str,
        *,
        value: Decimal,
        on: date,
        source: str,
        reason: str,
    ) -> int:
        """Replace a measured value by the right one; the original stays in the log."""
        with self._acting(actor):
            indicator = self._indicator(actor, indicator_id)
            indicator.correct_measurement(measurement_id, value, on, source, reason)
            return self._save(indicator)

    @command
    def withdraw_measurement(
        self, actor: Actor, indicator_id: UUID, measurement_id: str, reason: str
    ) -> int:
        """Take a measured value back, with the reason; it stays in the log."""
        with self._acting(actor):
            indicator = self._indicator(actor, indicator_id)
            indicator.withdraw_measurement(measurement_id, reason)
            return self._save(indicator)

    def _indicator(self, actor: Actor, indicator_id: UUID) -> Indicator:
        indicator = self._load(indicator_id, Indicator, "indicator")
        self._authorised(actor, UUID(indicator.consortium_id), Action.REPORT)
        return indicator
