"""Words of the work plan: a deliverable's status, its refusals, its history.

Strings are marked with ``N_`` for Babel; ``labels.py`` merges ``WORKPLAN_LABELS``
and ``WORKPLAN_RULES`` into its tables, and ``history.py`` ``WORKPLAN_SENTENCES``
into its own, so every word of the work plan is found where the others are.
"""

from __future__ import annotations

from enum import Enum

from governance.workplan.values import DeliverableStatus
from web.i18n import N_

WORKPLAN_LABELS: dict[Enum, str] = {
    DeliverableStatus.DUE: N_("Due"),
    DeliverableStatus.SUBMITTED: N_("Submitted, awaiting review"),
    DeliverableStatus.CHANGES_REQUESTED: N_("Changes requested"),
    DeliverableStatus.ACCEPTED: N_("Accepted"),
}

WORKPLAN_RULES: dict[str, str] = {
    "workplan.title_required": N_("Give a title."),
    "workplan.title_too_long": N_("This title is too long."),
    "workplan.code_required": N_("Give the work package a code, like WP1."),
    "workplan.code_too_long": N_("A code has at most %(limit)s characters."),
    "workplan.code_taken": N_("Another work package already has the code %(taken)s."),
    "workplan.partner_not_active": N_(
        "Choose partners of the consortium that have not withdrawn."
    ),
    "workplan.package_unknown": N_("Choose one of the work packages."),
    "workplan.package_in_use": N_(
        "This work package has deliverables or milestones: it cannot be withdrawn."
    ),
    "workplan.deliverable_unknown": N_("There is no such deliverable."),
    "workplan.milestone_unknown": N_("There is no such milestone."),
    "deliverable.not_open": N_(
        "This deliverable is awaiting review or accepted: it cannot be submitted now."
    ),
    "deliverable.not_submitted": N_("Only a submitted deliverable can be reviewed."),
    "deliverable.reason_required": N_("Say what needs to change."),
    "deliverable.file_required": N_("Attach the deliverable's file."),
    "milestone.already_reached": N_("This milestone is already reached."),
    "milestone.reached_in_future": N_("A milestone cannot be reached in the future."),
    "milestone.evidence_required": N_("Attach a file or write a note as evidence."),
}

WORKPLAN_SENTENCES: dict[str, str] = {
    "work_package_defined": N_(
        "defined the work package %(code)s “%(title)s”, led by %(partner)s"
    ),
    "work_package_changed": N_(
        "changed the work package %(code)s “%(title)s”, led by %(partner)s"
    ),
    "work_package_withdrawn": N_("withdrew the work package %(code)s “%(title)s”"),
    "deliverable_planned": N_(
        "planned the deliverable “%(title)s” of %(code)s, due on %(on)s from %(partner)s"
    ),
    "deliverable_submitted": N_("submitted the deliverable “%(title)s” of %(code)s"),
    "deliverable_accepted": N_("accepted the deliverable “%(title)s” of %(code)s"),
    "deliverable_changes_requested": N_(
        "requested changes to the deliverable “%(title)s” of %(code)s: %(comment)s"
    ),
    "milestone_planned": N_("planned the milestone “%(title)s” of %(code)s for %(on)s"),
    "deliverable_reminder_requested": N_(
        "reminded %(person)s of the deliverable “%(title)s” (%(stage)s)"
    ),
    "milestone_reached": N_(
        "recorded the milestone “%(title)s” of %(code)s reached on %(on)s"
    ),
}
