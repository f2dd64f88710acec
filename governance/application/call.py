"""Commands on the call's rules (coordinators record them).

Recording the call's rules while the financing plan is still a draft also sets the
plan's funding rules, in the same transaction: the rates, caps, period and costs
are typed once, on the call, and the plan's versions keep filing the rules they
were checked against. Once the convention is filed, the plan follows the
convention (it changes by amendment) and the call's rules are recorded alone.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from governance.actor import SCHEDULER, Actor
from governance.application.base import ServiceBase
from governance.application.retrying import command
from governance.call.rulebook import CallRulebook
from governance.call.values import CallRules, application_deadline_id, call_rules_id
from governance.errors import RuleViolated
from governance.financing.plan import FinancingPlan
from governance.financing.values import plan_id
from governance.permissions import Action, check
from governance.reminder import Reminder
from governance.values import Phase


class CallCommands(ServiceBase):
    """The call's rules of a consortium."""

    @command
    def record_call_rules(
        self, actor: Actor, consortium_id: UUID, rules: CallRules
    ) -> int | None:
        """Record the call's rules (and the draft plan's funding rules with them).

        Returns the position of the change, or None when nothing changed.
        """
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PROFILE)
            key = str(consortium_id)
            try:
                rulebook: CallRulebook = self.repository.get(call_rules_id(key))
            except AggregateNotFoundError:
                rulebook = CallRulebook.open(key)
            rulebook.record(rules)
            changed: list[object] = [rulebook] if rulebook.pending_events else []
            plan = self._draft_plan(key)
            funding = rulebook.rules.funding if rulebook.rules else None
            if plan is not None and funding is not None and plan.rules != funding:
                check(
                    consortium.role_of(actor.account_id),
                    Action.PLAN_BUDGET,
                    actor_id=actor.account_id,
                    consortium_id=consortium_id,
                )
                plan.set_rules(funding)
                changed.append(plan)
            if not changed:
                return None
            return self._save(*changed)

    @command
    def request_application_reminder(
        self,
        consortium_id: UUID,
        closing_on: date,
        stage: int,
        recipient_id: str,
        escalation: int,
    ) -> int:
        """The scheduler reminds one person of the application's closing date.

        As ``request_reminder`` for a report: refused (``RuleViolated``) when the
        application is no longer due (filed: the consortium left its setup) or the
        day is not one of the call's closing dates, or the person no longer belongs
        to the consortium; ``Conflict`` when already issued (the id is the key's).
        """
        with self._acting(Actor(SCHEDULER)):
            consortium = self._consortium(consortium_id)
            if consortium.phase is not Phase.SETUP:
                raise RuleViolated("reminder.report_not_due")
            if closing_on not in consortium.call.closing_dates:
                raise RuleViolated("reminder.report_not_due")
            if consortium.role_of(recipient_id) is None:
                raise RuleViolated("reminder.recipient_not_a_member")
            reminder = Reminder(
                consortium_id=str(consortium_id),
                obligation_id=application_deadline_id(str(consortium_id), closing_on),
                due_on=closing_on,
                stage=stage,
                recipient_id=recipient_id,
                escalation=escalation,
            )
            return self._save(reminder)

    def _draft_plan(self, consortium_id: str) -> FinancingPlan | None:
        """The plan while it is a draft (a new one before its first line), or None
        once the convention's version locks it."""
        try:
            plan: FinancingPlan = self.repository.get(plan_id(consortium_id))
        except AggregateNotFoundError:
            return FinancingPlan.open(consortium_id)
        return None if plan.locked else plan
