"""The call's rules as data: a record that checks itself.

**Where the call's rules live.** ``CallForProjects`` is stored inside
``Consortium.Founded`` and ``ProfileRevised``: a new field there would change the
bytes every recorded profile event is stored again as. The rules are facts of their
own instead, ``CallRulebook.RulesRecorded``, on an aggregate whose id is derived from
the consortium's (one per consortium): a consortium that never recorded them simply
has none, and nothing earlier is rewritten.

**The funding rules are typed once, here.** ``CallRules.funding`` is the same
``FundingRules`` the financing plan is checked against; recording the call's rules
while the plan is still a draft sets the plan's rules in the same transaction
(``FinancingPlan.FundingRulesSet``), so that the plan's versions keep filing the
rules they were checked against. Once the convention is filed the plan follows the
convention and changes by amendment; the call's rules stay the call's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from governance.errors import RuleViolated
from governance.financing.values import FundingRules
from governance.values import PartnerKind, check_amount

MAX_MONTHS = 240
MAX_CONTACT = 200
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Fixed forever: changing it would give every consortium a second, empty rulebook.
CALL_NAMESPACE = UUID("6f1d2a9e-8b3c-4e57-9a0d-2c5e7b1f4a86")


def call_rules_id(consortium_id: str) -> UUID:
    """The id of a consortium's call rulebook (one per consortium)."""
    return uuid5(CALL_NAMESPACE, f"/consortia/{consortium_id}/call-rules")


def application_deadline_id(consortium_id: str, closing_on: date) -> str:
    """The id a reminder of the application's closing date names as its obligation:
    one per consortium and closing date (a wave), never a report's or a
    deliverable's (those are random)."""
    return str(uuid5(CALL_NAMESPACE, f"/consortia/{consortium_id}/closes/{closing_on}"))


def _kinds(kinds: tuple[PartnerKind, ...]) -> tuple[PartnerKind, ...]:
    chosen = set(kinds)
    return tuple(k for k in PartnerKind if k in chosen)


@dataclass(frozen=True)
class CallRules:
    """What the call asks of a consortium. Empty kinds and None mean "no rule".

    Fields added later must have defaults: recorded rules decode with them.
    """

    eligible_kinds: tuple[PartnerKind, ...] = ()
    lead_kinds: tuple[PartnerKind, ...] = ()
    budget_floor: Decimal | None = None
    budget_ceiling: Decimal | None = None
    max_duration_months: int | None = None
    selection_committee_on: date | None = None
    contact_name: str = ""
    contact_email: str = ""
    funding: FundingRules = field(default_factory=FundingRules)

    def checked(self) -> CallRules:
        """The rules, checked, kinds in the usual order and texts tidied."""
        for name in ("budget_floor", "budget_ceiling"):
            amount = getattr(self, name)
            if amount is not None:
                check_amount(amount, name)
        if (
            self.budget_floor is not None
            and self.budget_ceiling is not None
            and self.budget_ceiling < self.budget_floor
        ):
            raise RuleViolated("call.ceiling_below_floor", field="budget_ceiling")
        months = self.max_duration_months
        if months is not None and not 1 <= months <= MAX_MONTHS:
            raise RuleViolated(
                "call.duration_out_of_range",
                field="max_duration_months",
                limit=MAX_MONTHS,
            )
        eligible, leads = _kinds(self.eligible_kinds), _kinds(self.lead_kinds)
        if eligible and any(k not in eligible for k in leads):
            raise RuleViolated("call.lead_kind_not_eligible", field="lead_kinds")
        name = " ".join(self.contact_name.split())
        email = self.contact_email.strip()
        for text, field_name in ((name, "contact_name"), (email, "contact_email")):
            if len(text) > MAX_CONTACT:
                raise RuleViolated(
                    "plan.text_too_long", field=field_name, limit=MAX_CONTACT
                )
        if email and not EMAIL.match(email):
            raise RuleViolated("call.contact_email_invalid", field="contact_email")
        return CallRules(
            eligible,
            leads,
            self.budget_floor,
            self.budget_ceiling,
            months,
            self.selection_committee_on,
            name,
            email,
            self.funding.checked(),
        )
