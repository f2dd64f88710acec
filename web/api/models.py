"""What the API reads and answers, as pydantic models.

Most answers are the read models' own rows (``projections``), which pydantic
describes from their dataclass declarations; the models here are the request
bodies, the envelopes (pages, links) and the few rows re-shaped for JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from governance.values import ContributionKind, Evidence, Funding
from projections.audit_chain import CheckpointRow
from projections.consortia import ConsortiumRow
from projections.decisions.rows import BodyRow, VoteRow
from projections.history.queries import HistoryEntry
from projections.ledger import CommitmentRow, ContributionRow


class Problem(BaseModel):
    """An error (RFC 9457), in the caller's language."""

    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="The rule or refusal, as the pages name it.")
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="The fields at fault: field, code, message."
    )


class Created(BaseModel):
    """What a command made: its id and the log position of its events."""

    id: str | None = None
    position: int | None = Field(
        default=None, description="The log position of the command's last event."
    )
    url: str | None = None


class Consortium(BaseModel):
    """One of the caller's consortia, with the caller's role in it."""

    consortium: ConsortiumRow
    role: str
    partner_id: str | None


class Delivered(BaseModel):
    """A delivered contribution, with its evidence's digest and download link."""

    contribution: ContributionRow
    evidence_url: str | None = Field(
        description="Where the evidence file is downloaded, with the same token."
    )


class CommitmentDetail(BaseModel):
    """A commitment and what was delivered on it."""

    commitment: CommitmentRow
    contributions: list[Delivered]


class Proposal(BaseModel):
    """A proposal (open or decided) or a decision recorded from a meeting."""

    proposal_id: str
    body_id: str
    kind: str
    title: str
    text: str
    options: list[str]
    mode: str
    closes_at: datetime | None
    meeting_on: date | None
    outcome: str | None
    closed_at: datetime | None
    decided_on: date | None
    tabled_at: datetime
    tabled_by: str
    document: Evidence | None


class ProposalDetail(BaseModel):
    """A proposal, its votes and (once decided) its outcome."""

    proposal: Proposal
    votes: list[VoteRow]


class Bodies(BaseModel):
    bodies: list[BodyRow]


class Event(BaseModel):
    """One entry of the history, with its sentence in the caller's language."""

    entry: HistoryEntry
    text: str
    author: str


class HistoryPage(BaseModel):
    """A page of the history, oldest first, from the position after ``after``."""

    events: list[Event]
    last_position: int | None = Field(
        description="The log position of the last event of this page."
    )
    next: str | None = Field(description="The next page's address; none at the end.")


class Checkpoints(BaseModel):
    checkpoints: list[CheckpointRow]


# -- what the commands take ------------------------------------------------------


class PledgeBody(BaseModel):
    """A commitment of a partner (the page's pledge form)."""

    partner_id: str = Field(max_length=36)
    kind: ContributionKind
    amount: Decimal
    starts_on: date
    ends_on: date
    funding: Funding
    covers: str = Field(default="", max_length=500)
    daily_rate: Decimal | None = None
    licence: str = Field(default="", max_length=200)
    valuation_method: str = Field(default="", max_length=4000)


class DeliveryForm(BaseModel):
    """The multipart fields of a delivery, beside its ``evidence`` file."""

    amount: str = Field(max_length=40, description="The amount delivered.")
    description: str = Field(max_length=4000)
    delivered_on: str = Field(
        default="", max_length=10, description="YYYY-MM-DD; today when empty."
    )


class MeasurementBody(BaseModel):
    """A measured value of an indicator (the page's form)."""

    value: Decimal
    on: date | None = Field(default=None, description="Today when absent.")
    source: str = Field(max_length=200)
    confirm_value: bool = Field(
        default=False,
        description="Record a value far from the baseline, target or last value.",
    )


class ReportBody(BaseModel):
    """The draft text of a report."""

    text: str = Field(max_length=20000)


class VoteBody(BaseModel):
    """A vote for the partner the caller represents (or one it holds a proxy of)."""

    option: str = Field(max_length=100)
    reason: str = Field(default="", max_length=4000)
    partner_id: str | None = Field(
        default=None, max_length=36, description="The caller's own partner if absent."
    )


def as_fields(body: BaseModel) -> dict[str, str]:
    """A body as the pages' form fields (strings), for the same form parsers."""
    fields: dict[str, str] = {}
    for name, value in body.model_dump(mode="json").items():
        fields[name] = "" if value is None else str(value)
    return fields
