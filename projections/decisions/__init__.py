"""The decisions read model: bodies, proxies, proposals, votes and the decision log.

Recorded meeting decisions and closed votes share the ``proposals`` table (``kind``
tells them apart), so the decision log is one query. Tallies are not stored: they
are computed from the votes with the pure rules of ``governance.voting``.

One projection (one name, one tracking position, the same tables as ever), in
parts: ``tables`` the tables, ``rows`` what queries hand out and how rules and
documents are stored as text, ``projection`` the handlers, ``queries`` the
reading side.
"""

from __future__ import annotations

from projections.decisions.projection import DecisionsProjection
from projections.decisions.queries import (
    LogFilter,
    bodies_of,
    decision_log,
    document_of,
    due_written_proposals,
    open_proposals,
    proposal,
    proxies_of,
    steps_of,
    votes_of,
)
from projections.decisions.rows import (
    BodyRow,
    ProposalRow,
    ProxyRow,
    StepRow,
    VoteRow,
)
from projections.decisions.tables import (
    bodies,
    proposal_steps,
    proposals,
    proxies,
    votes,
)

__all__ = [
    "BodyRow",
    "DecisionsProjection",
    "LogFilter",
    "ProposalRow",
    "ProxyRow",
    "StepRow",
    "VoteRow",
    "bodies",
    "bodies_of",
    "decision_log",
    "document_of",
    "due_written_proposals",
    "open_proposals",
    "proposal",
    "proposal_steps",
    "proposals",
    "proxies",
    "proxies_of",
    "steps_of",
    "votes",
    "votes_of",
]
