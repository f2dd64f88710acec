"""The audit page: checkpoints, countersigning, the kept file, verifying on demand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from notifications.checkpoints import load_or_create_key, seal_checkpoint
from tests.support.insider import Insider
from tests.web.conftest import World, event_count, htmx_get, login, post, stores_of
from web.ops.audit_requests import AuditVerifications
from web.ops.audit_scope import run_requested
from web.ops.audit_verify import verify_store
from web.settings import Settings


@pytest.fixture
def sealed(client: TestClient, world: World, settings: Settings) -> str:
    """A checkpoint of the world's log; returns its id."""
    stores = stores_of(client)
    created = seal_checkpoint(
        stores.governance,
        stores.read_side,
        load_or_create_key(settings.audit_key_path),
    )
    assert created is not None
    return created.id


def page_of(world: World) -> str:
    return f"/consortia/{world.consortium_id}/audit"


def test_a_financer_countersigns_a_checkpoint_and_sees_it(
    client: TestClient, world: World, sealed: str
) -> None:
    login(client, world.emails["financer"])
    before = event_count(client)

    page = client.get(page_of(world))
    response = post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")
    after = client.get(page_of(world))

    assert page.status_code == 200
    assert "Countersign</button>" in page.text
    assert response.status_code == 303
    assert event_count(client) == before + 1
    assert "Countersigned by you" in after.text
    assert "Financer" in after.text  # the financer's name in the list
    assert "Countersign</button>" not in after.text


def test_countersigning_twice_is_refused_with_the_reason(
    client: TestClient, world: World, sealed: str
) -> None:
    login(client, world.emails["financer"])
    post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")

    again = post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")

    assert again.status_code == 422
    assert "already countersigned" in again.text


@pytest.mark.parametrize("role", ["coordinator", "member", "pilot"])
def test_other_members_see_the_page_but_may_not_countersign(
    client: TestClient, world: World, sealed: str, role: str
) -> None:
    login(client, world.emails[role])
    before = event_count(client)

    page = client.get(page_of(world))
    refused = post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")

    assert page.status_code == 200
    assert "Download" in page.text
    assert "Countersign</button>" not in page.text
    assert refused.status_code == 403
    assert event_count(client) == before


def test_outsiders_do_not_see_the_page_or_the_file(
    client: TestClient, world: World, sealed: str
) -> None:
    login(client, world.emails["outsider"])

    assert client.get(page_of(world)).status_code == 404
    assert client.get(f"{page_of(world)}/checkpoints/{sealed}.json").status_code == 404
    assert post(client, f"{page_of(world)}/verify").status_code == 404


def test_the_downloaded_file_verifies_the_store(
    client: TestClient, world: World, sealed: str, settings: Settings, tmp_path: Path
) -> None:
    login(client, world.emails["financer"])
    post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")

    response = client.get(f"{page_of(world)}/checkpoints/{sealed}.json")
    kept = tmp_path / "kept.json"
    kept.write_bytes(response.content)
    data = json.loads(response.content)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "attachment" in response.headers["content-disposition"]
    assert data["checkpoint_id"] == sealed
    assert data["countersigned_by"]
    assert {"position", "root", "chain_head", "signature", "public_key"} <= set(data)
    assert verify_store(settings, [kept]).ok


def run_verifications(client: TestClient, settings: Settings) -> int:
    """What the scheduler's process does every few seconds."""
    return run_requested(
        AuditVerifications(stores_of(client).accounts.engine),
        settings.with_secret(),
        stores_of(client).clock.now,
    )


def test_verify_now_names_the_tampered_position(
    client: TestClient, world: World, sealed: str, settings: Settings
) -> None:
    login(client, world.emails["financer"])
    insider = Insider(settings)
    insider.unseal()
    insider.flip_byte(3, 10)

    pressed = post(client, f"{page_of(world)}/verify", htmx=True)
    run_verifications(client, settings)
    page = client.get(page_of(world))

    assert pressed.status_code == 200
    assert "<h1>" not in pressed.text  # the fragment only
    assert "The verification found problems." in page.text
    assert "Position 3: the stored event was altered." in page.text


def test_the_page_speaks_french(
    client: TestClient, world: World, sealed: str, settings: Settings
) -> None:
    login(client, world.emails["financer"])
    client.cookies.set("lang", "fr")

    page = client.get(page_of(world))
    pressed = post(client, f"{page_of(world)}/verify", htmx=True)
    run_verifications(client, settings)
    verified = client.get(page_of(world))

    assert "Contresigner" in page.text
    assert "Vérification demandée par" in pressed.text
    assert "Le registre de ce consortium est intact" in verified.text


def test_the_page_without_checkpoints_says_so(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])

    page = htmx_get(client, page_of(world))

    assert "No checkpoint yet" in page.text


def test_the_checkpoint_table_speaks_plainly_and_prompts_to_keep_the_signed_file(
    client: TestClient, world: World, sealed: str
) -> None:
    login(client, world.emails["financer"])
    before = client.get(page_of(world)).text
    post(client, f"{page_of(world)}/checkpoints/{sealed}/countersign")

    after = client.get(page_of(world)).text

    table = after[after.index("<table") : after.index("</table>")]
    headers = table[table.index("<thead>") : table.index("</thead>")]
    assert 'class="data checkpoints"' in table
    assert headers.count('<th scope="col">') == 5
    assert "visually-hidden" not in headers
    assert "Merkle" not in headers
    assert "Fingerprint of the log" in headers
    assert "<details" in after
    assert "root of a Merkle tree" in after
    assert "Countersign the latest checkpoint below, then download its file" in before
    assert "Keep your proof: download the file of the checkpoint you countersigned" in (
        after
    )
    assert f'/checkpoints/{sealed}.json" download>Download the countersigned file' in (
        after
    )
