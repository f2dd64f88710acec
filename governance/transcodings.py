"""How our value types are stored: one transcoding per type, all registered here.

Dates go as ISO strings, enums by value, records as dicts, tuples tagged as tuples.
A value type without a transcoding here cannot be stored (the round-trip test
catches it).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from governance.commitment import Delivery
from governance.consortium import Body, Membership, Partner, PendingInvitation, Proxy
from governance.convention.values import DocumentKind, Signature
from governance.financing.changes import AmendmentKind
from governance.financing.grant_values import (
    GrantTerms,
    Payment,
    Recovery,
    Release,
    Tranche,
    TrancheCondition,
    TrancheKind,
)
from governance.financing.statement_values import (
    Refusal,
    RefusalReason,
    StatementLine,
    StatementStatus,
)
from governance.financing.values import (
    CommittedContribution,
    CostCategory,
    ExpenseLine,
    FundingRules,
    IndirectBase,
    PlanContent,
    PlanVersion,
    PlanVersionKind,
    PublicFunder,
    ResourceLine,
    ResourceSource,
)
from governance.indicator import Measurement
from governance.proposal import Ballot
from governance.values import (
    AssetType,
    AuthorityLevel,
    CallForProjects,
    CapitalisationKind,
    ContributionKind,
    Dissemination,
    Evidence,
    Funding,
    Lesson,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    ReminderChannel,
    Replication,
    ReportedIndicator,
    ReportedValue,
    ReportKind,
    ReportStatus,
    ReusableAsset,
    Unit,
)
from governance.voting import Majority, Outcome, VotingRule
from governance.workplan.plan import Deliverable, Milestone, Package
from governance.workplan.values import DeliverableStatus


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class FractionAsText(Transcoding):
    """Stores an exact fraction as "numerator/denominator" (a quorum of "2/3")."""

    type = Fraction
    name = "fraction"

    def encode(self, obj: Fraction) -> str:
        return str(obj)

    def decode(self, data: str) -> Fraction:
        return Fraction(data)


class TupleAsList(Transcoding):
    """Brings a tuple back as a tuple (``TupleKeepingTranscoder`` tags them)."""

    type = tuple
    name = "tuple"

    def encode(self, obj: tuple[Any, ...]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


def _tag_tuples(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return {"_type_": TupleAsList.name, "_data_": [_tag_tuples(v) for v in obj]}
    if isinstance(obj, list):
        return [_tag_tuples(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _tag_tuples(v) for k, v in obj.items()}
    return obj


class TupleKeepingTranscoder(JSONTranscoder):
    """JSON that keeps the tuples of event fields and aggregate state.

    The json module writes a tuple as a list without asking any transcoding, so an
    event field or a state attribute declared as a tuple (a proposal's options) came
    back a list, and a snapshot was no longer equal to its aggregate. Tuples inside
    records stay lists on disk: ``RecordAsDict`` rebuilds those it declares.
    """

    def encode(self, obj: Any) -> bytes:
        encoded: bytes = super().encode(_tag_tuples(obj))
        return encoded


class EnumByValue(Transcoding):
    """Stores an enum member as its value, under the enum's own name."""

    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = enum_type.__name__

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


class RecordAsDict(Transcoding):
    """Stores a dataclass record as a dict of its fields (tuples come back)."""

    def __init__(self, record_type: type[Any], tuples: tuple[str, ...] = ()) -> None:
        self.type = record_type
        self.name = record_type.__name__
        self.tuples = tuples

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        for name in self.tuples:
            data[name] = tuple(data[name])
        return self.type(**data)


ENUMS: tuple[type[Enum], ...] = (
    Phase,
    PartnerKind,
    AuthorityLevel,
    PartnerRole,
    Paper,
    MemberRole,
    ContributionKind,
    Unit,
    Funding,
    Majority,
    Outcome,
    ReportKind,
    ReportStatus,
    ReminderChannel,
    CapitalisationKind,
    AssetType,
    CostCategory,
    ResourceSource,
    PublicFunder,
    IndirectBase,
    PlanVersionKind,
    DeliverableStatus,
    AmendmentKind,
    DocumentKind,
    StatementStatus,
    RefusalReason,
    TrancheKind,
    TrancheCondition,
)


def register_all(transcoder: JSONTranscoder) -> None:
    """Register every transcoding our events and snapshots need."""
    transcoder.register(DateAsISO())
    transcoder.register(FractionAsText())
    transcoder.register(TupleAsList())
    for enum_type in ENUMS:
        transcoder.register(EnumByValue(enum_type))
    transcoder.register(RecordAsDict(CallForProjects, tuples=("closing_dates",)))
    transcoder.register(RecordAsDict(Partner))
    transcoder.register(RecordAsDict(Membership))
    transcoder.register(RecordAsDict(PendingInvitation))
    transcoder.register(RecordAsDict(Evidence))
    transcoder.register(RecordAsDict(Delivery))
    transcoder.register(RecordAsDict(VotingRule))
    transcoder.register(RecordAsDict(Body))
    transcoder.register(RecordAsDict(Proxy))
    transcoder.register(RecordAsDict(Ballot))
    transcoder.register(RecordAsDict(Measurement))
    transcoder.register(RecordAsDict(ReportedValue))
    transcoder.register(RecordAsDict(ReportedIndicator, tuples=("values",)))
    for entry_type in (Lesson, ReusableAsset, Replication, Dissemination):
        transcoder.register(RecordAsDict(entry_type))
    for line_type in (ExpenseLine, ResourceLine, CommittedContribution, PlanVersion):
        transcoder.register(RecordAsDict(line_type))
    transcoder.register(RecordAsDict(FundingRules, tuples=("eligible_categories",)))
    transcoder.register(
        RecordAsDict(PlanContent, tuples=("expenses", "resources", "contributions"))
    )
    # The work plan's state, for its snapshots.
    transcoder.register(RecordAsDict(Package, tuples=("participants",)))
    transcoder.register(RecordAsDict(Deliverable))
    transcoder.register(RecordAsDict(Milestone, tuples=("evidence",)))
    transcoder.register(RecordAsDict(Signature))
    transcoder.register(RecordAsDict(StatementLine))
    transcoder.register(RecordAsDict(Refusal))
    # The grant: its terms, tranches, and what each payment or recovery recorded.
    for grant_type in (GrantTerms, Tranche, Payment, Recovery):
        transcoder.register(RecordAsDict(grant_type))
    transcoder.register(RecordAsDict(Release, tuples=("statement_ids",)))
