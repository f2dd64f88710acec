"""The Amendment aggregate: a change of the financing plan after the convention.

Once the convention's version is filed the plan is locked; an amendment is how it
changes. The coordinator drafts one (its kind, its reason, optionally the adopted
proposal of a governance body it follows), builds its changes line by line (lines
added, lines of the plan in force withdrawn, the eligible period extended) and
proposes it; the financer approves or refuses it, with a reason. An approved
amendment makes the plan file a new version of kind amendment (the plan in force
with the changes applied): nothing is overwritten, every version stays in the trail.

The changes are explicit (added lines, withdrawn line ids), not a copy of a draft:
the plan in force may move between the proposal and the decision (another amendment
approved), and a withdrawal of a line no longer there is then refused at approval
(``amendment.stale``) rather than silently undone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.financing.changes import (
    MAX_REASON,
    AmendmentChanges,
    AmendmentKind,
    AmendmentStatus,
    check_reason,
    line_ids,
)
from governance.financing.values import ExpenseLine, PlanContent, ResourceLine


class Amendment(Aggregate):
    """A proposed change of a consortium's financing plan (avenant)."""

    class Drafted(GovernanceCreated):
        consortium_id: str
        kind: AmendmentKind
        reason: str
        proposal_id: str | None

    class ExpenseAdded(GovernanceEvent):
        line: ExpenseLine

    class ResourceAdded(GovernanceEvent):
        line: ResourceLine

    class LineWithdrawn(GovernanceEvent):
        line_id: str

    class ChangeDropped(GovernanceEvent):
        line_id: str

    class PeriodExtended(GovernanceEvent):
        eligible_until: date

    class Proposed(GovernanceEvent):
        pass

    class Approved(GovernanceEvent):
        reason: str
        version_number: int

    class Refused(GovernanceEvent):
        reason: str

    @event(Drafted)
    def __init__(
        self,
        consortium_id: str,
        kind: AmendmentKind,
        reason: str,
        proposal_id: str | None,
    ) -> None:
        self.consortium_id = consortium_id
        self.kind = kind
        self.reason = reason
        self.proposal_id = proposal_id
        self.changes = AmendmentChanges()
        self.status = AmendmentStatus.DRAFT
        self.version_number: int | None = None

    @classmethod
    def draft(
        cls,
        consortium_id: str,
        kind: AmendmentKind,
        reason: str,
        proposal_id: str | None = None,
    ) -> Amendment:
        """A new amendment, in draft (the service checks the proposal it cites)."""
        return cls(
            consortium_id=consortium_id,
            kind=kind,
            reason=check_reason(reason),
            proposal_id=proposal_id,
        )

    # -- building the changes (draft only) ------------------------------------------

    def add_expense(self, line: ExpenseLine) -> None:
        """Add a checked expense line to the plan."""
        self._check_draft()
        self._add_expense(line=line)

    @event(ExpenseAdded)
    def _add_expense(self, line: ExpenseLine) -> None:
        self.changes = replace(self.changes, expenses=(*self.changes.expenses, line))

    def add_resource(self, line: ResourceLine) -> None:
        """Add a checked resource line to the plan."""
        self._check_draft()
        self._add_resource(line=line)

    @event(ResourceAdded)
    def _add_resource(self, line: ResourceLine) -> None:
        self.changes = replace(self.changes, resources=(*self.changes.resources, line))

    def withdraw_line(self, line_id: str, in_force: PlanContent) -> None:
        """Withdraw a line of the plan in force (an expense or a resource)."""
        self._check_draft()
        ids = line_ids(in_force.expenses, in_force.resources)
        if line_id not in ids:
            raise RuleViolated("plan.line_unknown")
        if line_id in self.changes.withdrawn:
            raise RuleViolated("amendment.already_withdrawn")
        self._withdraw_line(line_id=line_id)

    @event(LineWithdrawn)
    def _withdraw_line(self, line_id: str) -> None:
        self.changes = replace(
            self.changes, withdrawn=(*self.changes.withdrawn, line_id)
        )

    def drop_change(self, line_id: str) -> None:
        """Take back a change of the draft: a line added, or a withdrawal."""
        self._check_draft()
        added = line_ids(self.changes.expenses, self.changes.resources)
        if line_id not in added and line_id not in self.changes.withdrawn:
            raise RuleViolated("plan.line_unknown")
        self._drop_change(line_id=line_id)

    @event(ChangeDropped)
    def _drop_change(self, line_id: str) -> None:
        c = self.changes
        self.changes = replace(
            c,
            expenses=tuple(e for e in c.expenses if e.line_id != line_id),
            resources=tuple(r for r in c.resources if r.line_id != line_id),
            withdrawn=tuple(i for i in c.withdrawn if i != line_id),
        )

    def extend_period(self, eligible_until: date, in_force: PlanContent) -> None:
        """Move the end of the eligible period later."""
        self._check_draft()
        rules = in_force.rules
        if rules.eligible_until is not None and eligible_until <= rules.eligible_until:
            raise RuleViolated("amendment.not_an_extension", field="eligible_until")
        if rules.eligible_from is not None and eligible_until < rules.eligible_from:
            raise RuleViolated("period.ends_before_start", field="eligible_until")
        self._extend(eligible_until=eligible_until)

    @event(PeriodExtended)
    def _extend(self, eligible_until: date) -> None:
        self.changes = replace(self.changes, eligible_until=eligible_until)

    # -- proposing and deciding -----------------------------------------------------

    def propose(self, in_force: PlanContent) -> None:
        """Send the draft to the financer; it changes something, as its kind says:
        a period extension moves the end of the period, a partner entering brings
        the lines of a partner with none in force, a partner leaving takes out every
        line of a partner in force."""
        self._check_draft()
        if self.changes.empty:
            raise RuleViolated("amendment.no_change")
        extension = self.kind is AmendmentKind.PERIOD_EXTENSION
        if extension and self.changes.eligible_until is None:
            raise RuleViolated("amendment.extension_needs_date")
        if self.kind is AmendmentKind.PARTNER_ENTERING and not self.changes.entering(
            in_force
        ):
            raise RuleViolated("amendment.entering_needs_new_partner")
        if self.kind is AmendmentKind.PARTNER_LEAVING and not self.changes.leaving(
            in_force
        ):
            raise RuleViolated("amendment.leaving_needs_every_line")
        self._propose()

    @event(Proposed)
    def _propose(self) -> None:
        self.status = AmendmentStatus.PROPOSED

    def approve(self, reason: str, version_number: int) -> None:
        """The financer approves: the plan files version ``version_number``."""
        self._check_proposed()
        text = reason.strip()
        if len(text) > MAX_REASON:
            raise RuleViolated(
                "amendment.reason_too_long", field="reason", limit=MAX_REASON
            )
        self._approve(reason=text, version_number=version_number)

    @event(Approved)
    def _approve(self, reason: str, version_number: int) -> None:
        self.status = AmendmentStatus.APPROVED
        self.version_number = version_number

    def refuse(self, reason: str) -> None:
        """The financer refuses, saying why."""
        self._check_proposed()
        self._refuse(reason=check_reason(reason, "amendment.refusal_reason_required"))

    @event(Refused)
    def _refuse(self, reason: str) -> None:
        self.status = AmendmentStatus.REFUSED

    def _check_draft(self) -> None:
        if self.status is not AmendmentStatus.DRAFT:
            raise RuleViolated("amendment.not_a_draft")

    def _check_proposed(self) -> None:
        if self.status is not AmendmentStatus.PROPOSED:
            raise RuleViolated("amendment.not_proposed")
