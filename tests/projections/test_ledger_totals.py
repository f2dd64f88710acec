"""The ledger's kept totals equal the sums of its rows, step by step and rebuilt.

After every kind of ledger event (pledges in euros and in person-days, with and
without a rate, deliveries, amendments up and down and of the latest end,
withdrawals, a partner leaving), the summary and the warnings built from the kept
totals are those computed from every commitment and delivery; a rebuild, and a read
side caught up from scratch over the log, keep the same totals rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from governance.actor import Actor
from governance.application import Governance
from governance.values import ContributionKind, Funding, PartnerRole, Phase
from governance.warnings import ledger_warnings
from projections.ledger import (
    changes_by_commitment,
    commitments_of,
    commitments_page,
    contributions_of,
    page_query,
)
from projections.ledger_parts import ledger_in_parts
from projections.ledger_summary import facts_of, summarise, summary_of, warning_facts
from projections.ledger_totals import months, months_of, totals, totals_of
from projections.partners import partners_of
from projections.runtime import ReadSide
from tests.projections.test_query_plans import plan_of
from tests.support.builders import (
    a_pledge,
    admitted_partner,
    founded_consortium,
    record_delivery,
)

DAYS = (date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1), date(2028, 1, 1))


def check_totals(read_side: ReadSide, cid: UUID) -> None:
    """The kept totals tell what every row of the ledger adds up to."""
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        partners = partners_of(connection, str(cid))
        rows = commitments_of(connection, str(cid))
        delivered = contributions_of(connection, str(cid))
        lines = totals_of(connection, str(cid))
        monthly = months_of(connection, str(cid))
    assert summary_of(partners, lines, monthly) == summarise(partners, rows, delivered)
    for phase in (Phase.SETUP, Phase.IMPLEMENTATION):
        for today in DAYS:
            assert ledger_warnings(
                facts_of(partners, lines), phase, today
            ) == ledger_warnings(warning_facts(partners, rows), phase, today)


def kept_rows(read_side: ReadSide) -> list[tuple[Any, ...]]:
    """Every kept totals row, values as text (exact decimals compare as text)."""
    with read_side.engine.connect() as connection:
        found = [
            tuple(str(v) for v in row)
            for table in (totals, months)
            for row in connection.execute(select(table).order_by(*table.primary_key))
        ]
    return sorted(found)


@pytest.fixture
def ledger(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> tuple[UUID, ReadSide]:
    """A consortium whose ledger saw every kind of event, checked at each step."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(app, coordinator, cid, role=PartnerRole.LEAD)
    lab = admitted_partner(app, coordinator, cid)
    shop = admitted_partner(app, coordinator, cid)
    check_totals(read_side, cid)

    def pledge(partner: str, **overrides: Any) -> UUID:
        return UUID(app.pledge(coordinator, cid, partner, a_pledge(**overrides)).id)

    def deliver(commitment: UUID, on: date, amount: str) -> None:
        record_delivery(app, coordinator, commitment, on, amount)

    money = pledge(lead, amount=Decimal("15000.10"))
    staff = pledge(
        lab,
        kind=ContributionKind.HUMAN,
        amount=Decimal("12.5"),
        daily_rate=Decimal("450.30"),
        ends_on=date(2026, 9, 30),
    )
    unrated = pledge(lab, kind=ContributionKind.HUMAN, amount=Decimal("4"))
    late = pledge(
        lab, kind=ContributionKind.HUMAN, amount=Decimal("2"), ends_on=date(2027, 6, 30)
    )
    kit = pledge(
        shop,
        kind=ContributionKind.TECHNICAL,
        amount=Decimal("3000"),
        funding=Funding.REQUESTED,
    )
    check_totals(read_side, cid)
    deliver(money, date(2026, 3, 4), "4000")
    deliver(money, date(2026, 3, 20), "1000.05")
    deliver(staff, date(2026, 4, 1), "3.5")
    deliver(unrated, date(2026, 4, 2), "1")
    deliver(kit, date(2026, 5, 2), "3500")  # beyond the pledge
    check_totals(read_side, cid)
    amend = app.amend_commitment
    amend(
        coordinator,
        money,
        amount=Decimal("20000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        reason="Plus",
    )
    # The lab's latest end goes down: the next latest is asked again.
    amend(
        coordinator,
        late,
        amount=Decimal("1.5"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        reason="Moins",
    )
    check_totals(read_side, cid)
    app.withdraw_commitment(coordinator, staff, date(2026, 6, 1), "Départ")
    app.withdraw_commitment(coordinator, unrated, date(2026, 6, 1), "Départ")
    check_totals(read_side, cid)
    app.withdraw_commitment(coordinator, late, date(2026, 6, 2), "Départ")
    check_totals(read_side, cid)  # the lab has nothing live left
    app.withdraw_partner(coordinator, cid, shop, date(2026, 7, 1), "Fermeture")
    check_totals(read_side, cid)
    pledge(lead, kind=ContributionKind.DATA_SET, amount=Decimal("800"), licence="ODbL")
    check_totals(read_side, cid)
    return cid, read_side


def test_the_kept_totals_add_up_the_rows_after_every_kind_of_ledger_event(
    ledger: tuple[UUID, ReadSide],
) -> None:
    cid, read_side = ledger
    with read_side.engine.connect() as connection:
        lines = {
            (line.partner_id, line.kind): line
            for line in totals_of(connection, str(cid))
        }
    # The fixture checked each step against the rows; here a few sums by hand.
    assert sum(line.commitment_count for line in lines.values()) == 6
    assert sum(line.live_count for line in lines.values()) == 3
    assert sum(line.delivery_count for line in lines.values()) == 5


def test_a_rebuild_and_a_replay_from_scratch_keep_the_same_totals(
    ledger: tuple[UUID, ReadSide], read_side_on: Callable[[str], ReadSide]
) -> None:
    cid, read_side = ledger
    before = kept_rows(read_side)

    read_side.rebuild(["ledger"])
    fresh = read_side_on("fresh.db")
    fresh.catch_up()

    assert before
    assert kept_rows(read_side) == before
    assert kept_rows(fresh) == before
    check_totals(fresh, cid)


def test_one_page_of_commitments_is_read_in_pledge_order(
    ledger: tuple[UUID, ReadSide],
) -> None:
    cid, read_side = ledger
    with read_side.engine.connect() as connection:
        every = [c.commitment_id for c in commitments_of(connection, str(cid))]
        pages = [
            [
                c.commitment_id
                for c in commitments_page(connection, str(cid), limit=4, offset=start)
            ]
            for start in (0, 4, 8)
        ]

    assert pages == [every[:4], every[4:], []]


def test_a_page_of_commitments_is_read_from_the_index_in_its_order(
    tmp_path: Path,
) -> None:
    plan = plan_of(tmp_path, page_query("c-1", limit=50, offset=100))

    assert "ix_commitments_page" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort of every commitment


def test_the_kept_totals_are_read_by_their_key(tmp_path: Path) -> None:
    for query in (
        select(totals).where(totals.c.consortium_id == "c-1"),
        select(months).where(months.c.consortium_id == "c-1").order_by(months.c.month),
    ):
        plan = plan_of(tmp_path, query)

        assert "USING INDEX" in plan or "PRIMARY KEY" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("size", [1, 3, 4, 50])
def test_the_ledger_read_in_parts_is_the_whole_ledger_in_its_order(
    ledger: tuple[UUID, ReadSide], size: int
) -> None:
    cid, read_side = ledger
    with read_side.engine.connect() as connection:
        every = commitments_of(connection, str(cid))
        delivered = contributions_of(connection, str(cid))
        history = changes_by_commitment(connection, str(cid))

    parts = list(ledger_in_parts(read_side.engine.connect, str(cid), size))

    assert [c for part in parts for c in part.commitments] == every
    assert all(len(part.commitments) <= size for part in parts)
    assert sorted(
        (d for part in parts for d in part.contributions),
        key=lambda d: d.contribution_id,
    ) == sorted(delivered, key=lambda d: d.contribution_id)
    assert {k: v for part in parts for k, v in part.changes.items()} == history
