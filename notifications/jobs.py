"""The periodic jobs: each a short, idempotent function the scheduler ticks.

A job reads the read models, decides what is due, and records it through the
governance service; a second tick finds nothing left to do, so running late or twice
is harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from governance.application import Governance
from governance.errors import Conflict, GovernanceError, RuleViolated
from projections.decisions import due_written_proposals
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)


def close_due_proposals(
    governance: Governance, read_side: ReadSide, now: datetime
) -> int:
    """Close every written vote whose deadline has passed; returns how many."""
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        due = due_written_proposals(connection, now)
    closed = 0
    for proposal_id in due:
        try:
            position = governance.close_due_proposal(UUID(proposal_id))
        except (RuleViolated, Conflict):
            continue  # closed meanwhile by another tick or a person
        except GovernanceError:
            logger.exception("jobs.close_failed proposal=%s", proposal_id)
            continue
        closed += 1
        logger.info(
            "jobs.proposal_closed proposal=%s position=%s", proposal_id, position
        )
    if closed:
        read_side.catch_up()
    return closed
