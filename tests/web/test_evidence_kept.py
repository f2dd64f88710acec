"""A refused command never deletes a stored file, and downloads say what they are.

Files are stored by their SHA-256, so the same bytes uploaded twice are one file:
before issue 14, a refused delivery deleted the file unless a *contribution* used it,
which let anyone delete another consortium's minutes, proposal document or report
attachment by sending the same bytes to a delivery that is refused, and let a refused
delivery racing an accepted one delete the accepted one's file.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, csrf, login, post, stores_of
from tests.web.test_decision_pages import established
from tests.web.test_reporting_pages import schedule_once
from web.evidence.names import download_name
from web.ops.audit_verify import verify_store
from web.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
DELIVERY = {"delivered_on": "2026-02-01", "amount": "10", "description": "Proof"}
TOO_EARLY = {"delivered_on": "2025-06-01", "amount": "10", "description": "Too early"}
ROUNDS = 12


def secret_pdf(label: str) -> bytes:
    """A PDF nobody else has: the bytes an attacker would have to know."""
    return PDF + f"% {label} {uuid.uuid4()}\n".encode()


def evidence_url(consortium_id: object, content: bytes) -> str:
    return f"/consortia/{consortium_id}/evidence/{hashlib.sha256(content).hexdigest()}"


def upload(
    client: TestClient,
    url: str,
    data: dict[str, str],
    field: str,
    name: str,
    body: bytes,
) -> Any:
    return client.post(
        url,
        data={**data, "csrf_token": csrf(client)},
        files={field: (name, body, "application/octet-stream")},
        follow_redirects=False,
    )


def pledged(client: TestClient, consortium_id: object, partner_id: str) -> str:
    """A commitment (from 2026-01-01) of ``partner_id``; returns its page's path."""
    response = post(
        client,
        f"/consortia/{consortium_id}/commitments",
        {
            "partner_id": partner_id,
            "kind": "financial",
            "amount": "1000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "covers": "Coordination",
            "funding": "co_financing",
        },
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


# -- a file of each kind the consortium records ---------------------------------


def a_body(client: TestClient, world: World) -> str:
    """A new steering body (a name of its own); logs the coordinator in."""
    return established(client, world, name=f"Body {uuid.uuid4().hex[:8]}")


def recorded_minutes(client: TestClient, world: World, content: bytes) -> None:
    body_id = a_body(client, world)  # logs the coordinator in
    response = upload(
        client,
        f"/consortia/{world.consortium_id}/decisions",
        {
            "body_id": body_id,
            "title": "Approve the budget",
            "outcome": "adopted",
            "decided_on": "2026-04-01",
            f"present-{world.lead_id}": "on",
        },
        "minutes",
        "minutes.pdf",
        content,
    )
    assert response.status_code == 303, response.text


def tabled_document(client: TestClient, world: World, content: bytes) -> None:
    body_id = a_body(client, world)
    response = upload(
        client,
        f"/consortia/{world.consortium_id}/proposals",
        {
            "body_id": body_id,
            "title": "Adopt the budget",
            "mode": "meeting",
            "meeting_on": "2026-03-01",
        },
        "document",
        "budget.pdf",
        content,
    )
    assert response.status_code == 303, response.text


def drafted_attachment(client: TestClient, world: World, content: bytes) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, "2026-12-01")
    response = upload(
        client,
        url + "/draft",
        {"text": "Six months."},
        "attachment",
        "annexe.pdf",
        content,
    )
    assert response.status_code == 303, response.text


RECORDED: dict[str, Callable[[TestClient, World, bytes], None]] = {
    "minutes": recorded_minutes,
    "proposal-document": tabled_document,
    "report-attachment": drafted_attachment,
}


def outsiders_consortium(client: TestClient, world: World) -> str:
    """The consortium the outsider founded (they coordinate it)."""
    login(client, world.emails["outsider"])
    page = client.get("/consortia").text
    found = set(re.findall(r"/consortia/([0-9a-f-]{36})", page))
    found.discard(str(world.consortium_id))
    assert len(found) == 1, found
    return found.pop()


def assert_intact(
    client: TestClient, world: World, settings: Settings, body: bytes
) -> None:
    """The file still downloads for a member and ``audit verify`` finds nothing."""
    login(client, world.emails["coordinator"])
    download = client.get(evidence_url(world.consortium_id, body))
    assert download.status_code == 200, download.text[-300:]
    assert download.content == body
    stores_of(client).read_side.catch_up()
    report = verify_store(settings.with_secret())
    assert report.ok, report.findings
    assert report.evidence_files >= 1


# -- the attacks ------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(RECORDED))
def test_an_outsiders_refused_delivery_of_the_same_bytes_keeps_anothers_file(
    client: TestClient, world: World, settings: Settings, kind: str
) -> None:
    content = secret_pdf(kind)
    RECORDED[kind](client, world, content)
    elsewhere = outsiders_consortium(client, world)

    refused = upload(
        client,
        f"/consortia/{elsewhere}/commitments/{uuid.uuid4()}/deliver",
        DELIVERY,
        "evidence",
        "copy.pdf",
        content,
    )

    assert refused.status_code == 404
    assert_intact(client, world, settings, content)


def test_a_members_refused_delivery_of_the_same_bytes_keeps_the_minutes(
    client: TestClient, world: World, settings: Settings
) -> None:
    content = secret_pdf("minutes")
    recorded_minutes(client, world, content)
    login(client, world.emails["member"])
    url = pledged(client, world.consortium_id, world.partner_id)

    refused = upload(client, url + "/deliver", TOO_EARLY, "evidence", "x.pdf", content)

    assert refused.status_code == 422
    assert "cannot be dated before" in refused.text
    assert_intact(client, world, settings, content)


def delivered_at_once(
    client: TestClient,
    url: str,
    token: str,
    content: bytes,
    forms: dict[str, dict[str, str]],
) -> dict[str, int]:
    """Post one delivery of ``content`` per form from threads released together."""
    barrier = threading.Barrier(len(forms))
    statuses: dict[str, int] = {}

    def send(name: str) -> None:
        barrier.wait()
        statuses[name] = client.post(
            url + "/deliver",
            data={**forms[name], "csrf_token": token},
            files={"evidence": (f"{name}.pdf", content, "application/pdf")},
            follow_redirects=False,
        ).status_code

    threads = [threading.Thread(target=send, args=(name,)) for name in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_refused_and_an_accepted_delivery_sent_at_once_keep_the_accepted_file(
    client: TestClient, world: World, settings: Settings
) -> None:
    """Twelve rounds of two deliveries of the same bytes released together."""
    login(client, world.emails["coordinator"])
    url = pledged(client, world.consortium_id, world.lead_id)
    token = csrf(client)
    lost = []
    for round_number in range(ROUNDS):
        content = secret_pdf(f"round {round_number}")

        statuses = delivered_at_once(
            client, url, token, content, {"accepted": DELIVERY, "refused": TOO_EARLY}
        )

        assert statuses == {"accepted": 303, "refused": 422}
        if client.get(evidence_url(world.consortium_id, content)).status_code != 200:
            lost.append(round_number)

    assert lost == []
    stores_of(client).read_side.catch_up()
    report = verify_store(settings.with_secret())
    assert report.ok, report.findings
    assert report.evidence_files == ROUNDS


# -- download names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "content", "media_type", "served"),
    [
        pytest.param("invoice.bat", GIF, "image/gif", "invoice.gif", id="bat-gif"),
        pytest.param("minutes.html", PDF, PDF_TYPE, "minutes.pdf", id="html-pdf"),
        pytest.param("scan", GIF, "image/gif", "scan.gif", id="no-extension"),
        pytest.param("Proof.PDF", PDF, PDF_TYPE, "Proof.PDF", id="right-one"),
    ],
)
def test_a_download_is_named_with_the_extension_of_its_detected_type(
    client: TestClient,
    world: World,
    uploaded: str,
    content: bytes,
    media_type: str,
    served: str,
) -> None:
    login(client, world.emails["coordinator"])
    url = pledged(client, world.consortium_id, world.lead_id)
    delivered = upload(
        client, url + "/deliver", DELIVERY, "evidence", uploaded, content
    )
    assert delivered.status_code == 303, delivered.text

    download = client.get(evidence_url(world.consortium_id, content))

    assert download.status_code == 200
    assert download.headers["content-type"] == media_type
    disposition = download.headers["content-disposition"]
    assert f'filename="{served}"' in disposition
    assert disposition.endswith(f"''{served}")


@pytest.mark.parametrize(
    ("uploaded", "media_type", "served"),
    [
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.JPG", "image/jpeg", "photo.JPG"),
        ("photo.png", "image/jpeg", "photo.jpg"),
        ("budget.zip", XLSX_TYPE, "budget.xlsx"),
        ("notes.pdf.exe", PDF_TYPE, "notes.pdf.pdf"),
        ("CON.bat", PDF_TYPE, "_CON.pdf"),
        (".htaccess", PDF_TYPE, "htaccess.pdf"),
        ("x" * 200 + ".bat", PDF_TYPE, "x" * 116 + ".pdf"),
        ("odd.pdf", "application/x-unknown", "odd.bin"),
    ],
)
def test_the_download_name_carries_the_types_extension(
    uploaded: str, media_type: str, served: str
) -> None:
    assert download_name(uploaded, media_type) == served
