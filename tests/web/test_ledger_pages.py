"""The contributions ledger in the browser's terms: pages, forms, uploads, downloads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tests.support.files import everything_in
from tests.web.conftest import World, csrf, event_count, login, post, stores_of
from web.ops.evidence_sweep import DEFAULT_GRACE, sweep_evidence
from web.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def pledge_form(partner_id: str, **overrides: str) -> dict[str, str]:
    form = {
        "partner_id": partner_id,
        "kind": "financial",
        "amount": "12 000,50",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "covers": "Coordination",
        "funding": "co_financing",
    }
    return {**form, **overrides}


def ledger_url(world: World) -> str:
    return f"/consortia/{world.consortium_id}/ledger"


def pledged(
    client: TestClient, world: World, partner_id: str | None = None, **overrides: str
) -> str:
    response = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(partner_id or world.lead_id, **overrides),
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def upload(
    client: TestClient, url: str, data: dict[str, str], name: str, content: bytes
) -> object:
    return client.post(
        url,
        data={**data, "csrf_token": csrf(client)},
        files={"evidence": (name, content, "application/pdf")},
        follow_redirects=False,
    )


def test_the_ledger_starts_empty_and_warns_about_partners_without_commitment(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])

    response = client.get(ledger_url(world))

    assert response.status_code == 200
    assert "No commitment yet." in response.text
    assert "Lead Corp has no commitment" in response.text
    assert "Record a commitment" not in response.text  # financers only read


def test_the_coordinator_pledges_for_any_partner(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(pledged(client, world, world.other_partner_id))

    assert "Financial commitment of Other Co" in page.text
    assert "€12,000.50" in page.text
    assert "pledged €12,000.50" in page.text


def test_a_member_pledges_for_their_partner_only(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    before = event_count(client)

    own = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.partner_id),
    )
    other = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.other_partner_id),
    )

    assert own.status_code == 303
    assert other.status_code == 403
    assert event_count(client) == before + 1


def test_a_financer_cannot_pledge(client: TestClient, world: World) -> None:
    login(client, world.emails["financer"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.lead_id),
    )

    assert response.status_code == 403
    assert event_count(client) == before


def test_bad_pledges_come_back_with_reasons_and_store_nothing(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)
    url = f"/consortia/{world.consortium_id}/commitments"

    negative = post(client, url, pledge_form(world.lead_id, amount="-5"), htmx=True)
    words = post(client, url, pledge_form(world.lead_id, amount="1e9"))
    huge = post(client, url, pledge_form(world.lead_id, amount="5000000000"))
    period = post(client, url, pledge_form(world.lead_id, ends_on="2025-12-31"))
    data = post(client, url, pledge_form(world.lead_id, kind="data_set"))

    assert {r.status_code for r in (negative, words, huge, period, data)} == {422}
    assert 'id="pledge-panel"' in negative.text
    assert "<html" not in negative.text
    assert "Enter a number" in words.text
    assert "too large" in huge.text
    assert "cannot end before it starts" in period.text
    assert "Give the licence of the data set." in data.text
    assert event_count(client) == before


def test_a_daily_rate_on_anything_but_staff_time_is_refused_next_to_the_rate(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    response = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        pledge_form(world.lead_id, kind="financial", daily_rate="400"),
        htmx=True,
    )

    assert response.status_code == 422
    assert re.search(
        r'id="daily_rate-error">A daily rate only applies to staff time.',
        response.text,
    )
    assert event_count(client) == before


def test_amending_keeps_the_history_and_needs_a_reason(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)

    refused = post(
        client,
        url + "/amend",
        {
            "amount": "15000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "reason": "",
        },
    )
    amended = post(
        client,
        url + "/amend",
        {
            "amount": "15000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "reason": "Budget voted",
        },
    )

    assert refused.status_code == 422
    assert amended.status_code == 303
    page = client.get(url).text
    assert "amended it from €12,000.50 to €15,000.00" in page
    assert "Budget voted" in page


def test_withdrawing_a_commitment_asks_first_then_keeps_it_visible(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)

    confirm = client.get(url + "/withdraw")
    response = post(
        client, url + "/withdraw", {"on": "2026-03-01", "reason": "Budget cut"}
    )

    assert "Confirm the withdrawal" in confirm.text
    assert response.status_code == 303
    assert "Withdrawn on" in client.get(url).text
    assert "Withdrawn on" in client.get(ledger_url(world)).text


def test_a_delivery_with_evidence_is_stored_by_hash_and_served_as_attachment(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)

    response = upload(
        client,
        url + "/deliver",
        {
            "delivered_on": "2026-02-01",
            "amount": "13000",
            "description": "First instalment",
        },
        "virement.pdf",
        PDF,
    )

    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get(url).text
    assert "beyond the pledge" in page
    link = re.search(r'href="(/consortia/[^"]+/evidence/([0-9a-f]{64}))"', page)
    assert link is not None
    download = client.get(link.group(1))
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "sandbox"
    assert stores_of(client).evidence.exists(link.group(2))


def test_a_disguised_upload_is_refused_and_leaves_no_file(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)
    before = event_count(client)

    response = upload(
        client,
        url + "/deliver",
        {"delivered_on": "2026-02-01", "amount": "100", "description": "x"},
        "report.pdf",
        b"<html><script>alert(1)</script></html>",
    )

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "checked by their content" in response.text  # type: ignore[attr-defined]
    assert event_count(client) == before
    assert everything_in(stores_of(client).evidence) == set()


def test_a_refused_delivery_leaves_its_upload_to_the_sweep(
    client: TestClient, world: World, settings: Settings
) -> None:
    """Kept at first (the same bytes may be another record's), swept once old."""
    login(client, world.emails["coordinator"])
    url = pledged(client, world)

    response = upload(
        client,
        url + "/deliver",
        {"delivered_on": "2025-06-01", "amount": "100", "description": "Too early"},
        "early.pdf",
        PDF,
    )

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "cannot be dated before" in response.text  # type: ignore[attr-defined]
    store = stores_of(client).evidence
    assert len(everything_in(store)) == 1
    later = datetime.now(UTC) + DEFAULT_GRACE + timedelta(minutes=1)
    assert len(sweep_evidence(settings, store, now=later).removed) == 1
    assert everything_in(store) == set()


def test_an_oversized_upload_is_refused_before_it_is_stored(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)

    response = upload(
        client,
        url + "/deliver",
        {"delivered_on": "2026-02-01", "amount": "100", "description": "Huge"},
        "big.pdf",
        PDF + b"0" * (11 << 20),
    )

    assert response.status_code == 413  # type: ignore[attr-defined]
    assert everything_in(stores_of(client).evidence) == set()


def test_evidence_of_another_consortium_is_not_served(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world)
    upload(
        client,
        url + "/deliver",
        {"delivered_on": "2026-02-01", "amount": "10", "description": "Proof"},
        "proof.pdf",
        PDF,
    )
    sha = re.search(r"/evidence/([0-9a-f]{64})", client.get(url).text)
    assert sha is not None
    login(client, world.emails["outsider"])

    response = client.get(f"/consortia/{world.consortium_id}/evidence/{sha.group(1)}")

    assert response.status_code == 404


def test_the_dashboard_adds_up_pledges_and_deliveries(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    money = pledged(client, world, amount="10000")
    pledged(
        client, world, world.partner_id, kind="human", amount="20", daily_rate="500"
    )
    post(
        client,
        money + "/deliver",
        {"delivered_on": "2026-03-01", "amount": "4000", "description": "Paid"},
    )

    page = client.get(ledger_url(world)).text

    assert "€20,000.00" in page  # 10,000 € + 20 days at 500 €
    assert "€4,000.00" in page
    assert "20%" in page  # delivery rate
    assert "20 / 0 person-days" in page
    assert "Lead Corp, 50% of what is pledged" in page


def test_a_withdrawn_partners_commitments_count_as_withdrawn(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    pledged(client, world, world.other_partner_id)
    post(
        client,
        f"/consortia/{world.consortium_id}/partners/{world.other_partner_id}/withdraw",
        {"on": "2026-02-01", "reason": "Left"},
    )

    page = client.get(ledger_url(world)).text

    assert "Withdrawn with the partner" in page
    assert "Record a commitment" in page
    assert "Other Co</option>" not in page.split("Record a commitment")[1]


def rows_of(page: str) -> list[tuple[str, str]]:
    """Each commitment row's partner (its link's text) and status (last cell)."""
    table = page.split('id="commitments-title"')[1].split("</table>")[0]
    return [
        (
            re.findall(r'<a href="[^"]+">([^<]*)</a>', row)[0],
            re.findall(r"<td>([^<]*)</td>", row)[-1],
        )
        for row in table.split("<tbody>")[1].split("</tr>")[:-1]
    ]


def test_each_row_names_its_partner_and_status_in_the_readers_language(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    pledged(client, world)
    pledged(client, world, world.other_partner_id)
    post(
        client,
        f"/consortia/{world.consortium_id}/partners/{world.other_partner_id}/withdraw",
        {"on": "2026-02-01", "reason": "Left"},
    )

    english = rows_of(client.get(ledger_url(world)).text)
    client.cookies.set("lang", "fr")
    french = rows_of(client.get(ledger_url(world)).text)

    assert english == [
        ("Lead Corp", "Active"),
        ("Other Co", "Withdrawn with the partner"),
    ]
    assert french == [
        ("Lead Corp", "Actif"),
        ("Other Co", "Retiré avec le partenaire"),
    ]


def test_the_ledger_exports_as_csv_and_excel(client: TestClient, world: World) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    login(client, world.emails["coordinator"])
    pledged(client, world, covers='=HYPERLINK("http://evil","x")')
    login(client, world.emails["financer"])

    as_csv = client.get(f"/consortia/{world.consortium_id}/ledger.csv")
    as_xlsx = client.get(f"/consortia/{world.consortium_id}/ledger.xlsx")

    assert as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Partner"
    assert any(row[0] == "Lead Corp" and "'=HYPERLINK" in row[9] for row in rows[1:])
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    assert "Lead Corp" in workbook.sheetnames


def test_the_consortium_history_tells_the_ledger_in_words(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world, amount="1000")
    post(
        client,
        url + "/deliver",
        {"delivered_on": "2026-02-01", "amount": "400", "description": "Paid"},
    )

    page = client.get(f"/consortia/{world.consortium_id}/history").text

    assert "recorded a commitment of Lead Corp: Financial, €1,000.00" in page
    assert "recorded a delivery of Lead Corp (Financial): €400.00" in page


def test_a_long_ledger_shows_its_commitments_fifty_a_page_and_totals_them_all(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    for n in range(51):
        pledged(client, world, covers=f"Pledge number {n:02d}")

    first = client.get(ledger_url(world)).text
    second = client.get(ledger_url(world) + "?page=2").text
    beyond = client.get(ledger_url(world) + "?page=9").text

    assert "Pledge number 00" in first
    assert "Pledge number 49" in first
    assert "Pledge number 50" not in first
    assert "Page 1 of 2 · 51 commitments" in first
    assert "Pledge number 50" in second
    assert "Pledge number 49" not in second
    assert "Page 2 of 2" in second
    # The totals are the whole ledger's on every page: 51 × €12,000.50.
    assert "€612,025.50" in first
    assert "€612,025.50" in second
    assert "Page 2 of 2" in beyond  # past the end: the last page


def test_a_page_number_that_is_not_one_is_page_one_on_every_paged_list(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    base = f"/consortia/{world.consortium_id}"
    for path in ("/ledger", "/decisions", "/capitalisation"):
        for page in ("²", "99999999999999999999", "-3", "x", "0"):
            response = client.get(f"{base}{path}", params={"page": page})
            assert response.status_code == 200, (path, page, response.status_code)
