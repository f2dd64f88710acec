"""The grant's read model: its terms, its tranches, the payments and recoveries.

Feeds the funding page, the portfolio and the financial report (which reads the
payments a consortium received up to a date: ``payments_received``). Amounts are
stored as text so that ``Decimal`` values come back exact on every backend. Whether
a tranche's condition holds is not stored: ``projections.funding_status`` reads it
from the reporting and expense read models, as the service reads it from the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, Date, Integer, String, Table, Text, select

from governance import events
from governance.financing.grant_values import (
    GrantTerms,
    Payment,
    Recovery,
    Release,
    Tranche,
    TrancheCondition,
    TrancheKind,
)
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, find_row
from projections.ledger import DecimalText

grants = Table(
    "grants",
    metadata,
    Column("grant_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, unique=True),
    Column("amount", DecimalText, nullable=False),
    Column("rate", DecimalText, nullable=False),
    Column("eligible_from", Date),
    Column("eligible_until", Date),
    Column("set_at", UtcDateTime, nullable=False),
    Column("set_by", String(64), nullable=False),
)

grant_tranches = Table(
    "grant_tranches",
    metadata,
    Column("tranche_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("label", Text, nullable=False),
    Column("amount", DecimalText, nullable=False),
    Column("obligation_id", String(36), nullable=False),
)

# A payment (kind "payment") or a recovery (kind "recovery"), in the order recorded.
grant_movements = Table(
    "grant_movements",
    metadata,
    Column("movement_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("tranche_id", String(36), nullable=False),
    Column("amount", DecimalText, nullable=False),
    Column("on_day", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("accepted_expenses", DecimalText, nullable=False),
    Column("condition", String(32), nullable=False),
    Column("obligation_id", String(36), nullable=False),
    Column("report_title", Text, nullable=False),
    Column("statement_ids", Text, nullable=False),
    Column("accepted_in_report", DecimalText, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
)


@dataclass(frozen=True)
class MovementRow:
    """A payment or a recovery, with who recorded it and when."""

    movement_id: str
    kind: str
    tranche_id: str
    amount: Decimal
    on_day: date
    reason: str
    accepted_expenses: Decimal
    release: Release
    recorded_at: datetime
    recorded_by: str

    @property
    def is_recovery(self) -> bool:
        return self.kind == "recovery"

    @property
    def signed_amount(self) -> Decimal:
        """Received by the consortium: a recovery counts negative."""
        return -self.amount if self.is_recovery else self.amount

    def payment(self) -> Payment:
        return Payment(
            self.movement_id,
            self.tranche_id,
            self.amount,
            self.on_day,
            self.release,
            self.accepted_expenses,
        )

    def recovery(self) -> Recovery:
        return Recovery(
            self.movement_id,
            self.amount,
            self.on_day,
            self.reason,
            self.accepted_expenses,
            self.release,
        )


@dataclass(frozen=True)
class GrantRow:
    """A consortium's grant: terms, schedule, payments and recoveries in order."""

    consortium_id: str
    terms: GrantTerms
    tranches: tuple[Tranche, ...]
    movements: tuple[MovementRow, ...]
    set_at: datetime

    @property
    def payments(self) -> tuple[Payment, ...]:
        return tuple(m.payment() for m in self.movements if not m.is_recovery)

    @property
    def recoveries(self) -> tuple[Recovery, ...]:
        return tuple(m.recovery() for m in self.movements if m.is_recovery)


def _release_columns(release: Release) -> dict[str, Any]:
    return {
        "condition": release.condition.value,
        "obligation_id": release.obligation_id,
        "report_title": release.report_title,
        "statement_ids": json.dumps(list(release.statement_ids)),
        "accepted_in_report": release.accepted_in_report,
    }


class FundingProjection(Projection):
    """Every consortium's grant and the money it moved."""

    name: ClassVar[str] = "funding"
    tables: ClassVar[tuple[Table, ...]] = (grants, grant_tranches, grant_movements)

    @on(events.GrantSet)
    def set(self, connection: Connection, envelope: Envelope[events.GrantSet]) -> None:
        event = envelope.event
        terms = event.terms
        add_row(
            connection,
            grants,
            {
                "grant_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "amount": terms.amount,
                "rate": terms.rate,
                "eligible_from": terms.eligible_from,
                "eligible_until": terms.eligible_until,
                "set_at": envelope.recorded_at,
                "set_by": envelope.actor_id,
            },
        )
        for position, tranche in enumerate(event.tranches):
            add_row(
                connection,
                grant_tranches,
                {
                    "tranche_id": tranche.tranche_id,
                    "consortium_id": event.consortium_id,
                    "position": position,
                    "kind": tranche.kind.value,
                    "label": tranche.label,
                    "amount": tranche.amount,
                    "obligation_id": tranche.obligation_id,
                },
            )

    @on(events.PaymentRecorded)
    def paid(
        self, connection: Connection, envelope: Envelope[events.PaymentRecorded]
    ) -> None:
        payment = envelope.event.payment
        self._movement(
            connection,
            envelope,
            {
                "movement_id": payment.payment_id,
                "kind": "payment",
                "tranche_id": payment.tranche_id,
                "amount": payment.amount,
                "on_day": payment.paid_on,
                "reason": "",
                "accepted_expenses": payment.accepted_expenses,
                **_release_columns(payment.release),
            },
        )

    @on(events.RecoveryRecorded)
    def recovered(
        self, connection: Connection, envelope: Envelope[events.RecoveryRecorded]
    ) -> None:
        recovery = envelope.event.recovery
        self._movement(
            connection,
            envelope,
            {
                "movement_id": recovery.recovery_id,
                "kind": "recovery",
                "tranche_id": "",
                "amount": recovery.amount,
                "on_day": recovery.recovered_on,
                "reason": recovery.reason,
                "accepted_expenses": recovery.accepted_expenses,
                **_release_columns(recovery.release),
            },
        )

    @staticmethod
    def _movement(
        connection: Connection, envelope: Envelope[Any], row: dict[str, Any]
    ) -> None:
        found = find_row(connection, grants, {"grant_id": envelope.originator_id})
        if found is None:
            raise LookupError(f"no grant {envelope.originator_id}")
        add_row(
            connection,
            grant_movements,
            {
                **row,
                "consortium_id": found["consortium_id"],
                "position": envelope.position,
                "recorded_at": envelope.recorded_at,
                "recorded_by": envelope.actor_id,
            },
        )


def _movement(r: Any) -> MovementRow:
    return MovementRow(
        r.movement_id,
        r.kind,
        r.tranche_id,
        r.amount,
        r.on_day,
        r.reason,
        r.accepted_expenses,
        Release(
            TrancheCondition(r.condition),
            r.obligation_id,
            r.report_title,
            tuple(json.loads(r.statement_ids)),
            r.accepted_in_report,
        ),
        r.recorded_at,
        r.recorded_by,
    )


def movements_of(
    connection: Connection, consortium_id: str, up_to: date | None = None
) -> list[MovementRow]:
    """A consortium's payments and recoveries, in the order recorded (those dated
    on or before ``up_to`` when given)."""
    query = select(grant_movements).where(
        grant_movements.c.consortium_id == consortium_id
    )
    if up_to is not None:
        query = query.where(grant_movements.c.on_day <= up_to)
    return [
        _movement(r)
        for r in connection.execute(query.order_by(grant_movements.c.position))
    ]


def payments_received(
    connection: Connection, consortium_id: str, up_to: date | None = None
) -> list[MovementRow]:
    """The funder's payments and recoveries a consortium received, dated on or
    before ``up_to`` (every one when None), in the order recorded.

    For the financial report's "resources received": sum ``signed_amount`` (a
    recovery counts negative), or call ``received_total``.
    """
    return movements_of(connection, consortium_id, up_to)


def received_total(
    connection: Connection, consortium_id: str, up_to: date | None = None
) -> Decimal:
    """What the funder paid the consortium up to a date, net of recoveries."""
    return sum(
        (m.signed_amount for m in payments_received(connection, consortium_id, up_to)),
        Decimal(0),
    )


def grant_of(connection: Connection, consortium_id: str) -> GrantRow | None:
    """A consortium's grant with its schedule and movements, or None before it is
    set up."""
    r = connection.execute(
        select(grants).where(grants.c.consortium_id == consortium_id)
    ).first()
    if r is None:
        return None
    tranches = tuple(
        Tranche(t.tranche_id, TrancheKind(t.kind), t.label, t.amount, t.obligation_id)
        for t in connection.execute(
            select(grant_tranches)
            .where(grant_tranches.c.consortium_id == consortium_id)
            .order_by(grant_tranches.c.position)
        )
    )
    return GrantRow(
        consortium_id,
        GrantTerms(r.amount, r.rate, r.eligible_from, r.eligible_until),
        tranches,
        tuple(movements_of(connection, consortium_id)),
        r.set_at,
    )
