"""What the decisions read model hands out (one frozen row per thing), and how
rules, documents and rows are stored as text and read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from typing import Any

from governance.values import Evidence
from governance.voting import Majority, Outcome, VotingRule
from projections.decisions.tables import proposals


@dataclass(frozen=True)
class BodyRow:
    """A governance body."""

    body_id: str
    consortium_id: str
    name: str
    members: dict[str, int]
    rule: VotingRule


@dataclass(frozen=True)
class ProxyRow:
    """A delegation of a partner's vote."""

    proxy_id: str
    from_partner: str
    to_partner: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class VoteRow:
    """A partner's current vote."""

    partner_id: str
    option: str
    reason: str
    cast_at: datetime
    cast_by: str
    changes: int


@dataclass(frozen=True)
class ProposalRow:
    """A proposal (open or decided) or a decision recorded from a meeting."""

    proposal_id: str
    consortium_id: str
    body_id: str
    kind: str
    title: str
    text: str
    options: tuple[str, ...]
    mode: str
    closes_at: datetime | None
    meeting_on: date | None
    members: dict[str, int]
    rule: VotingRule
    document: Evidence | None
    outcome: Outcome | None
    closed_at: datetime | None
    decided_on: date | None
    veto_until: datetime | None
    vetoed_by: str | None
    veto_reason: str
    present: tuple[str, ...]
    tabled_at: datetime
    tabled_by: str

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def date(self) -> date:
        """The decision's date: recorded, closed, or tabled."""
        if self.decided_on is not None:
            return self.decided_on
        return (self.closed_at or self.tabled_at).date()


@dataclass(frozen=True)
class StepRow:
    """One step in a proposal's history."""

    position: int
    recorded_at: datetime
    actor_id: str
    kind: str
    params: dict[str, Any]


def rule_text(rule: VotingRule) -> str:
    """A voting rule as stored (JSON)."""
    return json.dumps(
        {
            "quorum": str(rule.quorum),
            "by_weight": rule.quorum_by_weight,
            "majority": rule.majority.value,
            "veto_days": rule.veto_days,
        }
    )


@lru_cache(maxsize=256)
def rule_of(text: str) -> VotingRule:
    """The voting rule ``rule_text`` stored."""
    # Remembered (a rule is frozen): a page of the decision log reads a body's
    # few rules fifty times, and parsing one was a third of reading the page.
    data = json.loads(text)
    return VotingRule(
        Fraction(data["quorum"]),
        data["by_weight"],
        Majority(data["majority"]),
        data["veto_days"],
    )


def evidence_text(evidence: Evidence | None) -> str | None:
    """A document's reference as stored (JSON), None for none."""
    if evidence is None:
        return None
    return json.dumps(
        {
            "sha256": evidence.sha256,
            "size": evidence.size,
            "media_type": evidence.media_type,
            "filename": evidence.filename,
        }
    )


def body_row(r: Any) -> BodyRow:
    """A ``bodies`` row as a ``BodyRow``."""
    rule = VotingRule(
        Fraction(r.quorum), bool(r.quorum_by_weight), Majority(r.majority), r.veto_days
    )
    return BodyRow(r.body_id, r.consortium_id, r.name, json.loads(r.members), rule)


_AT = {column.name: i for i, column in enumerate(proposals.columns)}


def proposal_row(r: Sequence[Any]) -> ProposalRow:
    """A ``proposals`` row (every column, in the table's order) as a ``ProposalRow``."""
    # By position: looking a row's 23 columns up by name was most of reading a
    # page of the decision log. The fields are the columns but the document's hash
    # (a column to find the proposal by; the document holds it too).
    v = list(r)
    for name in ("options", "present"):
        v[_AT[name]] = tuple(json.loads(v[_AT[name]]))
    v[_AT["members"]] = json.loads(v[_AT["members"]])
    v[_AT["rule"]] = rule_of(v[_AT["rule"]])
    document, outcome = v[_AT["document"]], v[_AT["outcome"]]
    v[_AT["document"]] = Evidence(**json.loads(document)) if document else None
    v[_AT["outcome"]] = Outcome(outcome) if outcome else None
    del v[_AT["document_sha"]]
    return ProposalRow(*v)
