"""The history's tables, and the areas its entries are filtered by.

Each row of ``consortium_history`` keeps the event's kind, its author, when it was
recorded, the person or partner it concerns (``subject_id``, a filter), the thing it
is about (its kind and id: a partner, a proposal, a report…; where that is shown is
the web's business) and the parameters a sentence needs, with names as they were at
the time. The other tables remember what later
events need to say so: the consortium and title of aggregates of their own, the
names of partners and bodies when they were named.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from projections.base import UtcDateTime, metadata

AMENDMENT_KINDS = (
    "amendment_drafted",
    "amendment_expense_added",
    "amendment_resource_added",
    "amendment_line_withdrawn",
    "amendment_change_dropped",
    "amendment_period_extended",
    "amendment_proposed",
    "amendment_approved",
    "amendment_refused",
)
"""The kinds of entries about an amendment (in the financing plan's area)."""

DOCUMENT_KINDS = ("document_filed", "document_version_filed", "document_signed")
"""The kinds of entries about a document of the convention (the consortium's area)."""

history = Table(
    "consortium_history",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("consortium_id", String(36), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("subject_id", String(64)),
    Column("params", Text, nullable=False),
    Column("area", String(16), nullable=False),
    Column("about_kind", String(24), nullable=False),
    Column("about_id", String(64)),
    Index("history_by_consortium", "consortium_id", "position"),
    Index("history_by_area", "consortium_id", "area", "position"),
    Index("history_by_actor", "consortium_id", "actor_id", "position"),
    Index("history_by_subject", "consortium_id", "subject_id", "position"),
)

# The consortium (and title) of things that are aggregates of their own.
owners = Table(
    "history_owners",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
)

# Which part of the consortium's life each kind of entry belongs to (a filter).
AREAS: dict[str, tuple[str, ...]] = {
    "consortium": (
        "founded",
        "profile_revised",
        "phase_changed",
        *DOCUMENT_KINDS,
        "call_rules_recorded",
    ),
    "partners": (
        "partner_joined",
        "partner_role_changed",
        "partner_axis_changed",
        "partner_paper_recorded",
        "partner_withdrew",
    ),
    "people": (
        "invitation_issued",
        "invitation_cancelled",
        "membership_granted",
        "membership_revoked",
    ),
    "commitments": (
        "commitment_pledged",
        "commitment_amended",
        "commitment_withdrawn",
        "contribution_delivered",
    ),
    "decisions": (
        "body_established",
        "body_changed",
        "proxy_delegated",
        "proxy_revoked",
        "proposal_tabled",
        "vote_cast",
        "vote_changed",
        "proposal_closed",
        "outcome_vetoed",
        "decision_recorded",
        "vote_recorded",
        "vote_recorded_by_proxy",
    ),
    "reporting": (
        "report_scheduled",
        "report_drafted",
        "report_submitted",
        "report_accepted",
        "report_changes_requested",
        "indicator_defined",
        "indicator_measured",
        "reminder_schedule_set",
        "reminder_requested",
        "reminder_sent",
        "measurement_corrected",
        "measurement_withdrawn",
        "application_reminder_requested",
        "application_reminder_sent",
    ),
    "capitalisation": (
        "capitalisation_recorded",
        "capitalisation_amended",
        "capitalisation_withdrawn",
        "personal_data_handled",
        "personal_data_no_partner",
        "personal_data_not_handled",
        "beneficiaries_described",
        "beneficiaries_cleared",
    ),
    "audit": ("checkpoint_countersigned",),
    "budget": (
        "expense_planned",
        "expense_withdrawn",
        "resource_planned",
        "resource_withdrawn",
        "funding_rules_set",
        "funding_rules_set_with_rate",
        "plan_version_filed",
        *AMENDMENT_KINDS,
    ),
    "workplan": (
        "work_package_defined",
        "work_package_changed",
        "work_package_withdrawn",
        "deliverable_planned",
        "deliverable_submitted",
        "deliverable_accepted",
        "deliverable_changes_requested",
        "milestone_planned",
        "milestone_reached",
        "deliverable_reminder_requested",
    ),
    "expenses": (
        "expense_declared",
        "expense_line_withdrawn",
        "expense_statement_submitted",
        "expense_line_refused",
        "expense_statement_accepted",
        "statement_reminder_requested",
    ),
    "financial_report": (
        "variance_explained",
        "final_variance_explained",
        "financial_report_certified",
        "final_financial_report_certified",
    ),
    "funding": (
        "grant_set",
        "payment_at_signature",
        "payment_on_report",
        "recovery_recorded",
        "tranche_reminder_requested",
    ),
}
AREA_OF_KIND = {kind: area for area, kinds in AREAS.items() for kind in kinds}

# What each kind of entry is about. Its id is the aggregate whose event it is, unless
# the handler names another (a partner, a body, an invitation…).
ABOUT: dict[str, str] = {
    **dict.fromkeys(("founded", "profile_revised", "phase_changed"), "consortium"),
    **dict.fromkeys(AREAS["partners"], "partner"),
    **dict.fromkeys(("invitation_issued", "invitation_cancelled"), "invitation"),
    **dict.fromkeys(("membership_granted", "membership_revoked"), "member"),
    **dict.fromkeys(AREAS["commitments"], "commitment"),
    **dict.fromkeys(("body_established", "body_changed"), "body"),
    **dict.fromkeys(("proxy_delegated", "proxy_revoked"), "proxy"),
    **dict.fromkeys(
        (
            "proposal_tabled",
            "vote_cast",
            "vote_changed",
            "proposal_closed",
            "outcome_vetoed",
        ),
        "proposal",
    ),
    "decision_recorded": "decision",
    **dict.fromkeys(
        (
            "report_scheduled",
            "report_drafted",
            "report_submitted",
            "report_accepted",
            "report_changes_requested",
            "reminder_requested",
        ),
        "report",
    ),
    **dict.fromkeys(("indicator_defined", "indicator_measured"), "indicator"),
    "reminder_schedule_set": "reminder_schedule",
    "reminder_sent": "reminder",
    **dict.fromkeys(
        (
            "capitalisation_recorded",
            "capitalisation_amended",
            "capitalisation_withdrawn",
        ),
        "capitalisation_entry",
    ),
    **dict.fromkeys(
        (
            "personal_data_handled",
            "personal_data_no_partner",
            "personal_data_not_handled",
            "beneficiaries_described",
            "beneficiaries_cleared",
        ),
        "readiness",
    ),
    "checkpoint_countersigned": "checkpoint",
    **dict.fromkeys(AREAS["budget"], "financing_plan"),
    **dict.fromkeys(AREAS["workplan"][:3], "work_package"),
    **dict.fromkeys(AREAS["workplan"][3:7], "deliverable"),
    **dict.fromkeys(AREAS["workplan"][7:9], "milestone"),
    "deliverable_reminder_requested": "deliverable",
    **dict.fromkeys(AMENDMENT_KINDS, "amendment"),
    **dict.fromkeys(DOCUMENT_KINDS, "document"),
    **dict.fromkeys(AREAS["expenses"], "expense_statement"),
    **dict.fromkeys(AREAS["financial_report"], "financial_report"),
    **dict.fromkeys(AREAS["funding"], "grant"),
    **dict.fromkeys(("vote_recorded", "vote_recorded_by_proxy"), "proposal"),
    **dict.fromkeys(("measurement_corrected", "measurement_withdrawn"), "indicator"),
    "call_rules_recorded": "call",
    "application_reminder_requested": "call",
    "application_reminder_sent": "call",
    # fundreminders: a statement's reminder leads to its report
    "statement_reminder_requested": "report",
}

commitment_owners = Table(
    "history_commitments",
    metadata,
    Column("commitment_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False),
    Column("partner_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
)


capitalisation_owners = Table(
    "history_capitalisation",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
)


labels = Table(
    "history_labels",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("subject_id", String(64), primary_key=True),
    Column("label", Text, nullable=False),
)
