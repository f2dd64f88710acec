"""The words of an amendment: its kinds and states, its changes and their arithmetic.

Apart from the ``Amendment`` aggregate so that the read side and the web may use
them (they see values, never aggregates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from governance.errors import RuleViolated
from governance.financing.values import ExpenseLine, PlanContent, ResourceLine

MAX_REASON = 2000


class AmendmentKind(Enum):
    """What an amendment changes, as the funder's forms name it."""

    BUDGET_REALLOCATION = "budget_reallocation"
    PARTNER_ENTERING = "partner_entering"
    PARTNER_LEAVING = "partner_leaving"
    PERIOD_EXTENSION = "period_extension"


class AmendmentStatus(Enum):
    """Where an amendment stands."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"
    REFUSED = "refused"


def line_ids(
    expenses: tuple[ExpenseLine, ...], resources: tuple[ResourceLine, ...]
) -> set[str]:
    """The ids of these lines."""
    return {e.line_id for e in expenses} | {r.line_id for r in resources}


def partners_of(
    expenses: tuple[ExpenseLine, ...], resources: tuple[ResourceLine, ...]
) -> set[str]:
    """The partners these lines are of."""
    return {e.partner_id for e in expenses} | {r.partner_id for r in resources}


def check_reason(reason: str, code: str = "amendment.reason_required") -> str:
    """A reason is required text, at most ``MAX_REASON`` characters."""
    text = reason.strip()
    if not text:
        raise RuleViolated(code, field="reason")
    if len(text) > MAX_REASON:
        raise RuleViolated(
            "amendment.reason_too_long", field="reason", limit=MAX_REASON
        )
    return text


@dataclass(frozen=True)
class AmendmentChanges:
    """What an amendment changes in the plan in force."""

    expenses: tuple[ExpenseLine, ...] = ()
    resources: tuple[ResourceLine, ...] = ()
    withdrawn: tuple[str, ...] = ()
    eligible_until: date | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing would change."""
        return not (
            self.expenses or self.resources or self.withdrawn or self.eligible_until
        )

    def entering(self, content: PlanContent) -> set[str]:
        """The partners this brings into a plan where they have no line."""
        present = partners_of(content.expenses, content.resources)
        return partners_of(self.expenses, self.resources) - present

    def leaving(self, content: PlanContent) -> set[str]:
        """The partners of the plan every line of whom this withdraws."""
        gone = set(self.withdrawn)
        kept = {e.partner_id for e in content.expenses if e.line_id not in gone} | {
            r.partner_id for r in content.resources if r.line_id not in gone
        }
        return partners_of(content.expenses, content.resources) - kept

    def applied_to(self, content: PlanContent) -> PlanContent:
        """The plan in force, changed (refused if a withdrawn line is gone)."""
        in_force = line_ids(content.expenses, content.resources)
        if any(line_id not in in_force for line_id in self.withdrawn):
            raise RuleViolated("amendment.stale")
        gone = set(self.withdrawn)
        rules = content.rules
        if self.eligible_until is not None:
            rules = replace(rules, eligible_until=self.eligible_until)
        return PlanContent(
            tuple(e for e in content.expenses if e.line_id not in gone) + self.expenses,
            tuple(r for r in content.resources if r.line_id not in gone)
            + self.resources,
            content.contributions,
            rules,
        )
