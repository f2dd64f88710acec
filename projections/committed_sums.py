"""The partners' co-financing commitments as the financing plan counts them, kept by
the ledger projection as events arrive.

The budget pages, the call's checks and the amendments value every standing
commitment of a consortium. Reading each commitment at each view made those pages
grow with the ledger (204 ms at 7,810 commitments, 9.5 ms for the demo's); here the
ledger projection keeps one row per partner, kind and funding, in the transaction
that applies the event, and a view reads a handful of rows.

The plan values each commitment on its own, rounded to the cent
(``committed_euros``), so these sums are not the ledger's totals
(``projections.ledger_totals`` values staff time unrounded). Staff time pledged
without a daily rate cannot be valued: it is counted, not summed. As for the
totals, a partner leaving is applied when the sums are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, select

from governance.financing.values import committed_euros
from governance.values import ContributionKind, Funding
from projections.base import metadata
from projections.buffer import found_or_added, update_rows
from projections.decimal_text import DecimalText

ZERO = Decimal(0)

sums = Table(
    "committed_sums",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("partner_id", String(36), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("funding", String(16), primary_key=True),
    # Live commitments only: a withdrawn one leaves its line.
    Column("valued_count", Integer, nullable=False),
    Column("valued_eur", DecimalText, nullable=False),
    Column("unvalued_count", Integer, nullable=False),
)


_EMPTY = {"valued_count": 0, "valued_eur": ZERO, "unvalued_count": 0}


@dataclass(frozen=True)
class CommittedSum:
    """What one partner's live commitments of one kind and funding are worth."""

    partner_id: str
    kind: ContributionKind
    funding: Funding
    valued_count: int
    valued_eur: Decimal
    unvalued_count: int
    """Staff-time pledges without a daily rate: the plan leaves them out."""


def key_of(commitment: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key of the line a commitment (a ``commitments`` row) counts in."""
    return {
        "consortium_id": commitment["consortium_id"],
        "partner_id": commitment["partner_id"],
        "kind": commitment["kind"],
        "funding": commitment["funding"],
    }


def _worth(commitment: Mapping[str, Any], amount: Decimal) -> Decimal | None:
    return committed_euros(
        ContributionKind(commitment["kind"]), amount, commitment["daily_rate"]
    )


def _line(connection: Connection, commitment: Mapping[str, Any]) -> Mapping[str, Any]:
    """The line of this commitment's partner, kind and funding, made if missing."""
    return found_or_added(connection, sums, key_of(commitment), _EMPTY)


def _move(
    connection: Connection,
    commitment: Mapping[str, Any],
    step: int,
    worth: Decimal | None,
) -> None:
    """Count a commitment worth ``worth`` in its line (``step`` 1) or out (-1)."""
    line = _line(connection, commitment)
    values = (
        {"unvalued_count": line["unvalued_count"] + step}
        if worth is None
        else {
            "valued_count": line["valued_count"] + step,
            "valued_eur": line["valued_eur"] + step * worth,
        }
    )
    update_rows(connection, sums, key_of(commitment), values)


def pledged(connection: Connection, commitment: Mapping[str, Any]) -> None:
    """A new (live) commitment counts in its line."""
    _move(connection, commitment, 1, _worth(commitment, commitment["amount"]))


def amended(connection: Connection, before: Mapping[str, Any], amount: Decimal) -> None:
    """A live commitment's new amount (its kind, funding and rate never change)."""
    if before["withdrawn_on"] is not None:
        return  # it counts for nothing, whatever its amount
    old = _worth(before, before["amount"])
    new = _worth(before, amount)
    if old is None or new is None:
        return  # staff time without a rate stays unvalued
    line = _line(connection, before)
    update_rows(
        connection,
        sums,
        key_of(before),
        {"valued_eur": line["valued_eur"] - old + new},
    )


def withdrawn(connection: Connection, before: Mapping[str, Any]) -> None:
    """A withdrawn commitment leaves its line."""
    if before["withdrawn_on"] is None:
        _move(connection, before, -1, _worth(before, before["amount"]))


def committed_sums_of(connection: Connection, consortium_id: str) -> list[CommittedSum]:
    """Every line of the consortium, by partner, kind and funding (one key read)."""
    rows = connection.execute(
        select(sums)
        .where(sums.c.consortium_id == consortium_id)
        .order_by(*sums.primary_key)
    )
    return [
        CommittedSum(
            r.partner_id,
            ContributionKind(r.kind),
            Funding(r.funding),
            r.valued_count,
            r.valued_eur,
            r.unvalued_count,
        )
        for r in rows
    ]


def co_financed(lines: list[CommittedSum]) -> set[tuple[str, ContributionKind]]:
    """Each partner and kind with a live co-financing commitment."""
    return {
        (s.partner_id, s.kind)
        for s in lines
        if s.funding is Funding.CO_FINANCING and s.valued_count + s.unvalued_count
    }
