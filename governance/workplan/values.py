"""The words of the work plan: a deliverable's status, the plan's id, and limits."""

from __future__ import annotations

from enum import Enum
from uuid import UUID, uuid5

# Fixed forever: the id of every consortium's work plan derives from it.
WORKPLAN_NAMESPACE = UUID("0b7f6a52-3c1d-4e59-8f2a-6d9e1c4b7a30")

CODE_MAX = 40
"""A work package's code is short ("WP1", "Lot 2"): it heads columns and lists."""


class DeliverableStatus(Enum):
    """Where a deliverable stands."""

    DUE = "due"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"


OPEN_STATUSES = (DeliverableStatus.DUE, DeliverableStatus.CHANGES_REQUESTED)
"""A deliverable still to be (re)submitted: it is due, reminded, late after its day."""


def workplan_id(consortium_id: str) -> UUID:
    """The id of a consortium's work plan (one per consortium)."""
    return uuid5(WORKPLAN_NAMESPACE, f"/consortia/{consortium_id}/work-plan")
