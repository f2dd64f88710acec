"""The ledger's running totals, kept by its projection as events arrive.

The contributions page, the overview's key figures and the portfolio show sums over
every commitment of a consortium. Summing the rows at each view made the page cost
grow with the ledger (27 ms at 1,308 commitments); here the ledger projection keeps
one row per partner and kind, and one per month with a delivery, updated in the
transaction that applies the event. A view reads a handful of rows whatever the
ledger's length.

What is kept is what the commitments themselves say: a commitment withdrawn on its
own no longer counts as pledged. A partner leaving is another projection's fact
(``partners``), applied when the totals are read (``projections.ledger_summary``):
its pledges then count as withdrawn, what it delivered stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Date, Integer, String, Table, func, select

from governance.values import ContributionKind, Unit
from projections.base import metadata
from projections.buffer import add_row, find_row, found_or_added, update_rows
from projections.decimal_text import DecimalText

ZERO = Decimal(0)

totals = Table(
    "ledger_totals",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("partner_id", String(36), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("commitment_count", Integer, nullable=False),
    Column("live_count", Integer, nullable=False),
    Column("delivery_count", Integer, nullable=False),
    # In the kind's own unit; ``pledged`` counts live commitments only.
    Column("pledged", DecimalText, nullable=False),
    Column("delivered", DecimalText, nullable=False),
    Column("pledged_eur", DecimalText, nullable=False),
    Column("delivered_eur", DecimalText, nullable=False),
    # The latest end among live commitments (the "all lapsed" warning).
    Column("live_ends_on", Date),
)

months = Table(
    "ledger_months",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("delivered_eur", DecimalText, nullable=False),
)


@dataclass(frozen=True)
class TotalsRow:
    """What one partner pledged and delivered of one kind."""

    partner_id: str
    kind: ContributionKind
    unit: Unit
    commitment_count: int
    live_count: int
    delivery_count: int
    pledged: Decimal
    delivered: Decimal
    pledged_eur: Decimal
    delivered_eur: Decimal
    live_ends_on: date | None


def in_euros(unit: str, daily_rate: Decimal | None, quantity: Decimal) -> Decimal:
    """A quantity in euros; staff time without a rate counts for nothing."""
    if unit == Unit.EUR.value:
        return quantity
    return quantity * daily_rate if daily_rate is not None else ZERO


_EMPTY = {
    "commitment_count": 0,
    "live_count": 0,
    "delivery_count": 0,
    "pledged": ZERO,
    "delivered": ZERO,
    "pledged_eur": ZERO,
    "delivered_eur": ZERO,
    "live_ends_on": None,
}


def _key(commitment: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "consortium_id": commitment["consortium_id"],
        "partner_id": commitment["partner_id"],
        "kind": commitment["kind"],
    }


def _line(connection: Connection, commitment: Mapping[str, Any]) -> Mapping[str, Any]:
    """The totals row of this commitment's partner and kind, made if missing."""
    return found_or_added(
        connection, totals, _key(commitment), {"unit": commitment["unit"], **_EMPTY}
    )


def _set(
    connection: Connection, commitment: Mapping[str, Any], **values: object
) -> None:
    update_rows(connection, totals, _key(commitment), values)


def _latest_live_end(
    connection: Connection, table: Table, commitment: Mapping[str, Any]
) -> date | None:
    """Asked of the commitments (``table``) again when the latest end may have
    gone down."""
    latest: date | None = connection.execute(
        select(func.max(table.c.ends_on)).where(
            table.c.consortium_id == commitment["consortium_id"],
            table.c.partner_id == commitment["partner_id"],
            table.c.kind == commitment["kind"],
            table.c.withdrawn_on.is_(None),
        )
    ).scalar()
    return latest


def pledged(connection: Connection, commitment: Mapping[str, Any]) -> None:
    """A new (live) commitment counts in its partner's and kind's line."""
    line = _line(connection, commitment)
    amount = commitment["amount"]
    ends = line["live_ends_on"]
    _set(
        connection,
        commitment,
        commitment_count=line["commitment_count"] + 1,
        live_count=line["live_count"] + 1,
        pledged=line["pledged"] + amount,
        pledged_eur=line["pledged_eur"]
        + in_euros(commitment["unit"], commitment["daily_rate"], amount),
        live_ends_on=commitment["ends_on"]
        if ends is None or commitment["ends_on"] > ends
        else ends,
    )


def amended(
    connection: Connection,
    table: Table,
    before: Mapping[str, Any],
    amount: Decimal,
    ends_on: date,
) -> None:
    """A live commitment's new amount and end (called once its row is updated)."""
    if before["withdrawn_on"] is not None:
        return  # it counts for nothing pledged, whatever its amount
    line = _line(connection, before)
    change = amount - before["amount"]
    ends = line["live_ends_on"]
    latest: date | None
    if ends is None or ends_on >= ends:
        latest = ends_on
    elif before["ends_on"] == ends:
        latest = _latest_live_end(connection, table, before)
    else:
        latest = ends
    _set(
        connection,
        before,
        pledged=line["pledged"] + change,
        pledged_eur=line["pledged_eur"]
        + in_euros(before["unit"], before["daily_rate"], change),
        live_ends_on=latest,
    )


def withdrawn(connection: Connection, table: Table, before: Mapping[str, Any]) -> None:
    """A withdrawn commitment no longer counts as pledged (called once its row is
    updated); what it delivered stays."""
    if before["withdrawn_on"] is not None:
        return
    line = _line(connection, before)
    amount = before["amount"]
    live = line["live_count"] - 1
    ends = line["live_ends_on"]
    _set(
        connection,
        before,
        live_count=live,
        pledged=line["pledged"] - amount,
        pledged_eur=line["pledged_eur"]
        - in_euros(before["unit"], before["daily_rate"], amount),
        live_ends_on=None
        if live == 0
        else _latest_live_end(connection, table, before)
        if before["ends_on"] == ends
        else ends,
    )


def delivered(
    connection: Connection, commitment: Mapping[str, Any], on: date, amount: Decimal
) -> None:
    """A delivery adds to its line and to its month."""
    line = _line(connection, commitment)
    euros = in_euros(commitment["unit"], commitment["daily_rate"], amount)
    _set(
        connection,
        commitment,
        delivery_count=line["delivery_count"] + 1,
        delivered=line["delivered"] + amount,
        delivered_eur=line["delivered_eur"] + euros,
    )
    key = {"consortium_id": commitment["consortium_id"], "month": on.replace(day=1)}
    month = find_row(connection, months, key)
    if month is None:
        add_row(connection, months, {**key, "delivered_eur": euros})
    else:
        update_rows(
            connection, months, key, {"delivered_eur": month["delivered_eur"] + euros}
        )


def totals_of(connection: Connection, consortium_id: str) -> list[TotalsRow]:
    """Every partner's and kind's line of the consortium (one primary-key read)."""
    rows = connection.execute(
        select(totals).where(totals.c.consortium_id == consortium_id)
    )
    return [
        TotalsRow(
            r.partner_id,
            ContributionKind(r.kind),
            Unit(r.unit),
            r.commitment_count,
            r.live_count,
            r.delivery_count,
            r.pledged,
            r.delivered,
            r.pledged_eur,
            r.delivered_eur,
            r.live_ends_on,
        )
        for r in rows
    ]


def months_of(connection: Connection, consortium_id: str) -> list[tuple[date, Decimal]]:
    """Euros delivered in each month with a delivery, oldest first."""
    rows = connection.execute(
        select(months.c.month, months.c.delivered_eur)
        .where(months.c.consortium_id == consortium_id)
        .order_by(months.c.month)
    )
    return [(r.month, r.delivered_eur) for r in rows]
