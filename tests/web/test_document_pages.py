"""The convention's documents through the pages: filed with their file, versioned,
signed per partner, each version downloadable; the coordinator's only; bad input
refused with a message and nothing stored; English and French."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.support.files import age
from tests.web.conftest import World, csrf, event_count, login, stores_of
from web.ops.evidence_sweep import DEFAULT_GRACE, sweep_evidence
from web.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PDF_2 = b"%PDF-1.4\n2 0 obj<<>>endobj\n%%EOF\n"


def documents(world: World) -> str:
    return f"/consortia/{world.consortium_id}/documents"


def upload(
    client: TestClient,
    url: str,
    data: dict[str, str],
    content: bytes | None = PDF,
    name: str = "convention.pdf",
) -> Any:
    files = {"document": (name, content, "application/pdf")} if content else None
    return client.post(
        url,
        data={**data, "csrf_token": csrf(client)},
        files=files,
        follow_redirects=False,
    )


def filed_convention(client: TestClient, world: World) -> str:
    """The coordinator files the partnership convention; its id."""
    login(client, world.emails["coordinator"])
    answer = upload(
        client,
        documents(world),
        {"kind": "partnership_convention", "title": "Convention de partenariat"},
    )
    assert answer.status_code == 303
    page = client.get(documents(world)).text
    marker = f"{documents(world)}/"
    start = page.index(marker) + len(marker)
    return page[start : start + 36]


def test_a_document_is_filed_versioned_signed_and_every_version_downloads(
    client: TestClient, world: World
) -> None:
    document = filed_convention(client, world)
    url = f"{documents(world)}/{document}"

    versioned = upload(client, url + "/versions", {"note": "Annexe"}, PDF_2, "v2.pdf")
    signed = upload(
        client,
        url + "/signatures",
        {
            "partner_id": world.lead_id,
            "signed_by": "Mme la Maire",
            "signed_on": "2026-01-10",
        },
        None,
    )

    assert (versioned.status_code, signed.status_code) == (303, 303)
    page = client.get(documents(world)).text
    assert "Convention de partenariat" in page
    assert "Lead Corp: signed by Mme la Maire on" in page
    assert "(version 2)" in page
    first = client.get(url + "/versions/1")
    second = client.get(url + "/versions/2")
    assert hashlib.sha256(first.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert second.content == PDF_2
    assert client.get(url + "/versions/3").status_code == 404
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "recorded that Lead Corp signed “Convention de partenariat”" in history


def test_a_document_without_its_file_or_title_is_refused_and_nothing_is_stored(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    no_file = upload(
        client, documents(world), {"kind": "funding_agreement", "title": "Arrêté"}, None
    )
    no_title = upload(client, documents(world), {"kind": "funding_agreement"})
    letter = upload(
        client, documents(world), {"kind": "letter_of_support", "title": "Lettre"}
    )

    assert no_file.status_code == 422
    assert "Choose the file to upload." in no_file.text
    assert no_title.status_code == 422
    assert letter.status_code == 422
    assert "A letter is one partner&#39;s: choose the partner." in letter.text
    assert event_count(client) == before


def test_only_the_coordinator_files_documents(client: TestClient, world: World) -> None:
    document = filed_convention(client, world)
    before = event_count(client)

    for role in ("member", "pilot", "financer"):
        login(client, world.emails[role])
        assert client.get(documents(world)).status_code == 200
        refused = upload(
            client, documents(world), {"kind": "funding_agreement", "title": "X"}
        )
        signing = upload(
            client,
            f"{documents(world)}/{document}/signatures",
            {"partner_id": world.lead_id, "signed_by": "X", "signed_on": "2026-01-10"},
            None,
        )
        assert (refused.status_code, signing.status_code) == (403, 403)
    login(client, world.emails["outsider"])
    assert client.get(documents(world)).status_code == 404

    assert event_count(client) == before


def test_the_french_page_speaks_french(client: TestClient, world: World) -> None:
    filed_convention(client, world)
    client.cookies.set("lang", "fr")

    page = client.get(documents(world)).text

    assert "Documents de la convention" in page
    assert "Convention de partenariat" in page


def test_every_version_of_a_document_survives_the_evidence_sweep(
    client: TestClient, world: World, settings: Settings
) -> None:
    document = filed_convention(client, world)
    url = f"{documents(world)}/{document}"
    upload(client, url + "/versions", {"note": "v2"}, PDF_2, "v2.pdf")
    store = stores_of(client).evidence
    for content in (PDF, PDF_2):
        age(store, hashlib.sha256(content).hexdigest(), days=400)

    report = sweep_evidence(
        settings, store, now=datetime.now(UTC) + DEFAULT_GRACE + timedelta(hours=1)
    )

    assert report.removed == []
    assert client.get(url + "/versions/1").content == PDF
    assert client.get(url + "/versions/2").content == PDF_2
