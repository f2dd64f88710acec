"""Who may do what: the role matrix of ``domain.md`` as data and pure checks.

This answers "may this person do this?"; whether the action is allowed in the
consortium's current state is the aggregate's business. The service's check is the
authoritative one; the web layer calls ``allowed`` only to decide what to show.
"""

from __future__ import annotations

from enum import Enum

from governance.errors import NotFound, NotPermitted
from governance.values import MemberRole


class Action(Enum):
    """Everything a person can ask of a consortium."""

    VIEW = "view"
    CHANGE_PROFILE = "change_profile"
    CHANGE_PHASE = "change_phase"
    MANAGE_PARTNERS = "manage_partners"
    MANAGE_PEOPLE = "manage_people"
    PLEDGE = "pledge"
    MANAGE_BODIES = "manage_bodies"
    TABLE = "table"
    VOTE = "vote"
    CLOSE_VOTE = "close_vote"
    MANAGE_CALENDAR = "manage_calendar"
    REPORT = "report"
    REVIEW_REPORT = "review_report"
    EXPORT = "export"
    COUNTERSIGN = "countersign"
    CAPITALISE = "capitalise"
    PLAN_BUDGET = "plan_budget"
    MANAGE_WORKPLAN = "manage_workplan"
    SUBMIT_DELIVERABLE = "submit_deliverable"
    REVIEW_DELIVERABLE = "review_deliverable"
    PROPOSE_AMENDMENT = "propose_amendment"
    DECIDE_AMENDMENT = "decide_amendment"
    FILE_DOCUMENTS = "file_documents"
    DECLARE_EXPENSES = "declare_expenses"
    SUBMIT_EXPENSES = "submit_expenses"
    REVIEW_EXPENSES = "review_expenses"
    FINANCIAL_REPORT = "financial_report"
    MANAGE_GRANT = "manage_grant"
    RECORD_PAYMENT = "record_payment"


_ALL = frozenset(MemberRole)
_COORDINATOR = frozenset({MemberRole.COORDINATOR})

MATRIX: dict[Action, frozenset[MemberRole]] = {
    Action.VIEW: _ALL,
    Action.CHANGE_PROFILE: _COORDINATOR,
    Action.CHANGE_PHASE: _COORDINATOR,
    Action.MANAGE_PARTNERS: _COORDINATOR,
    Action.MANAGE_PEOPLE: _COORDINATOR,
    # Members pledge and deliver for the partner they represent only (see below).
    Action.PLEDGE: frozenset({MemberRole.COORDINATOR, MemberRole.MEMBER}),
    Action.MANAGE_BODIES: _COORDINATOR,
    Action.TABLE: frozenset({MemberRole.COORDINATOR, MemberRole.MEMBER}),
    # Votes are cast by the representative of a partner (members only).
    Action.VOTE: frozenset({MemberRole.MEMBER}),
    Action.CLOSE_VOTE: _COORDINATOR,
    Action.MANAGE_CALENDAR: frozenset({MemberRole.COORDINATOR, MemberRole.PILOT_TEAM}),
    Action.REPORT: frozenset({MemberRole.COORDINATOR, MemberRole.PILOT_TEAM}),
    Action.REVIEW_REPORT: frozenset({MemberRole.FINANCER}),
    Action.EXPORT: _ALL,
    # Financers are read-only, except for vouching for a checkpoint of the log.
    Action.COUNTERSIGN: frozenset({MemberRole.FINANCER}),
    # The issue on capitalisation has members record too (domain.md's matrix had
    # them read only): lessons and replications are often a partner's to tell.
    Action.CAPITALISE: frozenset(
        {MemberRole.COORDINATOR, MemberRole.MEMBER, MemberRole.PILOT_TEAM}
    ),
    # The financing plan is the lead partner's to draw up and file; everyone reads.
    Action.PLAN_BUDGET: _COORDINATOR,
    # The work plan: the coordinator draws it up and records milestones; a
    # deliverable is handed in by its responsible partner's members (or the
    # coordinator) and reviewed by the financer, like a report.
    Action.MANAGE_WORKPLAN: _COORDINATOR,
    Action.SUBMIT_DELIVERABLE: frozenset({MemberRole.COORDINATOR, MemberRole.MEMBER}),
    Action.REVIEW_DELIVERABLE: frozenset({MemberRole.FINANCER}),
    # After the convention the plan changes by amendment: the lead partner proposes,
    # the funder (and only the funder) approves or refuses.
    Action.PROPOSE_AMENDMENT: _COORDINATOR,
    Action.DECIDE_AMENDMENT: frozenset({MemberRole.FINANCER}),
    # The convention's documents are filed, versioned and signed by the lead
    # partner's coordinators; everyone reads them.
    Action.FILE_DOCUMENTS: _COORDINATOR,
    # Expense statements: members declare for the partner they represent only
    # (``check_declares_for``), the coordinator for any and submits them; the
    # financer refuses lines and accepts.
    Action.DECLARE_EXPENSES: frozenset({MemberRole.COORDINATOR, MemberRole.MEMBER}),
    Action.SUBMIT_EXPENSES: _COORDINATOR,
    Action.REVIEW_EXPENSES: frozenset({MemberRole.FINANCER}),
    # The financial report (compte rendu financier) is the lead partner's: its
    # coordinators explain the variances and certify it, naming who signs and in
    # which capacity (its legal representative, as a rule). Everyone reads it.
    Action.FINANCIAL_REPORT: _COORDINATOR,
    # The grant is the funder's record: the financer sets up its schedule of
    # tranches and records what the funder paid or took back; everyone reads it.
    Action.MANAGE_GRANT: frozenset({MemberRole.FINANCER}),
    Action.RECORD_PAYMENT: frozenset({MemberRole.FINANCER}),
}


def allowed(role: MemberRole | None, action: Action) -> bool:
    """Whether a person holding ``role`` (None: not a member) may do ``action``."""
    return role is not None and role in MATRIX[action]


def check(
    role: MemberRole | None, action: Action, *, actor_id: str, consortium_id: object
) -> None:
    """Raise unless ``role`` allows ``action``.

    A person who is not in the consortium gets ``NotFound``: its existence is not
    revealed. A member whose role does not allow the action gets ``NotPermitted``.
    """
    if role is None:
        raise NotFound("consortium", consortium_id)
    if role not in MATRIX[action]:
        raise NotPermitted(action.value, actor_id)


def may_act_for_partner(
    role: MemberRole | None, own_partner: str | None, partner_id: str
) -> bool:
    """Whether a person may pledge and deliver for ``partner_id``.

    Coordinators act for any partner; a member only for the partner they represent.
    """
    if not allowed(role, Action.PLEDGE):
        return False
    return role is MemberRole.COORDINATOR or own_partner == partner_id


def check_acts_for_partner(
    role: MemberRole | None,
    own_partner: str | None,
    partner_id: str,
    *,
    actor_id: str,
    consortium_id: object,
) -> None:
    """Raise unless the person may pledge and deliver for ``partner_id``."""
    check(role, Action.PLEDGE, actor_id=actor_id, consortium_id=consortium_id)
    if not may_act_for_partner(role, own_partner, partner_id):
        raise NotPermitted(Action.PLEDGE.value, actor_id)


def may_declare_for(
    role: MemberRole | None, own_partner: str | None, partner_id: str
) -> bool:
    """Whether a person may declare expenses for ``partner_id``.

    Coordinators declare for any partner; a member only for the partner they
    represent.
    """
    if not allowed(role, Action.DECLARE_EXPENSES):
        return False
    return role is MemberRole.COORDINATOR or own_partner == partner_id


def check_declares_for(
    role: MemberRole | None,
    own_partner: str | None,
    partner_id: str,
    *,
    actor_id: str,
    consortium_id: object,
) -> None:
    """Raise unless the person may declare expenses for ``partner_id``."""
    check(role, Action.DECLARE_EXPENSES, actor_id=actor_id, consortium_id=consortium_id)
    if not may_declare_for(role, own_partner, partner_id):
        raise NotPermitted(Action.DECLARE_EXPENSES.value, actor_id)
