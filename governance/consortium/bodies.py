"""The governance bodies of a consortium and the proxies between its partners.

Commands validate and raise, then call the method that applies their event: those
``_``-methods only assign, and ``Consortium`` binds each one to its event class.
Bodies and proxies name partners, which must be active: that is why they stay in the
consortium's aggregate (see ``governance.consortium``).
"""

from __future__ import annotations

from datetime import date

from governance.consortium.entities import Body, Proxy
from governance.consortium.partners import Partners
from governance.errors import NotFound, RuleViolated
from governance.voting import VotingRule


class Bodies(Partners):
    """Establishing and changing bodies, delegating and revoking proxies."""

    def establish_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        """Create a governance body (COPIL, technical committee, assembly…)."""
        if body_id in self.bodies:
            raise RuleViolated("body.duplicate_id")
        self._check_body(name, members, rule, body_id)
        self._establish(
            body_id=body_id, name=name.strip(), members=dict(members), rule=rule
        )

    def _establish(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        self.bodies[body_id] = Body(name, dict(members), rule)

    def change_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        """Change a body (votes under way keep the members and rule they had)."""
        body = self.bodies.get(body_id)
        if body is None:
            raise NotFound("body", body_id)
        self._check_body(name, members, rule, body_id)
        if (body.name, body.members, body.rule) == (name.strip(), members, rule):
            raise RuleViolated("body.unchanged")
        self._change_body(
            body_id=body_id, name=name.strip(), members=dict(members), rule=rule
        )

    def _change_body(
        self, body_id: str, name: str, members: dict[str, int], rule: VotingRule
    ) -> None:
        self.bodies[body_id] = Body(name, dict(members), rule)

    def delegate_proxy(
        self,
        proxy_id: str,
        from_partner: str,
        to_partner: str,
        valid_from: date,
        valid_until: date,
    ) -> None:
        """A partner delegates its vote to another partner for a period."""
        self._active_partner(from_partner)
        self._active_partner(to_partner)
        if from_partner == to_partner:
            raise RuleViolated("proxy.to_itself")
        if valid_until < valid_from:
            raise RuleViolated("period.ends_before_start", field="valid_until")
        if proxy_id in self.proxies:
            raise RuleViolated("proxy.duplicate_id")
        self._delegate(
            proxy_id=proxy_id,
            from_partner=from_partner,
            to_partner=to_partner,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    def _delegate(
        self,
        proxy_id: str,
        from_partner: str,
        to_partner: str,
        valid_from: date,
        valid_until: date,
    ) -> None:
        self.proxies[proxy_id] = Proxy(
            from_partner, to_partner, valid_from, valid_until
        )

    def revoke_proxy(self, proxy_id: str) -> None:
        """End a delegation."""
        if proxy_id not in self.proxies:
            raise NotFound("proxy", proxy_id)
        self._revoke_proxy(proxy_id=proxy_id)

    def _revoke_proxy(self, proxy_id: str) -> None:
        del self.proxies[proxy_id]

    def may_vote_for(
        self, voter_partner: str | None, partner_id: str, on: date
    ) -> bool:
        """Whether the representative of ``voter_partner`` votes for ``partner_id``.

        Its own partner, or a partner that delegated to it for a period covering ``on``.
        """
        if voter_partner is None or not self.is_active_partner(partner_id):
            return False
        if not self.is_active_partner(voter_partner):
            return False  # a withdrawn partner's proxies end with it
        if voter_partner == partner_id:
            return True
        return any(
            p.from_partner == partner_id
            and p.to_partner == voter_partner
            and p.valid_from <= on <= p.valid_until
            for p in self.proxies.values()
        )

    def _check_body(
        self, name: str, members: dict[str, int], rule: VotingRule, body_id: str
    ) -> None:
        if not name.strip():
            raise RuleViolated("body.name_required", field="name")
        if not members:
            raise RuleViolated("body.members_required", field="members")
        for partner_id, weight in members.items():
            self._active_partner(partner_id)
            if not 1 <= weight <= 100:
                raise RuleViolated("body.weight_invalid", field="members")
        if not 0 <= rule.quorum <= 1:
            raise RuleViolated("body.quorum_invalid", field="quorum")
        if not 0 <= rule.veto_days <= 90:
            raise RuleViolated("body.veto_days_invalid", field="veto_days")
        for other_id, other in self.bodies.items():
            if other_id != body_id and other.name.lower() == name.strip().lower():
                raise RuleViolated("body.name_taken")
