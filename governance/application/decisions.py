"""Commands on governance: bodies, proxies, proposals, votes, vetoes, decisions."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from governance.actor import SCHEDULER, Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.permissions import Action, check
from governance.proposal import Decision, Proposal
from governance.values import Evidence, Motion
from governance.voting import Outcome, VotingRule


class DecisionCommands(ServiceBase):
    """How a consortium decides, and what it decided."""

    @command
    def establish_body(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        name: str,
        members: dict[str, int],
        rule: VotingRule,
    ) -> Created:
        """Create a governance body with its member partners and decision rule."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_BODIES)
            body_id = str(uuid4())
            consortium.establish_body(body_id, name, members, rule)
            return Created(body_id, self._save(consortium))

    @command
    def change_body(
        self,
        actor: Actor,
        consortium_id: UUID,
        body_id: str,
        *,
        name: str,
        members: dict[str, int],
        rule: VotingRule,
    ) -> int:
        """Change a body; proposals already tabled keep their members and rule."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_BODIES)
            consortium.change_body(body_id, name, members, rule)
            return self._save(consortium)

    @command
    def delegate_proxy(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        from_partner: str,
        to_partner: str,
        valid_from: date,
        valid_until: date,
    ) -> Created:
        """A partner (its member, or a coordinator) delegates its vote."""
        with self._acting(actor):
            consortium = self._consortium(consortium_id)
            self._check_acts_for(actor, consortium, from_partner)
            proxy_id = str(uuid4())
            consortium.delegate_proxy(
                proxy_id, from_partner, to_partner, valid_from, valid_until
            )
            return Created(proxy_id, self._save(consortium))

    @command
    def revoke_proxy(self, actor: Actor, consortium_id: UUID, proxy_id: str) -> int:
        """End a delegation (the delegating partner's member, or a coordinator)."""
        with self._acting(actor):
            # Whose role may not delegate at all is refused before any proxy is
            # looked up: whether one exists is none of their business.
            consortium = self._authorised(actor, consortium_id, Action.PLEDGE)
            proxy = consortium.proxies.get(proxy_id)
            if proxy is None:
                raise NotFound("proxy", proxy_id)
            self._check_acts_for(actor, consortium, proxy.from_partner)
            consortium.revoke_proxy(proxy_id)
            return self._save(consortium)

    @command
    def table_proposal(
        self, actor: Actor, consortium_id: UUID, body_id: str, motion: Motion
    ) -> Created:
        """Put a motion to a body's vote (coordinators and members)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.TABLE)
            consortium.require_open_for_proposals()
            body = consortium.bodies.get(body_id)
            if body is None:
                raise NotFound("body", body_id)
            proposal = Proposal.table(
                str(consortium_id),
                body_id,
                motion,
                body.members,
                body.rule,
                self.clock.now(),
            )
            return Created(str(proposal.id), self._save(proposal))

    @command
    def cast_vote(
        self,
        actor: Actor,
        proposal_id: UUID,
        partner_id: str,
        option: str,
        reason: str = "",
    ) -> int:
        """Vote (or change the vote) for a partner: its own, or one it is proxy for."""
        with self._acting(actor):
            proposal = self._load(proposal_id, Proposal, "proposal")
            consortium = self._consortium(UUID(proposal.consortium_id))
            role = consortium.role_of(actor.account_id)
            check(
                role,
                Action.VOTE,
                actor_id=actor.account_id,
                consortium_id=consortium.id,
            )
            now = self.clock.now()
            if not consortium.may_vote_for(
                consortium.partner_of(actor.account_id), partner_id, now.date()
            ):
                raise NotPermitted(Action.VOTE.value, actor.account_id)
            proposal.cast_vote(partner_id, option, reason, at=now)
            return self._save(proposal)

    @command
    def close_proposal(self, actor: Actor, proposal_id: UUID) -> int:
        """Close a vote: coordinators close meeting votes, and written ones past due."""
        with self._acting(actor):
            proposal = self._load(proposal_id, Proposal, "proposal")
            self._authorised(actor, UUID(proposal.consortium_id), Action.CLOSE_VOTE)
            proposal.close(at=self.clock.now())
            return self._save(proposal)

    @command
    def close_due_proposal(self, proposal_id: UUID) -> int:
        """The scheduler closes a written vote whose deadline has passed."""
        with self._acting(Actor(SCHEDULER)):
            proposal = self._load(proposal_id, Proposal, "proposal")
            if proposal.outcome is not None:
                raise RuleViolated("proposal.closed")
            proposal.close(at=self.clock.now())
            return self._save(proposal)

    @command
    def veto(
        self, actor: Actor, proposal_id: UUID, partner_id: str | None, reason: str
    ) -> int:
        """A member partner vetoes an adopted outcome within the veto window.

        ``partner_id`` is the partner the actor represents (``None``: none, refused).
        """
        with self._acting(actor):
            proposal = self._load(proposal_id, Proposal, "proposal")
            consortium = self._consortium(UUID(proposal.consortium_id))
            check(
                consortium.role_of(actor.account_id),
                Action.VOTE,
                actor_id=actor.account_id,
                consortium_id=consortium.id,
            )
            if (
                partner_id is None
                or consortium.partner_of(actor.account_id) != partner_id
            ):
                raise NotPermitted(Action.VOTE.value, actor.account_id)
            proposal.veto(partner_id, reason, at=self.clock.now())
            return self._save(proposal)

    @command
    def record_decision(
        self,
        actor: Actor,
        consortium_id: UUID,
        body_id: str,
        *,
        title: str,
        text: str,
        outcome: Outcome,
        decided_on: date,
        present: tuple[str, ...],
        minutes: Evidence | None,
    ) -> Created:
        """Record a decision taken in a meeting, with the partners present."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_BODIES)
            consortium.require_open_for_proposals()
            body = consortium.bodies.get(body_id)
            if body is None:
                raise NotFound("body", body_id)
            if any(partner not in body.members for partner in present):
                raise RuleViolated("vote.not_a_member")
            decision = Decision.record(
                str(consortium_id),
                body_id,
                title=title,
                text=text,
                outcome=outcome,
                decided_on=decided_on,
                present=present,
                minutes=minutes,
            )
            return Created(str(decision.id), self._save(decision))
