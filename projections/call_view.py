"""The call's page as the read side gathers it: the rules in force, the facts the
call's checks read (partners, the plan's figures, the project's calendar), and the
checks' warnings.

The funding rules shown are the call's once recorded; before, the draft plan's
(what the coordinator typed on the plan before the call had rules of its own), so
that nothing is typed twice when the call's rules are first recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from governance.call.checks import CallFacts, CallPartner, call_checks
from governance.call.values import CallRules
from governance.warnings import Warning
from projections.budget import plans
from projections.budget_summary import Budget, budget_of
from projections.call_rules import CallRulesRow, call_rules_of
from projections.reporting import obligations_of
from projections.workplan_queries import workplan_of


@dataclass(frozen=True)
class CallView:
    """What the call's page shows of a consortium."""

    recorded: CallRulesRow | None
    rules: CallRules
    budget: Budget
    checks: tuple[Warning, ...]

    @property
    def plan_locked(self) -> bool:
        return self.budget.locked


def calendar_of(connection: Connection, consortium_id: str) -> tuple[date, ...]:
    """Every due date of the project: reports, deliverables, milestones."""
    plan = workplan_of(connection, consortium_id)
    return (
        *(o.due_on for o in obligations_of(connection, consortium_id)),
        *(d.due_on for d in plan.deliverables),
        *(m.planned_on for m in plan.milestones),
    )


def call_view(connection: Connection, consortium_id: str) -> CallView:
    """The call's rules of a consortium, and the consortium checked against them."""
    recorded = call_rules_of(connection, consortium_id)
    budget = budget_of(connection, consortium_id)
    has_plan = (
        connection.scalar(
            select(plans.c.plan_id).where(plans.c.consortium_id == consortium_id)
        )
        is not None
    )
    draft_rules = budget.draft.content.rules
    rules = recorded.rules if recorded else CallRules(funding=draft_rules)
    if recorded is None:
        return CallView(None, rules, budget, ())
    facts = CallFacts(
        partners=tuple(
            CallPartner(p.partner_id, p.name, p.kind, p.role, p.active)
            for p in budget.partners
        ),
        figures=budget.draft.figures if not budget.draft.empty else None,
        plan_rules=draft_rules if has_plan and not budget.locked else None,
        calendar=calendar_of(connection, consortium_id),
    )
    return CallView(recorded, rules, budget, tuple(call_checks(rules, facts)))
