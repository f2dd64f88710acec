"""A long ledger's page reads its totals and one page of commitments, never them all.

What the page asks of the read models is observed on the real engine (SQLAlchemy's
cursor event): a return to reading every commitment, or every delivery, to add them
up fails here whatever the machine's speed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from openpyxl import load_workbook
from sqlalchemy import event
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import ContributionKind, Funding, Pledge
from projections.ledger import commitments_of
from tests.web.conftest import World, login, post, stores_of
from tests.web.test_ledger_pages import ledger_url

PLEDGES = 120  # three pages of fifty


def long_ledger(client: TestClient, world: World) -> list[str]:
    """120 commitments of the lead, one delivered; their ids in the ledger's order."""
    stores = stores_of(client)
    account = stores.accounts.by_email(world.emails["coordinator"])
    assert account is not None
    coordinator = Actor(account.account_id)
    for n in range(PLEDGES):
        created = stores.governance.pledge(
            coordinator,
            world.consortium_id,
            world.lead_id,
            Pledge(
                ContributionKind.FINANCIAL,
                Decimal("100.25"),
                date(2026, 1, 1),
                date(2026, 12, 31),
                f"Pledge number {n:03d}",
                Funding.CO_FINANCING,
            ),
        )
    stores.governance.deliver(
        coordinator,
        UUID(created.id),
        delivered_on=date(2026, 3, 1),
        amount=Decimal("50"),
        description="Paid",
        evidence=None,
    )
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        return [
            c.commitment_id
            for c in commitments_of(connection, str(world.consortium_id))
        ]


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    """Every SQL statement run on the read models while the block runs."""
    seen: list[str] = []
    engine = stores_of(client).read_side.engine

    def on_statement(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)


def shown(client: TestClient, html: str) -> list[str]:
    """The commitment ids a ledger page lists, in its order."""
    return re.findall(r"/commitments/([0-9a-f-]{36})\"", html)


def test_the_ledger_page_reads_one_page_of_commitments_and_no_delivery(
    client: TestClient, world: World
) -> None:
    long_ledger(client, world)
    login(client, world.emails["financer"])

    with statements(client) as seen:
        page = client.get(ledger_url(world) + "?page=2")

    assert page.status_code == 200
    reading = [s for s in seen if re.search(r"\bFROM commitments\b", s)]
    assert len(reading) == 1, reading
    assert re.search(r"\bLIMIT\b", reading[0]), reading[0]
    # The totals come from the kept lines, not from the deliveries' rows.
    assert not [s for s in seen if re.search(r"\bFROM contributions\b", s)]
    assert len(shown(client, page.text)) == 50


def test_the_pages_together_list_every_commitment_once_in_the_ledgers_order(
    client: TestClient, world: World
) -> None:
    order = long_ledger(client, world)
    login(client, world.emails["member"])

    pages = [client.get(ledger_url(world) + f"?page={n}").text for n in (1, 2, 3)]
    beyond = client.get(ledger_url(world) + "?page=7").text

    assert [shown(client, page) for page in pages] == [
        order[:50],
        order[50:100],
        order[100:],
    ]
    assert "Page 3 of 3 · 120 commitments" in pages[2]
    assert shown(client, beyond) == order[100:]  # past the end: the last page
    for page in (*pages, beyond):
        # Every page tells the whole ledger's totals: 120 × €100.25, €50 delivered.
        assert "€12,030.00" in page
        assert "€50.00" in page


def test_a_pledge_refused_through_htmx_still_answers_with_the_panel_alone(
    client: TestClient, world: World
) -> None:
    long_ledger(client, world)
    login(client, world.emails["coordinator"])

    refused = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        {"partner_id": world.lead_id, "kind": "financial", "amount": "-5"},
        htmx=True,
    )

    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<div id="pledge-panel">')
    assert "Pledge number" not in refused.text


def test_the_exports_still_hold_every_commitment_of_a_long_ledger(
    client: TestClient, world: World
) -> None:
    order = long_ledger(client, world)
    login(client, world.emails["financer"])

    as_csv = client.get(f"/consortia/{world.consortium_id}/ledger.csv")
    as_xlsx = client.get(f"/consortia/{world.consortium_id}/ledger.xlsx")

    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == set(order)
    assert len(rows) == 1 + PLEDGES + 1  # the header, each commitment, the delivery
    assert sum(1 for row in rows if "Paid" in row) == 1
    lead = load_workbook(io.BytesIO(as_xlsx.content))["Lead Corp"]
    listed = [row[1] for row in lead.iter_rows(min_row=2, values_only=True)]
    assert set(listed) == set(order)
    assert len(listed) == PLEDGES + 1  # each commitment, and the one delivery


def test_the_csv_export_reads_the_ledger_part_by_part_as_it_streams(
    client: TestClient, world: World
) -> None:
    order = long_ledger(client, world)
    login(client, world.emails["financer"])

    with statements(client) as seen:
        as_csv = client.get(f"/consortia/{world.consortium_id}/ledger.csv")

    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:] if "Paid" not in row] == order
    reading = [s for s in seen if re.search(r"\bFROM commitments\b", s)]
    assert reading
    assert all(re.search(r"\bLIMIT\b", s) for s in reading), reading


def test_the_excel_export_reads_the_ledger_part_by_part_and_its_totals_kept(
    client: TestClient, world: World
) -> None:
    long_ledger(client, world)
    login(client, world.emails["financer"])

    with statements(client) as seen:
        as_xlsx = client.get(f"/consortia/{world.consortium_id}/ledger.xlsx")

    summary = load_workbook(io.BytesIO(as_xlsx.content))["Summary"]
    lead = next(
        row for row in summary.iter_rows(values_only=True) if row[0] == "Lead Corp"
    )
    assert lead[1:3] == (12030, 50)  # 120 × €100.25 pledged, €50 delivered
    reading = [s for s in seen if re.search(r"\bFROM commitments\b", s)]
    assert reading
    assert all(re.search(r"\bLIMIT\b", s) for s in reading), reading
