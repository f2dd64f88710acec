"""The WorkPlan aggregate: a consortium's work packages, deliverables and milestones.

One work plan per consortium (its id derived from the consortium's), created by its
first command. The coordinator defines, changes and withdraws work packages, plans
deliverables and milestones, and records a milestone reached; the partner
responsible for a deliverable submits it (a file), the financer accepts it or asks
for changes, which reopens it. Whether something is late is a question of the date,
asked by the read side. Who may do what, and whether a partner is active, is the
service's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.values import Evidence
from governance.workplan.values import (
    CODE_MAX,
    OPEN_STATUSES,
    DeliverableStatus,
    workplan_id,
)

TITLE_MAX = 200


@dataclass
class Package:
    """A work package as the plan holds it now."""

    code: str
    title: str
    lead_id: str
    participants: tuple[str, ...]
    withdrawn: bool = False


@dataclass
class Deliverable:
    """A deliverable as the plan holds it now."""

    package_id: str
    title: str
    due_on: date
    responsible_id: str
    status: DeliverableStatus = DeliverableStatus.DUE
    file: Evidence | None = None


@dataclass
class Milestone:
    """A milestone as the plan holds it now."""

    package_id: str
    title: str
    planned_on: date
    reached_on: date | None = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def _title(text: str) -> str:
    title = text.strip()
    if not title:
        raise RuleViolated("workplan.title_required", field="title")
    if len(title) > TITLE_MAX:
        raise RuleViolated("workplan.title_too_long", field="title")
    return title


class WorkPlan(Aggregate):
    """A consortium's work plan (plan de travail: lots, livrables, jalons)."""

    class Opened(GovernanceCreated):
        consortium_id: str

    class PackageDefined(GovernanceEvent):
        package_id: str
        code: str
        title: str
        lead_id: str
        participants: tuple[str, ...]

    class PackageChanged(GovernanceEvent):
        package_id: str
        code: str
        title: str
        lead_id: str
        participants: tuple[str, ...]

    class PackageWithdrawn(GovernanceEvent):
        package_id: str

    class DeliverablePlanned(GovernanceEvent):
        deliverable_id: str
        package_id: str
        title: str
        due_on: date
        responsible_id: str

    class DeliverableSubmitted(GovernanceEvent):
        deliverable_id: str
        file: Evidence
        note: str

    class DeliverableAccepted(GovernanceEvent):
        deliverable_id: str
        comment: str

    class DeliverableChangesRequested(GovernanceEvent):
        deliverable_id: str
        comment: str

    class MilestonePlanned(GovernanceEvent):
        milestone_id: str
        package_id: str
        title: str
        planned_on: date

    class MilestoneReached(GovernanceEvent):
        milestone_id: str
        reached_on: date
        note: str
        evidence: tuple[Evidence, ...]

    @staticmethod
    def create_id(consortium_id: str) -> UUID:
        """One work plan per consortium."""
        return workplan_id(consortium_id)

    @event(Opened)
    def __init__(self, consortium_id: str) -> None:
        self.consortium_id = consortium_id
        self.packages: dict[str, Package] = {}
        self.deliverables: dict[str, Deliverable] = {}
        self.milestones: dict[str, Milestone] = {}

    @classmethod
    def open(cls, consortium_id: str) -> WorkPlan:
        """A consortium's work plan, empty."""
        return cls(consortium_id=consortium_id)

    # -- work packages --------------------------------------------------------------

    def define_package(
        self,
        package_id: str,
        code: str,
        title: str,
        lead_id: str,
        participants: tuple[str, ...],
    ) -> None:
        """Add a work package; its code is unique among the standing ones."""
        checked = self._checked_code(code, package_id)
        self._define(
            package_id=package_id,
            code=checked,
            title=_title(title),
            lead_id=lead_id,
            participants=_others(lead_id, participants),
        )

    @event(PackageDefined)
    def _define(
        self,
        package_id: str,
        code: str,
        title: str,
        lead_id: str,
        participants: tuple[str, ...],
    ) -> None:
        self.packages[package_id] = Package(code, title, lead_id, tuple(participants))

    def change_package(
        self,
        package_id: str,
        code: str,
        title: str,
        lead_id: str,
        participants: tuple[str, ...],
    ) -> None:
        """Change a standing work package; the same values again record nothing."""
        package = self.standing_package(package_id)
        checked = self._checked_code(code, package_id)
        new = Package(checked, _title(title), lead_id, _others(lead_id, participants))
        if new != package:
            self._change(
                package_id=package_id,
                code=new.code,
                title=new.title,
                lead_id=new.lead_id,
                participants=new.participants,
            )

    @event(PackageChanged)
    def _change(
        self,
        package_id: str,
        code: str,
        title: str,
        lead_id: str,
        participants: tuple[str, ...],
    ) -> None:
        self.packages[package_id] = Package(code, title, lead_id, tuple(participants))

    def withdraw_package(self, package_id: str) -> None:
        """Withdraw a work package that holds no deliverable and no milestone."""
        self.standing_package(package_id)
        in_use = any(
            d.package_id == package_id for d in self.deliverables.values()
        ) or any(m.package_id == package_id for m in self.milestones.values())
        if in_use:
            raise RuleViolated("workplan.package_in_use")
        self._withdraw(package_id=package_id)

    @event(PackageWithdrawn)
    def _withdraw(self, package_id: str) -> None:
        self.packages[package_id].withdrawn = True

    def standing_package(self, package_id: str) -> Package:
        """A work package not withdrawn; refused otherwise."""
        package = self.packages.get(package_id)
        if package is None or package.withdrawn:
            raise RuleViolated("workplan.package_unknown", field="package_id")
        return package

    def _checked_code(self, code: str, package_id: str) -> str:
        text = code.strip()
        if not text:
            raise RuleViolated("workplan.code_required", field="code")
        if len(text) > CODE_MAX:
            raise RuleViolated("workplan.code_too_long", field="code", limit=CODE_MAX)
        for other_id, other in self.packages.items():
            if (
                other_id != package_id
                and not other.withdrawn
                and other.code.casefold() == text.casefold()
            ):
                raise RuleViolated("workplan.code_taken", field="code", taken=text)
        return text

    # -- deliverables ---------------------------------------------------------------

    def plan_deliverable(
        self,
        deliverable_id: str,
        package_id: str,
        title: str,
        due_on: date,
        responsible_id: str,
    ) -> None:
        """Add a deliverable to a standing work package."""
        self.standing_package(package_id)
        self._plan_deliverable(
            deliverable_id=deliverable_id,
            package_id=package_id,
            title=_title(title),
            due_on=due_on,
            responsible_id=responsible_id,
        )

    @event(DeliverablePlanned)
    def _plan_deliverable(
        self,
        deliverable_id: str,
        package_id: str,
        title: str,
        due_on: date,
        responsible_id: str,
    ) -> None:
        self.deliverables[deliverable_id] = Deliverable(
            package_id, title, due_on, responsible_id
        )

    def deliverable(self, deliverable_id: str) -> Deliverable:
        """A deliverable of this plan; refused if there is none by that id."""
        found = self.deliverables.get(deliverable_id)
        if found is None:
            raise RuleViolated("workplan.deliverable_unknown")
        return found

    def submit_deliverable(
        self, deliverable_id: str, file: Evidence, note: str
    ) -> None:
        """Hand in a deliverable (first time, or again after changes were asked)."""
        if self.deliverable(deliverable_id).status not in OPEN_STATUSES:
            raise RuleViolated("deliverable.not_open")
        self._submit(deliverable_id=deliverable_id, file=file, note=note.strip())

    @event(DeliverableSubmitted)
    def _submit(self, deliverable_id: str, file: Evidence, note: str) -> None:
        found = self.deliverables[deliverable_id]
        found.status = DeliverableStatus.SUBMITTED
        found.file = file

    def accept_deliverable(self, deliverable_id: str, comment: str) -> None:
        """The financer accepts a submitted deliverable."""
        self._check_submitted(deliverable_id)
        self._accept(deliverable_id=deliverable_id, comment=comment.strip())

    @event(DeliverableAccepted)
    def _accept(self, deliverable_id: str, comment: str) -> None:
        self.deliverables[deliverable_id].status = DeliverableStatus.ACCEPTED

    def request_deliverable_changes(self, deliverable_id: str, comment: str) -> None:
        """The financer sends a deliverable back, saying why; it is due again."""
        self._check_submitted(deliverable_id)
        if not comment.strip():
            raise RuleViolated("deliverable.reason_required", field="comment")
        self._request_changes(deliverable_id=deliverable_id, comment=comment.strip())

    @event(DeliverableChangesRequested)
    def _request_changes(self, deliverable_id: str, comment: str) -> None:
        self.deliverables[deliverable_id].status = DeliverableStatus.CHANGES_REQUESTED

    def _check_submitted(self, deliverable_id: str) -> None:
        if self.deliverable(deliverable_id).status is not DeliverableStatus.SUBMITTED:
            raise RuleViolated("deliverable.not_submitted")

    # -- milestones -----------------------------------------------------------------

    def plan_milestone(
        self, milestone_id: str, package_id: str, title: str, planned_on: date
    ) -> None:
        """Add a milestone to a standing work package."""
        self.standing_package(package_id)
        self._plan_milestone(
            milestone_id=milestone_id,
            package_id=package_id,
            title=_title(title),
            planned_on=planned_on,
        )

    @event(MilestonePlanned)
    def _plan_milestone(
        self, milestone_id: str, package_id: str, title: str, planned_on: date
    ) -> None:
        self.milestones[milestone_id] = Milestone(package_id, title, planned_on)

    def reach_milestone(
        self,
        milestone_id: str,
        reached_on: date,
        note: str,
        evidence: tuple[Evidence, ...],
        today: date,
    ) -> None:
        """Record a milestone reached, with a file or a note as evidence (once)."""
        milestone = self.milestones.get(milestone_id)
        if milestone is None:
            raise RuleViolated("workplan.milestone_unknown")
        if milestone.reached_on is not None:
            raise RuleViolated("milestone.already_reached")
        if reached_on > today:
            raise RuleViolated("milestone.reached_in_future", field="reached_on")
        if not note.strip() and not evidence:
            raise RuleViolated("milestone.evidence_required", field="note")
        self._reach(
            milestone_id=milestone_id,
            reached_on=reached_on,
            note=note.strip(),
            evidence=tuple(evidence),
        )

    @event(MilestoneReached)
    def _reach(
        self,
        milestone_id: str,
        reached_on: date,
        note: str,
        evidence: tuple[Evidence, ...],
    ) -> None:
        milestone = self.milestones[milestone_id]
        milestone.reached_on = reached_on
        milestone.evidence = tuple(evidence)


def _others(lead_id: str, participants: tuple[str, ...]) -> tuple[str, ...]:
    """The participants besides the lead, each once, in the order given."""
    return tuple(p for p in dict.fromkeys(participants) if p != lead_id)
