"""The history read model: every event of a consortium, ready to be told in words.

Each row keeps the event's kind, its author, when it was recorded, the thing it is
about (a partner, a person) and the parameters a sentence needs, with names as they
were at the time. The web layer turns a row into a translated sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    select,
)

from governance import events
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, batch_cache, update_rows

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
    Column("about", String(120), nullable=False),
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
    "consortium": ("founded", "profile_revised", "phase_changed"),
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
}
# Entries about things without a page of their own link to their area's page.
PAGES = {
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
    "decision_recorded": "decisions",
    "indicator_defined": "indicators",
    "indicator_measured": "indicators",
}
AREA_OF_KIND = {kind: area for area, kinds in AREAS.items() for kind in kinds}

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


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a consortium."""

    position: int
    consortium_id: str
    recorded_at: datetime
    actor_id: str
    kind: str
    subject_id: str | None
    params: dict[str, Any]
    area: str = ""
    about: str = ""


@dataclass(frozen=True)
class HistoryFilter:
    """What the reader narrowed the trail to (None: everything)."""

    area: str | None = None
    subject_id: str | None = None
    actor_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class HistoryPage:
    """A page of history, newest first, with the key of the next (older) page."""

    entries: tuple[HistoryEntry, ...]
    older_than: int | None


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class HistoryProjection(Projection):
    """Appends one row per consortium event."""

    name: ClassVar[str] = "history"
    tables: ClassVar[tuple[Table, ...]] = (
        history,
        labels,
        commitment_owners,
        owners,
        capitalisation_owners,
    )

    def _add(
        self,
        connection: Connection,
        envelope: Envelope,
        what: str,
        subject_id: str | None = None,
        /,
        consortium_id: str | None = None,
        about: str | None = None,
        **params: Any,
    ) -> None:
        area = AREA_OF_KIND[what]
        if about is None:
            about = PAGES.get(what)
            if not about:
                if area == "partners":
                    about = f"partners/{subject_id}"
                elif area == "people":
                    about = "members"
                elif area == "commitments":
                    about = f"commitments/{envelope.originator_id}"
                elif area == "capitalisation":
                    about = f"capitalisation/{subject_id}"
                else:
                    about = ""
        add_row(
            connection,
            history,
            {
                "position": envelope.position,
                "consortium_id": consortium_id or envelope.originator_id,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "kind": what,
                "subject_id": subject_id,
                "params": json.dumps({k: _value(v) for k, v in params.items()}),
                "area": area,
                "about": about,
            },
        )

    def _own(
        self, connection: Connection, envelope: Envelope, consortium_id: str, title: str
    ) -> None:
        add_row(
            connection,
            owners,
            {
                "aggregate_id": envelope.originator_id,
                "consortium_id": consortium_id,
                "title": title,
            },
        )
        batch_cache(connection, "history.owners")[envelope.originator_id] = (
            consortium_id,
            title,
        )

    def _owner(self, connection: Connection, aggregate_id: str) -> tuple[str, str]:
        cache = batch_cache(connection, "history.owners")
        found: tuple[str, str] | None = cache.get(aggregate_id)
        if found is None:
            row = connection.execute(_OWNER, {"aggregate_id": aggregate_id}).one()
            found = cache[aggregate_id] = (row.consortium_id, row.title)
        return found

    def _add_about_own(
        self,
        connection: Connection,
        envelope: Envelope,
        what: str,
        path: str,
        subject_id: str | None = None,
        /,
        **params: Any,
    ) -> None:
        """A row about an aggregate of its own (a proposal, a report…)."""
        consortium_id, title = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            subject_id,
            consortium_id=consortium_id,
            about=f"{path}/{envelope.originator_id}" if path else PAGES[what],
            title=title,
            **params,
        )

    def _add_about_partner(
        self, connection: Connection, envelope: Envelope, what: str, /, **params: Any
    ) -> None:
        """A row about the event's partner, named as it was then."""
        partner_id = envelope.event.partner_id
        label = self._label(connection, envelope, partner_id)
        self._add(connection, envelope, what, partner_id, partner=label, **params)

    def _add_about_commitment(
        self, connection: Connection, envelope: Envelope, what: str, /, **params: Any
    ) -> None:
        """A row in the history of the commitment's consortium, about its partner."""
        owner = _commitment_owner(connection, envelope.originator_id)
        label = _label_in(connection, owner.consortium_id, owner.partner_id)
        self._add(
            connection,
            envelope,
            what,
            owner.partner_id,
            consortium_id=owner.consortium_id,
            partner=label or "?",
            kind=owner.kind,
            unit=owner.unit,
            **params,
        )

    @on(events.CommitmentPledged)
    def pledged(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        row = {
            "commitment_id": envelope.originator_id,
            "consortium_id": e.consortium_id,
            "partner_id": e.partner_id,
            "kind": e.kind.value,
            "unit": e.unit.value,
        }
        add_row(connection, commitment_owners, row)
        batch_cache(connection, "history.commitments")[envelope.originator_id] = _Owner(
            **row
        )
        self._add_about_commitment(
            connection, envelope, "commitment_pledged", amount=e.amount
        )

    @on(events.CommitmentAmended)
    def commitment_amended(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_amended", amount=e.amount, reason=e.reason
        )

    @on(events.CommitmentWithdrawn)
    def commitment_withdrawn(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection, envelope, "commitment_withdrawn", on=e.on, reason=e.reason
        )

    @on(events.ContributionDelivered)
    def contribution_delivered(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        e = envelope.event
        self._add_about_commitment(
            connection,
            envelope,
            "contribution_delivered",
            amount=e.amount,
            on=e.delivered_on,
        )

    @on(*events.CAPITALISATION_RECORDED)
    def capitalisation_recorded(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        e = envelope.event
        row = {
            "entry_id": envelope.originator_id,
            "consortium_id": e.consortium_id,
            "kind": e.entry.kind.value,
            "title": e.entry.title,
        }
        add_row(connection, capitalisation_owners, row)
        batch_cache(connection, "history.entries")[envelope.originator_id] = _Owner(
            **row
        )
        self._add(
            connection,
            envelope,
            "capitalisation_recorded",
            envelope.originator_id,
            consortium_id=e.consortium_id,
            entry_kind=e.entry.kind,
            title=e.entry.title,
        )

    def _add_about_entry(
        self, connection: Connection, envelope: Envelope, what: str, /, **params: Any
    ) -> None:
        owner = _entry_owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            envelope.originator_id,
            consortium_id=owner.consortium_id,
            entry_kind=owner.kind,
            title=params.pop("title", owner.title),
            **params,
        )

    @on(events.CapitalisationEntryAmended)
    def capitalisation_amended(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            capitalisation_owners,
            {"entry_id": envelope.originator_id},
            {"title": e.entry.title},
        )
        # The cached owner (if any) would still hold the old title.
        batch_cache(connection, "history.entries").pop(envelope.originator_id, None)
        self._add_about_entry(
            connection,
            envelope,
            "capitalisation_amended",
            title=e.entry.title,
            reason=e.reason,
        )

    @on(events.CapitalisationEntryWithdrawn)
    def capitalisation_withdrawn(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        self._add_about_entry(
            connection,
            envelope,
            "capitalisation_withdrawn",
            reason=envelope.event.reason,
        )

    @on(events.PersonalDataDeclared)
    def personal_data_declared(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        e = envelope.event
        partner_id = e.data_protection_partner_id
        if not e.handles_personal_data:
            what = "personal_data_not_handled"
        elif partner_id is None:
            what = "personal_data_no_partner"
        else:
            what = "personal_data_handled"
        self._add(
            connection,
            envelope,
            what,
            partner_id,
            partner=self._label(connection, envelope, partner_id) if partner_id else "",
        )

    @on(events.BeneficiaryInvolvementDescribed)
    def beneficiaries_described(
        self, connection: Connection, envelope: Envelope
    ) -> None:
        description = envelope.event.description
        self._add(
            connection,
            envelope,
            "beneficiaries_described" if description else "beneficiaries_cleared",
            description=description,
        )

    def _label(
        self, connection: Connection, envelope: Envelope, subject_id: str
    ) -> str:
        return _label_in(connection, envelope.originator_id, subject_id) or "?"

    @on(events.ConsortiumFounded)
    def founded(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "founded", name=envelope.event.name)

    @on(events.ProfileRevised)
    def revised(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "profile_revised", name=envelope.event.name)

    @on(events.PhaseChanged)
    def phase_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add(connection, envelope, "phase_changed", phase=e.phase, on=e.on)

    @on(events.PartnerJoined)
    def joined(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        _add_label(connection, envelope.originator_id, e.partner_id, e.name)
        self._add(
            connection,
            envelope,
            "partner_joined",
            e.partner_id,
            partner=e.name,
            role=e.role,
            kind=e.kind,
            on=e.joined_on,
        )

    @on(events.PartnerRoleChanged)
    def role_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_role_changed",
            role=e.role,
        )

    @on(events.PartnerAxisChanged)
    def axis_changed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_axis_changed",
            axis=e.axis,
        )

    @on(events.PartnerPaperRecorded)
    def paper_recorded(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_paper_recorded",
            paper=e.paper,
            on=e.signed_on,
        )

    @on(events.PartnerWithdrew)
    def withdrew(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_withdrew",
            on=e.on,
            reason=e.reason,
        )

    @on(events.InvitationIssued)
    def invited(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "invitation_issued",
            e.invitation_id,
            role=e.role,
            partner=partner,
        )

    @on(events.InvitationCancelled)
    def invitation_cancelled(self, connection: Connection, envelope: Envelope) -> None:
        self._add(
            connection, envelope, "invitation_cancelled", envelope.event.invitation_id
        )

    @on(events.MembershipGranted)
    def granted(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "membership_granted",
            e.account_id,
            role=e.role,
            partner=partner,
        )

    @on(events.MembershipRevoked)
    def revoked(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "membership_revoked", envelope.event.account_id)

    # -- decisions ------------------------------------------------------------------

    @on(events.GovernanceBodyEstablished, events.GovernanceBodyChanged)
    def body(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        established = isinstance(e, events.GovernanceBodyEstablished)
        if established:
            _add_label(connection, envelope.originator_id, e.body_id, e.name)
        self._add(
            connection,
            envelope,
            "body_established" if established else "body_changed",
            about="bodies",
            body=e.name,
            members=len(e.members),
        )

    @on(events.ProxyDelegated)
    def delegated(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add(
            connection,
            envelope,
            "proxy_delegated",
            e.from_partner,
            about="bodies",
            partner=self._label(connection, envelope, e.from_partner),
            to=self._label(connection, envelope, e.to_partner),
            on=e.valid_from,
            until=e.valid_until,
        )

    @on(events.ProxyRevoked)
    def proxy_revoked(self, connection: Connection, envelope: Envelope) -> None:
        self._add(connection, envelope, "proxy_revoked", about="bodies")

    @on(events.ProposalTabled)
    def tabled(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        body = _label_in(connection, e.consortium_id, e.body_id)
        self._add_about_own(
            connection, envelope, "proposal_tabled", "proposals", body=body or "?"
        )

    @on(events.VoteCast, events.VoteChanged)
    def voted(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        partner = _label_in(connection, consortium_id, e.partner_id)
        self._add_about_own(
            connection,
            envelope,
            "vote_cast" if isinstance(e, events.VoteCast) else "vote_changed",
            "proposals",
            e.partner_id,
            partner=partner or "?",
            option=e.option,
            reason=e.reason,
        )

    @on(events.ProposalClosed)
    def closed(self, connection: Connection, envelope: Envelope) -> None:
        self._add_about_own(
            connection,
            envelope,
            "proposal_closed",
            "proposals",
            outcome=envelope.event.outcome,
        )

    @on(events.OutcomeVetoed)
    def vetoed(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        partner = _label_in(connection, consortium_id, e.partner_id)
        self._add_about_own(
            connection,
            envelope,
            "outcome_vetoed",
            "proposals",
            e.partner_id,
            partner=partner or "?",
            reason=e.reason,
        )

    @on(events.DecisionRecorded)
    def decision(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        self._add_about_own(
            connection,
            envelope,
            "decision_recorded",
            "",
            outcome=e.outcome,
            on=e.decided_on,
        )

    # -- reporting and indicators ---------------------------------------------------

    @on(events.ReportingObligationScheduled)
    def scheduled(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.title)
        self._add_about_own(
            connection,
            envelope,
            "report_scheduled",
            "reports",
            funder=e.funder,
            on=e.due_on,
        )

    @on(events.ReportDrafted)
    def drafted(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_own(
            connection,
            envelope,
            "report_drafted",
            "reports",
            files=len(e.attachments),
        )

    @on(events.ReportSubmitted)
    def submitted(self, connection: Connection, envelope: Envelope) -> None:
        self._add_about_own(connection, envelope, "report_submitted", "reports")

    @on(events.ReportAccepted)
    def accepted(self, connection: Connection, envelope: Envelope) -> None:
        self._add_about_own(
            connection,
            envelope,
            "report_accepted",
            "reports",
            comment=envelope.event.comment,
        )

    @on(events.ReportChangesRequested)
    def changes_requested(self, connection: Connection, envelope: Envelope) -> None:
        self._add_about_own(
            connection,
            envelope,
            "report_changes_requested",
            "reports",
            comment=envelope.event.comment,
        )

    @on(events.IndicatorDefined)
    def indicator_defined(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._own(connection, envelope, e.consortium_id, e.name)
        self._add_about_own(
            connection,
            envelope,
            "indicator_defined",
            "",
            baseline=e.baseline,
            target=e.target,
            unit=e.unit,
            on=e.target_on,
        )

    @on(events.IndicatorMeasured)
    def indicator_measured(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add_about_own(
            connection,
            envelope,
            "indicator_measured",
            "",
            value=e.value,
            on=e.on,
            source=e.source,
        )

    # -- reminders ------------------------------------------------------------------

    @on(events.ReminderRequested)
    def reminded(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        _, title = self._owner(connection, e.obligation_id)
        self._own(connection, envelope, e.consortium_id, title)
        self._add(
            connection,
            envelope,
            "reminder_requested",
            e.recipient_id,
            consortium_id=e.consortium_id,
            about=f"reports/{e.obligation_id}",
            title=title,
            stage=e.stage,
        )

    @on(events.ReminderSent)
    def reminder_sent(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        consortium_id, title = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            "reminder_sent",
            consortium_id=consortium_id,
            about="",
            title=title,
            channel=e.channel,
        )

    @on(events.ReminderScheduleSet, events.ReminderScheduleChanged)
    def reminder_days(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        if isinstance(e, events.ReminderScheduleSet):
            self._own(connection, envelope, e.consortium_id, "")
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            "reminder_schedule_set",
            consortium_id=consortium_id,
            about="reporting",
            days=", ".join(str(d) for d in e.days_before) or "—",
        )

    # -- audit ----------------------------------------------------------------------

    @on(events.CheckpointCountersigned)
    def countersigned(self, connection: Connection, envelope: Envelope) -> None:
        e = envelope.event
        self._add(
            connection,
            envelope,
            "checkpoint_countersigned",
            consortium_id=e.consortium_id,
            about="audit",
        )


# Lookups of the tables above, prebuilt once (compiled once, then cached).
_OWNER = select(owners.c.consortium_id, owners.c.title).where(
    owners.c.aggregate_id == bindparam("aggregate_id")
)
_LABEL = select(labels.c.label).where(
    labels.c.consortium_id == bindparam("consortium_id"),
    labels.c.subject_id == bindparam("subject_id"),
)
_COMMITMENT_OWNER = select(commitment_owners).where(
    commitment_owners.c.commitment_id == bindparam("commitment_id")
)
_ENTRY_OWNER = select(capitalisation_owners).where(
    capitalisation_owners.c.entry_id == bindparam("entry_id")
)
_MISSING = object()


@dataclass(frozen=True)
class _Owner:
    """A row of ``history_commitments`` or ``history_capitalisation``."""

    consortium_id: str
    kind: str
    commitment_id: str = ""
    entry_id: str = ""
    partner_id: str = ""
    unit: str = ""
    title: str = ""


def _commitment_owner(connection: Connection, commitment_id: str) -> _Owner:
    cache = batch_cache(connection, "history.commitments")
    owner: _Owner | None = cache.get(commitment_id)
    if owner is None:
        row = connection.execute(
            _COMMITMENT_OWNER, {"commitment_id": commitment_id}
        ).one()
        owner = cache[commitment_id] = _Owner(**row._asdict())
    return owner


def _entry_owner(connection: Connection, entry_id: str) -> _Owner:
    cache = batch_cache(connection, "history.entries")
    owner: _Owner | None = cache.get(entry_id)
    if owner is None:
        row = connection.execute(_ENTRY_OWNER, {"entry_id": entry_id}).one()
        owner = cache[entry_id] = _Owner(**row._asdict())
    return owner


def _add_label(
    connection: Connection, consortium_id: str, subject_id: str, label: str
) -> None:
    add_row(
        connection,
        labels,
        {"consortium_id": consortium_id, "subject_id": subject_id, "label": label},
    )
    batch_cache(connection, "history.labels")[consortium_id, subject_id] = label


def _label_in(
    connection: Connection, consortium_id: str, subject_id: str
) -> str | None:
    """A partner's (or body's) name in a consortium, as recorded when it joined."""
    cache = batch_cache(connection, "history.labels")
    label = cache.get((consortium_id, subject_id), _MISSING)
    if label is _MISSING:
        label = cache[consortium_id, subject_id] = connection.scalar(
            _LABEL, {"consortium_id": consortium_id, "subject_id": subject_id}
        )
    found: str | None = label
    return found


def _entry(row: Any) -> HistoryEntry:
    return HistoryEntry(
        row.position,
        row.consortium_id,
        row.recorded_at,
        row.actor_id,
        row.kind,
        row.subject_id,
        json.loads(row.params),
        row.area,
        row.about,
    )


def _narrow(query: Select[Any], f: HistoryFilter) -> Select[Any]:
    if f.subject_id is not None:
        query = query.where(history.c.subject_id == f.subject_id)
    if f.area is not None:
        query = query.where(history.c.area == f.area)
    if f.actor_id is not None:
        query = query.where(history.c.actor_id == f.actor_id)
    if f.since is not None:
        query = query.where(history.c.recorded_at >= f.since)
    if f.until is not None:
        query = query.where(history.c.recorded_at < f.until)
    return query


def history_of(
    connection: Connection,
    consortium_id: str,
    *,
    older_than: int | None = None,
    subject_id: str | None = None,
    narrowed: HistoryFilter | None = None,
    limit: int = 50,
) -> HistoryPage:
    """A page of the consortium's history, newest first (keyset paging).

    Each filter has an index that starts with the consortium, so a page deep in a
    long trail costs what the first page costs.
    """
    f = narrowed or HistoryFilter(subject_id=subject_id)
    query = select(history).where(history.c.consortium_id == consortium_id)
    query = _narrow(query, f)
    if older_than is not None:
        query = query.where(history.c.position < older_than)
    rows = list(
        connection.execute(query.order_by(history.c.position.desc()).limit(limit + 1))
    )
    entries = tuple(_entry(r) for r in rows[:limit])
    older = entries[-1].position if len(rows) > limit else None
    return HistoryPage(entries, older)


def history_in_order(
    engine: Engine,
    consortium_id: str,
    narrowed: HistoryFilter | None = None,
    *,
    batch: int = 1000,
) -> Iterator[HistoryEntry]:
    """The whole (narrowed) trail, oldest first, read in batches (for exports).

    Each batch has a connection of its own, opened and closed before its entries are
    yielded: a streaming response may resume the generator on another thread.
    """
    f = narrowed or HistoryFilter()
    after = 0
    while True:
        query = select(history).where(
            history.c.consortium_id == consortium_id, history.c.position > after
        )
        query = _narrow(query, f)
        with engine.connect() as connection:
            rows = list(
                connection.execute(query.order_by(history.c.position).limit(batch))
            )
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        after = rows[-1].position


def authors_of(connection: Connection, consortium_id: str) -> list[str]:
    """Everyone who appears as an author in the consortium's trail."""
    return list(
        connection.scalars(
            select(history.c.actor_id)
            .where(history.c.consortium_id == consortium_id)
            .distinct()
        )
    )
