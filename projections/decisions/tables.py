"""The decisions read model's tables: bodies, proxies, proposals, votes, steps.

Recorded meeting decisions and closed votes share the ``proposals`` table (``kind``
tells them apart), so the decision log is one query.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

from projections.base import UtcDateTime, metadata

bodies = Table(
    "bodies",
    metadata,
    Column("body_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("members", Text, nullable=False),
    Column("quorum", String(20), nullable=False),
    Column("quorum_by_weight", Boolean, nullable=False),
    Column("majority", String(32), nullable=False),
    Column("veto_days", Integer, nullable=False),
)

proxies = Table(
    "proxies",
    metadata,
    Column("proxy_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("from_partner", String(36), nullable=False),
    Column("to_partner", String(36), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("body_id", String(36), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("options", Text, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("closes_at", UtcDateTime),
    Column("meeting_on", Date),
    Column("members", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("document", Text),
    Column("document_sha", String(64), index=True),
    Column("outcome", String(16)),
    Column("closed_at", UtcDateTime),
    Column("decided_on", Date),
    Column("veto_until", UtcDateTime),
    Column("vetoed_by", String(36)),
    Column("veto_reason", Text, nullable=False),
    Column("present", Text, nullable=False),
    Column("tabled_at", UtcDateTime, nullable=False),
    Column("tabled_by", String(64), nullable=False),
)

votes = Table(
    "votes",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("partner_id", String(36), primary_key=True),
    Column("option", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("cast_at", UtcDateTime, nullable=False),
    Column("cast_by", String(64), nullable=False),
    Column("changes", Integer, nullable=False),
)

proposal_steps = Table(
    "proposal_steps",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("proposal_id", String(36), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("params", Text, nullable=False),
)
