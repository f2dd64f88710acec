"""The reporting read model: obligations to funders, their status and history.

Feeds the reporting calendar (a consortium's and a person's across consortia), each
report's page and the iCalendar feed. Overdue is not stored: it depends on the day
the page is read (``ObligationRow.overdue_on``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    select,
)

from governance import events
from governance.values import (
    Evidence,
    ReportedIndicator,
    ReportedValue,
    ReportKind,
    ReportStatus,
)
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.buffer import (
    add_row,
    batch_cache,
    delete_rows,
    discard_waiting,
    in_chunks,
    update_rows,
)
from projections.indicators import PeriodValues
from projections.ledger import DecimalText
from projections.members import memberships

# Per batch: whether a drafted report may have indicator rows in the database.
_STORED_INDICATORS = "reporting.stored_indicators"

obligations = Table(
    "obligations",
    metadata,
    Column("obligation_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("series_id", String(36), nullable=False),
    Column("funder", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("responsible_id", String(64)),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("due_on", Date, nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("attachments", Text, nullable=False),
    Column("submitted_at", UtcDateTime),
)

report_steps = Table(
    "report_steps",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("obligation_id", String(36), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("comment", Text, nullable=False),
)

# The indicator values the last draft of a report included (none for most reports).
# A table of its own, so a store whose read models predate it gains it without a
# rebuild: drafts recorded before it had no indicator values to lose.
report_indicators = Table(
    "report_indicators",
    metadata,
    Column("obligation_id", String(36), primary_key=True),
    Column("rank", Integer, primary_key=True, autoincrement=False),
    Column("indicator_id", String(36), nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("baseline", DecimalText, nullable=False),
    Column("target", DecimalText, nullable=False),
    Column("target_on", Date, nullable=False),
    Column("measured", Text, nullable=False),
)


SENT = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
"""The statuses of a report no longer due (one sent back for changes is due again)."""


@dataclass(frozen=True)
class ObligationRow:
    """A report due to a funder."""

    obligation_id: str
    consortium_id: str
    series_id: str
    funder: str
    title: str
    kind: ReportKind
    responsible_id: str | None
    period_start: date | None
    period_end: date | None
    due_on: date
    status: ReportStatus
    text: str
    attachments: tuple[Evidence, ...]
    submitted_at: datetime | None

    def overdue_on(self, today: date) -> bool:
        """Overdue until submitted (a report sent back for changes is due again)."""
        return self.due_on < today and self.status not in SENT


@dataclass(frozen=True)
class ReportStepRow:
    """One step of a report's life."""

    position: int
    recorded_at: datetime
    actor_id: str
    kind: str
    comment: str


class ReportingProjection(Projection):
    """Obligations and the steps of their reports."""

    name: ClassVar[str] = "reporting"
    tables: ClassVar[tuple[Table, ...]] = (obligations, report_steps, report_indicators)

    def prepare(
        self, connection: Connection, envelopes: Sequence[Envelope[Any]]
    ) -> None:
        """Which of the batch's drafted reports have indicator rows stored (one
        statement): a draft replaces its report's rows, and deleting rows that
        are not there was a statement (a round trip) per draft."""
        drafted = {
            envelope.originator_id
            for envelope in envelopes
            if isinstance(envelope.event, events.ReportDrafted)
        }
        stored = batch_cache(connection, _STORED_INDICATORS)
        for chunk in in_chunks(sorted(drafted)):
            found = set(
                connection.scalars(
                    select(report_indicators.c.obligation_id)
                    .where(report_indicators.c.obligation_id.in_(chunk))
                    .distinct()
                )
            )
            stored.update({o: o in found for o in chunk})

    @on(events.ReportingObligationScheduled)
    def scheduled(
        self,
        connection: Connection,
        envelope: Envelope[events.ReportingObligationScheduled],
    ) -> None:
        e = envelope.event
        add_row(
            connection,
            obligations,
            {
                "obligation_id": envelope.originator_id,
                "consortium_id": e.consortium_id,
                "series_id": e.series_id,
                "funder": e.funder,
                "title": e.title,
                "kind": e.kind.value,
                "responsible_id": e.responsible_id,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "due_on": e.due_on,
                "status": ReportStatus.DUE.value,
                "text": "",
                "attachments": "[]",
                "submitted_at": None,
            },
        )
        self._step(connection, envelope, "scheduled")

    @on(events.ReportDrafted)
    def drafted(
        self, connection: Connection, envelope: Envelope[events.ReportDrafted]
    ) -> None:
        e = envelope.event
        self._update(
            connection,
            envelope,
            status=ReportStatus.DRAFTED.value,
            text=e.text,
            attachments=json.dumps(
                [
                    {
                        "sha256": a.sha256,
                        "size": a.size,
                        "media_type": a.media_type,
                        "filename": a.filename,
                    }
                    for a in e.attachments
                ]
            ),
        )
        self._replace_indicators(connection, envelope.originator_id, e.indicator_values)
        self._step(
            connection,
            envelope,
            "drafted_with_indicators" if e.indicator_values else "drafted",
        )

    @on(events.ReportSubmitted)
    def submitted(
        self, connection: Connection, envelope: Envelope[events.ReportSubmitted]
    ) -> None:
        self._update(
            connection,
            envelope,
            status=ReportStatus.SUBMITTED.value,
            submitted_at=envelope.recorded_at,
        )
        self._step(connection, envelope, "submitted")

    @on(events.ReportAccepted)
    def accepted(
        self, connection: Connection, envelope: Envelope[events.ReportAccepted]
    ) -> None:
        self._update(connection, envelope, status=ReportStatus.ACCEPTED.value)
        self._step(connection, envelope, "accepted", envelope.event.comment)

    @on(events.ReportChangesRequested)
    def changes_requested(
        self, connection: Connection, envelope: Envelope[events.ReportChangesRequested]
    ) -> None:
        self._update(connection, envelope, status=ReportStatus.CHANGES_REQUESTED.value)
        self._step(connection, envelope, "changes_requested", envelope.event.comment)

    @staticmethod
    def _replace_indicators(
        connection: Connection,
        obligation_id: str,
        reported: tuple[ReportedIndicator, ...],
    ) -> None:
        stored = batch_cache(connection, _STORED_INDICATORS)
        report = {"obligation_id": obligation_id}
        if stored.get(obligation_id, True):  # rows may be stored, or nothing known
            delete_rows(connection, report_indicators, report)
        else:
            discard_waiting(connection, report_indicators, report)
        if reported and obligation_id in stored:
            # Waiting rows may be written before the next draft of the batch.
            stored[obligation_id] = True
        for rank, indicator in enumerate(reported):
            add_row(
                connection,
                report_indicators,
                {
                    "obligation_id": obligation_id,
                    "rank": rank,
                    "indicator_id": indicator.indicator_id,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "baseline": indicator.baseline,
                    "target": indicator.target,
                    "target_on": indicator.target_on,
                    "measured": json.dumps(
                        [
                            {
                                "on": v.on.isoformat(),
                                "value": str(v.value),
                                "source": v.source,
                            }
                            for v in indicator.values
                        ]
                    ),
                },
            )

    @staticmethod
    def _update(
        connection: Connection, envelope: Envelope[LoggedEvent], **values: object
    ) -> None:
        update_rows(
            connection, obligations, {"obligation_id": envelope.originator_id}, values
        )

    @staticmethod
    def _step(
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        kind: str,
        comment: str = "",
    ) -> None:
        add_row(
            connection,
            report_steps,
            {
                "position": envelope.position,
                "obligation_id": envelope.originator_id,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "kind": kind,
                "comment": comment,
            },
        )


def _row(r: Any) -> ObligationRow:
    return ObligationRow(
        r.obligation_id,
        r.consortium_id,
        r.series_id,
        r.funder,
        r.title,
        ReportKind(r.kind),
        r.responsible_id,
        r.period_start,
        r.period_end,
        r.due_on,
        ReportStatus(r.status),
        r.text,
        tuple(Evidence(**a) for a in json.loads(r.attachments)),
        r.submitted_at,
    )


def obligations_of(connection: Connection, consortium_id: str) -> list[ObligationRow]:
    """A consortium's reporting calendar, by due date."""
    rows = connection.execute(
        select(obligations)
        .where(obligations.c.consortium_id == consortium_id)
        .order_by(obligations.c.due_on, obligations.c.title)
    )
    return [_row(r) for r in rows]


_WAITING = (
    select(obligations)
    .where(
        obligations.c.consortium_id == bindparam("consortium_id"),
        # One comparison each, not an IN list SQLAlchemy renders on every call.
        *(obligations.c.status != status.value for status in SENT),
    )
    .order_by(obligations.c.due_on, obligations.c.title)
)


def waiting_obligations_of(
    connection: Connection, consortium_id: str
) -> list[ObligationRow]:
    """A consortium's reports still to send (not ``SENT``), by due date: the
    calendar's, without the (many, in a long project) reports already sent."""
    rows = connection.execute(_WAITING, {"consortium_id": consortium_id})
    return [_row(r) for r in rows]


def obligations_of_account(
    connection: Connection, account_id: str
) -> list[ObligationRow]:
    """Every report due in the consortia this account belongs to, by due date."""
    rows = connection.execute(
        select(obligations)
        .join(memberships, memberships.c.consortium_id == obligations.c.consortium_id)
        .where(memberships.c.account_id == account_id)
        .order_by(obligations.c.due_on, obligations.c.title)
    )
    return [_row(r) for r in rows]


def obligation(
    connection: Connection, consortium_id: str, obligation_id: str
) -> ObligationRow | None:
    """One obligation of the consortium, or None."""
    r = connection.execute(
        select(obligations).where(
            obligations.c.consortium_id == consortium_id,
            obligations.c.obligation_id == obligation_id,
        )
    ).first()
    return _row(r) if r is not None else None


def steps_of_report(connection: Connection, obligation_id: str) -> list[ReportStepRow]:
    """A report's life, oldest first."""
    rows = connection.execute(
        select(report_steps)
        .where(report_steps.c.obligation_id == obligation_id)
        .order_by(report_steps.c.position)
    )
    return [
        ReportStepRow(r.position, r.recorded_at, r.actor_id, r.kind, r.comment)
        for r in rows
    ]


def attachment_of(
    connection: Connection, consortium_id: str, sha256: str
) -> Evidence | None:
    """A report attachment of the consortium with this hash, if any."""
    rows = connection.execute(
        select(obligations.c.attachments).where(
            obligations.c.consortium_id == consortium_id,
            obligations.c.attachments.like(f'%"{sha256}"%'),
        )
    )
    for (text,) in rows:
        for item in json.loads(text):
            if item["sha256"] == sha256:
                return Evidence(**item)
    return None


def indicators_of_report(
    connection: Connection, obligation_id: str
) -> list[PeriodValues]:
    """The indicator values the report's last draft included, in their order."""
    rows = connection.execute(
        select(report_indicators)
        .where(report_indicators.c.obligation_id == obligation_id)
        .order_by(report_indicators.c.rank)
    )
    return [
        PeriodValues(
            r.indicator_id,
            r.name,
            r.unit,
            r.baseline,
            r.target,
            r.target_on,
            tuple(
                ReportedValue(
                    date.fromisoformat(v["on"]), Decimal(v["value"]), v["source"]
                )
                for v in json.loads(r.measured)
            ),
        )
        for r in rows
    ]
