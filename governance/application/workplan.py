"""Commands on the work plan: work packages, deliverables, milestones.

The plan is created by its first command (its id is derived from the consortium's).
Leads, participants and responsible partners are active partners. A deliverable is
submitted by the coordinator or by a member of its responsible partner, and reviewed
by the financer; the rest is the coordinator's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from governance.actor import SCHEDULER, Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.consortium import Consortium
from governance.errors import NotPermitted, RuleViolated
from governance.permissions import Action
from governance.reminder import Reminder
from governance.values import Evidence, MemberRole
from governance.workplan.plan import WorkPlan
from governance.workplan.values import OPEN_STATUSES, workplan_id


class WorkPlanCommands(ServiceBase):
    """The work plan: packages, deliverables and their review, milestones."""

    @command
    def define_work_package(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        code: str,
        title: str,
        lead_id: str,
        participants: Sequence[str] = (),
    ) -> Created:
        """Add a work package led by an active partner (coordinators)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            self._check_partners(consortium, lead_id, participants)
            plan = self._workplan(consortium_id)
            package_id = str(uuid4())
            plan.define_package(package_id, code, title, lead_id, tuple(participants))
            return Created(package_id, self._save(plan))

    @command
    def change_work_package(
        self,
        actor: Actor,
        consortium_id: UUID,
        package_id: str,
        *,
        code: str,
        title: str,
        lead_id: str,
        participants: Sequence[str] = (),
    ) -> int | None:
        """Change a work package; None when nothing changed."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            self._check_partners(consortium, lead_id, participants)
            plan = self._workplan(consortium_id)
            plan.change_package(package_id, code, title, lead_id, tuple(participants))
            if not plan.pending_events:
                return None
            return self._save(plan)

    @command
    def withdraw_work_package(
        self, actor: Actor, consortium_id: UUID, package_id: str
    ) -> int:
        """Withdraw a work package that holds nothing yet."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            plan = self._workplan(consortium_id)
            plan.withdraw_package(package_id)
            return self._save(plan)

    @command
    def plan_deliverable(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        package_id: str,
        title: str,
        due_on: date,
        responsible_id: str,
    ) -> Created:
        """Add a deliverable due by a date, under an active partner's responsibility."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            if not consortium.is_active_partner(responsible_id):
                raise RuleViolated(
                    "workplan.partner_not_active", field="responsible_id"
                )
            plan = self._workplan(consortium_id)
            deliverable_id = str(uuid4())
            plan.plan_deliverable(
                deliverable_id, package_id, title, due_on, responsible_id
            )
            return Created(deliverable_id, self._save(plan))

    @command
    def submit_deliverable(
        self,
        actor: Actor,
        consortium_id: UUID,
        deliverable_id: str,
        file: Evidence,
        note: str = "",
    ) -> int:
        """Hand in a deliverable's file (its partner's members, or the coordinator)."""
        with self._acting(actor):
            consortium = self._authorised(
                actor, consortium_id, Action.SUBMIT_DELIVERABLE
            )
            plan = self._workplan(consortium_id)
            responsible = plan.deliverable(deliverable_id).responsible_id
            role = consortium.role_of(actor.account_id)
            own = consortium.partner_of(actor.account_id)
            if role is not MemberRole.COORDINATOR and own != responsible:
                raise NotPermitted(Action.SUBMIT_DELIVERABLE.value, actor.account_id)
            plan.submit_deliverable(deliverable_id, file, note)
            return self._save(plan)

    @command
    def accept_deliverable(
        self, actor: Actor, consortium_id: UUID, deliverable_id: str, comment: str
    ) -> int:
        """The financer accepts a submitted deliverable."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.REVIEW_DELIVERABLE)
            plan = self._workplan(consortium_id)
            plan.accept_deliverable(deliverable_id, comment)
            return self._save(plan)

    @command
    def request_deliverable_changes(
        self, actor: Actor, consortium_id: UUID, deliverable_id: str, comment: str
    ) -> int:
        """The financer sends a submitted deliverable back, with the reason."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.REVIEW_DELIVERABLE)
            plan = self._workplan(consortium_id)
            plan.request_deliverable_changes(deliverable_id, comment)
            return self._save(plan)

    @command
    def plan_milestone(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        package_id: str,
        title: str,
        planned_on: date,
    ) -> Created:
        """Add a milestone to a work package (coordinators)."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            plan = self._workplan(consortium_id)
            milestone_id = str(uuid4())
            plan.plan_milestone(milestone_id, package_id, title, planned_on)
            return Created(milestone_id, self._save(plan))

    @command
    def reach_milestone(
        self,
        actor: Actor,
        consortium_id: UUID,
        milestone_id: str,
        *,
        reached_on: date,
        note: str = "",
        evidence: tuple[Evidence, ...] = (),
    ) -> int:
        """Record a milestone reached, with a file or a note (coordinators)."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.MANAGE_WORKPLAN)
            plan = self._workplan(consortium_id)
            today = self.clock.now().date()
            plan.reach_milestone(milestone_id, reached_on, note, evidence, today)
            return self._save(plan)

    @command
    def request_deliverable_reminder(
        self,
        consortium_id: UUID,
        deliverable_id: str,
        stage: int,
        recipient_id: str,
        escalation: int,
    ) -> int:
        """The scheduler reminds one person of a deliverable's due date at a stage.

        As ``request_reminder`` for a report: refused (``RuleViolated``) when the
        deliverable is no longer due or the person no longer belongs to the
        consortium; ``Conflict`` when already issued (the id is the key's).
        """
        with self._acting(Actor(SCHEDULER)):
            consortium = self._consortium(consortium_id)
            try:
                plan: WorkPlan = self.repository.get(workplan_id(str(consortium_id)))
            except AggregateNotFoundError:
                raise RuleViolated("workplan.deliverable_unknown") from None
            deliverable = plan.deliverable(deliverable_id)
            if deliverable.status not in OPEN_STATUSES:
                raise RuleViolated("reminder.report_not_due")
            if consortium.role_of(recipient_id) is None:
                raise RuleViolated("reminder.recipient_not_a_member")
            reminder = Reminder(
                consortium_id=str(consortium_id),
                obligation_id=deliverable_id,
                due_on=deliverable.due_on,
                stage=stage,
                recipient_id=recipient_id,
                escalation=escalation,
            )
            return self._save(reminder)

    # -- helpers ------------------------------------------------------------------

    @staticmethod
    def _check_partners(
        consortium: Consortium, lead_id: str, participants: Sequence[str]
    ) -> None:
        if not consortium.is_active_partner(lead_id):
            raise RuleViolated("workplan.partner_not_active", field="lead_id")
        if not all(consortium.is_active_partner(p) for p in participants):
            raise RuleViolated("workplan.partner_not_active", field="participants")

    def _workplan(self, consortium_id: UUID) -> WorkPlan:
        """The consortium's work plan; a new, empty one (unsaved) before its first
        command."""
        try:
            plan: WorkPlan = self.repository.get(workplan_id(str(consortium_id)))
        except AggregateNotFoundError:
            return WorkPlan.open(str(consortium_id))
        return plan
