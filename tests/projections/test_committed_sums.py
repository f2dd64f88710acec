"""The plan's kept sums of the commitments give the figures the commitments give one
by one, step by step and rebuilt.

After every kind of ledger event that moves the plan (pledges of money, of valued
staff time rounded to the cent, of staff time without a rate, requested and
co-financed, amendments, withdrawals, a partner leaving), the draft built from the
kept sums (``budget_of``, the pages') has the figures and checks of the draft built
from every commitment (``itemised_budget_of``, the export's), and readiness read
from the kept sums and totals assesses as it does from every commitment; a rebuild
and a read side caught up from scratch keep the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Connection, event, select

from governance.actor import Actor
from governance.application import Governance
from governance.financing.values import ResourceSource
from governance.readiness import Status, assess
from governance.values import ContributionKind, Funding, PartnerRole
from projections.budget_summary import Budget, budget_of, itemised_budget_of
from projections.call_view import call_view
from projections.committed_sums import committed_sums_of, sums
from projections.ledger import commitments_of
from projections.ledger_summary import warning_facts
from projections.partners import partners_of
from projections.readiness import readiness_facts
from projections.runtime import ReadSide
from tests.projections.test_query_plans import plan_of
from tests.support.builders import a_pledge, admitted_partner, founded_consortium
from tests.support.financing import an_expense

HUMAN = ContributionKind.HUMAN
# 2.5 days at 450.33 € is 1,125.825 €: the plan counts 1,125.83 for each such
# pledge, so three of them are 3,377.49 €, where their unrounded sum rounds to 3,377.48.
ODD_DAYS, ODD_RATE = Decimal("2.5"), Decimal("450.33")


def budgets(read_side: ReadSide, cid: UUID) -> tuple[Budget, Budget]:
    """The plan from the kept sums, and from every commitment."""
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return budget_of(connection, str(cid)), itemised_budget_of(connection, str(cid))


def check_sums(read_side: ReadSide, cid: UUID) -> Budget:
    """The kept sums tell the plan, and readiness, what every commitment tells."""
    summed, itemised = budgets(read_side, cid)
    assert summed.draft.figures == itemised.draft.figures
    assert summed.draft.checks == itemised.draft.checks
    with read_side.engine.connect() as connection:
        kept = readiness_facts(connection, str(cid))
        rows = warning_facts(
            partners_of(connection, str(cid)), commitments_of(connection, str(cid))
        )
    by_id = {f.partner_id: f for f in rows}
    one_by_one = replace(
        kept,
        partners=tuple(
            replace(p, facts=by_id[p.facts.partner_id]) for p in kept.partners
        ),
    )
    for today in (date(2026, 1, 1), date(2026, 7, 1), date(2028, 1, 1)):
        assert assess(kept, today) == assess(one_by_one, today)
    return summed


def kept_rows(read_side: ReadSide) -> list[tuple[str, ...]]:
    """Every kept row, values as text (exact decimals compare as text)."""
    with read_side.engine.connect() as connection:
        return sorted(
            tuple(str(v) for v in row)
            for row in connection.execute(select(sums).order_by(*sums.primary_key))
        )


def lead_co_financing(read_side: ReadSide, cid: UUID) -> Status:
    """Readiness's item on the lead's co-financing, checked against the rows."""
    check_sums(read_side, cid)
    with read_side.engine.connect() as connection:
        readiness = assess(readiness_facts(connection, str(cid)), date(2026, 1, 1))
    (item,) = (i for i in readiness.items if i.code == "lead_co_financing")
    return item.status


@pytest.fixture
def ledger(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> tuple[UUID, ReadSide, dict[str, str]]:
    """A consortium whose ledger saw every kind of event, the plan checked at each
    step; the partners by name."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(app, coordinator, cid, role=PartnerRole.LEAD)
    lab = admitted_partner(app, coordinator, cid)
    shop = admitted_partner(app, coordinator, cid)
    partners = {"lead": lead, "lab": lab, "shop": shop}
    for partner in partners.values():
        app.plan_expense(coordinator, cid, an_expense(partner_id=partner, year=None))
    check_sums(read_side, cid)

    def pledge(partner: str, **overrides: Any) -> UUID:
        return UUID(app.pledge(coordinator, cid, partner, a_pledge(**overrides)).id)

    def amend(commitment: UUID, amount: str) -> None:
        app.amend_commitment(
            coordinator,
            commitment,
            amount=Decimal(amount),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            reason="Révision",
        )

    # The lead asks the funder first: readiness wants it to co-finance.
    pledge(
        lead,
        kind=ContributionKind.TECHNICAL,
        amount=Decimal("900"),
        funding=Funding.REQUESTED,
    )
    assert lead_co_financing(read_side, cid) is Status.NOT_MET
    money = pledge(lead, amount=Decimal("15000.10"))
    assert lead_co_financing(read_side, cid) is Status.MET
    odd = [
        pledge(lab, kind=HUMAN, amount=ODD_DAYS, daily_rate=ODD_RATE) for _ in range(3)
    ]
    unrated = pledge(lab, kind=HUMAN, amount=Decimal("4"))
    pledge(lab, kind=HUMAN, amount=Decimal("6"))  # a second one without a rate
    requested = pledge(
        shop,
        kind=ContributionKind.TECHNICAL,
        amount=Decimal("3000"),
        funding=Funding.REQUESTED,
    )
    pledge(shop, kind=HUMAN, amount=Decimal("1"), funding=Funding.REQUESTED)
    pledge(shop, kind=ContributionKind.LOGISTICAL, amount=Decimal("1200"))
    summed = check_sums(read_side, cid)
    figures = summed.draft.figures.partner(lab)
    assert figures is not None
    assert figures.resource(ResourceSource.IN_KIND) == Decimal("3377.49")
    assert figures.unvalued == 2

    amend(money, "20000")
    amend(odd[0], "3.5")  # up, to 1,576.155: counts 1,576.16
    amend(requested, "2500")
    amend(unrated, "5")
    check_sums(read_side, cid)
    app.withdraw_commitment(coordinator, odd[1], date(2026, 6, 1), "Départ")
    app.withdraw_commitment(coordinator, unrated, date(2026, 6, 1), "Départ")
    app.withdraw_commitment(coordinator, requested, date(2026, 6, 1), "Départ")
    check_sums(read_side, cid)
    app.withdraw_partner(coordinator, cid, shop, date(2026, 7, 1), "Fermeture")
    check_sums(read_side, cid)
    pledge(lead, kind=ContributionKind.DATA_SET, amount=Decimal("800"), licence="ODbL")
    check_sums(read_side, cid)
    return cid, read_side, partners


def test_the_kept_sums_count_each_commitment_rounded_to_the_cent(
    ledger: tuple[UUID, ReadSide, dict[str, str]],
) -> None:
    cid, read_side, partners = ledger
    with read_side.engine.connect() as connection:
        lines = {
            (s.partner_id, s.kind, s.funding): (
                s.valued_count,
                s.valued_eur,
                s.unvalued_count,
            )
            for s in committed_sums_of(connection, str(cid))
        }
    co = Funding.CO_FINANCING
    # The fixture checked each step against the commitments; here the rows by hand.
    assert lines[partners["lab"], HUMAN, co] == (2, Decimal("2701.99"), 1)
    assert lines[partners["lead"], ContributionKind.FINANCIAL, co] == (
        1,
        Decimal("20000"),
        0,
    )
    # The shop left: its lines stay as they were, the plan leaves them out.
    assert lines[partners["shop"], ContributionKind.TECHNICAL, Funding.REQUESTED] == (
        0,
        Decimal(0),
        0,
    )
    summed, _ = budgets(read_side, cid)
    lab = summed.draft.figures.partner(partners["lab"])
    assert lab is not None
    assert lab.in_kind == Decimal("2701.99")  # 1,576.16 + 1,125.83
    assert {c.partner_id for c in summed.draft.content.contributions} == {
        partners["lead"],
        partners["lab"],
    }


def test_the_export_s_draft_lists_each_standing_commitment(
    ledger: tuple[UUID, ReadSide, dict[str, str]],
) -> None:
    cid, read_side, partners = ledger
    _, itemised = budgets(read_side, cid)

    listed = [
        (c.partner_id, c.kind, c.euros) for c in itemised.draft.content.contributions
    ]

    # Pledged within one clock tick, they may come in any order.
    assert sorted(listed, key=str) == sorted(
        [
            (partners["lead"], ContributionKind.TECHNICAL, Decimal("900")),
            (partners["lead"], ContributionKind.FINANCIAL, Decimal("20000")),
            (partners["lab"], HUMAN, Decimal("1576.16")),
            (partners["lab"], HUMAN, Decimal("1125.83")),
            (partners["lab"], HUMAN, None),
            (partners["lead"], ContributionKind.DATA_SET, Decimal("800")),
        ],
        key=str,
    )
    assert all(
        c.commitment_id and c.covers for c in itemised.draft.content.contributions
    )


def test_a_rebuild_and_a_replay_from_scratch_keep_the_same_sums(
    ledger: tuple[UUID, ReadSide, dict[str, str]],
    read_side_on: Callable[[str], ReadSide],
) -> None:
    cid, read_side, _ = ledger
    before = kept_rows(read_side)

    read_side.rebuild(["ledger"])
    fresh = read_side_on("fresh.db")
    fresh.catch_up()

    assert len(before) == 7
    assert kept_rows(read_side) == before
    assert kept_rows(fresh) == before
    check_sums(fresh, cid)


def tables_read(connection: Connection, read: Callable[[], object]) -> set[str]:
    """The tables ``read`` names in its statements (plain names, set suffix cut)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    try:
        read()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return {
        name.split("__")[0]
        for statement in statements
        for name in re.findall(r"(?:FROM|JOIN) (\w+)", statement)
    }


def test_the_pages_plan_reads_no_commitment_the_export_s_does(
    ledger: tuple[UUID, ReadSide, dict[str, str]],
) -> None:
    cid, read_side, _ = ledger
    with read_side.engine.connect() as connection:
        page = tables_read(connection, lambda: budget_of(connection, str(cid)))
        call = tables_read(connection, lambda: call_view(connection, str(cid)))
        ready = tables_read(connection, lambda: readiness_facts(connection, str(cid)))
        export = tables_read(
            connection, lambda: itemised_budget_of(connection, str(cid))
        )

    assert "committed_sums" in page
    assert "commitments" not in page | call | ready
    assert "commitments" in export


def test_the_kept_sums_are_read_by_their_key(tmp_path: Path) -> None:
    query = (
        select(sums).where(sums.c.consortium_id == "c-1").order_by(*sums.primary_key)
    )

    plan = plan_of(tmp_path, query)

    assert "USING INDEX" in plan or "PRIMARY KEY" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
