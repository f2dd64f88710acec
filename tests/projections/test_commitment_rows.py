"""A commitment reads back whole, each column in its field, on every store.

``commitment_row`` takes a row by position (the ledger page reads 50 a request), so
the table's columns and the row's fields must stay in the same order, and every
reader (one commitment, a page, all of them, the exports' parts) must select them
all.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.values import ContributionKind, Funding, Unit
from projections.ledger import (
    CommitmentRow,
    commitment,
    commitments,
    commitments_of,
    commitments_page,
)
from projections.ledger_parts import ledger_in_parts
from projections.runtime import ReadSide
from tests.support.builders import (
    PLEDGE_STARTS_ON,
    a_pledge,
    admitted_partner,
    founded_consortium,
)


def test_the_row_fields_are_the_table_columns_in_order() -> None:
    assert [f.name for f in fields(CommitmentRow)] == [
        column.name for column in commitments.columns
    ]


def test_every_reader_gives_each_column_in_its_field(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    lab = admitted_partner(app, coordinator, cid)
    pledged = app.pledge(
        coordinator,
        cid,
        lab,
        a_pledge(
            kind=ContributionKind.HUMAN,
            amount=Decimal("12.5"),
            daily_rate=Decimal("450.30"),
            ends_on=date(2026, 9, 30),
            covers="Ateliers de co-conception",
            funding=Funding.REQUESTED,
            licence="CC-BY-4.0",
            valuation_method="Barème du laboratoire",
        ),
    )
    app.deliver(
        coordinator,
        UUID(pledged.id),
        delivered_on=date(2026, 4, 1),
        amount=Decimal("3.5"),
        description="Deux ateliers",
        evidence=None,
    )
    app.withdraw_commitment(
        coordinator, UUID(pledged.id), on=date(2026, 6, 1), reason="Projet recentré"
    )
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        one = commitment(connection, str(cid), pledged.id)
        found = [
            one,
            *commitments_page(connection, str(cid), limit=50, offset=0),
            *commitments_of(connection, str(cid)),
        ]
    found += [
        row
        for part in ledger_in_parts(read_side.engine.connect, str(cid))
        for row in part.commitments
    ]

    assert one is not None
    assert one.commitment_id == pledged.id
    assert one.consortium_id == str(cid)
    assert one.partner_id == lab
    assert one.kind is ContributionKind.HUMAN
    assert one.unit is Unit.PERSON_DAY
    assert one.amount == Decimal("12.5")
    assert one.daily_rate == Decimal("450.30")
    assert (one.starts_on, one.ends_on) == (PLEDGE_STARTS_ON, date(2026, 9, 30))
    assert one.covers == "Ateliers de co-conception"
    assert one.funding is Funding.REQUESTED
    assert (one.licence, one.valuation_method) == ("CC-BY-4.0", "Barème du laboratoire")
    assert (one.withdrawn_on, one.withdrawal_reason) == (
        date(2026, 6, 1),
        "Projet recentré",
    )
    assert (one.delivered, one.delivery_count) == (Decimal("3.5"), 1)
    assert one.pledged_at.utcoffset() is not None
    assert found == [one] * 4
