"""One consortium's audit views and exports never show another's people or problems.

Two consortia share the platform's log and its checkpoints: A (the world's) and B
(the one the outsider founded), each with a financer of its own who countersigns the
same checkpoint.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import MemberRole
from notifications.checkpoints import load_or_create_key, seal_checkpoint
from projections.members import memberships_of_account
from tests.web.conftest import PASSWORD, World, login, stores_of
from web.settings import Settings


@dataclass(frozen=True)
class Pair:
    """Consortium A (the world's) and B (the outsider's), a financer in each."""

    a: UUID
    b: UUID
    financer_a: str  # account id
    financer_b: str
    checkpoint_id: str


NAME_A = "Ariane Fundwell"
NAME_B = "Bruno Backer"


def a_financer(
    client: TestClient, consortium_id: UUID, coordinator: str, who: str
) -> str:
    """A new account, invited as financer of the consortium; returns its id."""
    stores = stores_of(client)
    now = datetime.now(UTC)
    email = who.split()[0].lower() + "@test.example"
    account = stores.accounts.create_account(email, who, PASSWORD, now=now)
    invitation = stores.governance.issue_invitation(
        Actor(coordinator), consortium_id, MemberRole.FINANCER, None, now + timedelta(1)
    )
    stores.governance.accept_invitation(
        Actor(account.account_id), consortium_id, invitation.id
    )
    return account.account_id


@pytest.fixture
def pair(client: TestClient, world: World, settings: Settings) -> Pair:
    stores = stores_of(client)
    accounts = stores.accounts
    coordinator = accounts.by_email(world.emails["coordinator"])
    outsider = accounts.by_email(world.emails["outsider"])
    assert coordinator is not None
    assert outsider is not None
    with stores.read_side.engine.connect() as connection:
        (b_row,) = memberships_of_account(connection, outsider.account_id)
    b = UUID(b_row.consortium_id)
    financer_a = a_financer(client, world.consortium_id, coordinator.account_id, NAME_A)
    financer_b = a_financer(client, b, outsider.account_id, NAME_B)
    stores.read_side.catch_up()
    sealed = seal_checkpoint(
        stores.governance, stores.read_side, load_or_create_key(settings.audit_key_path)
    )
    assert sealed is not None
    for consortium_id, financer in ((world.consortium_id, financer_a), (b, financer_b)):
        stores.governance.countersign_checkpoint(
            Actor(financer), consortium_id, UUID(sealed.id)
        )
    stores.read_side.catch_up()
    return Pair(world.consortium_id, b, financer_a, financer_b, sealed.id)


def pdf_text(pdf: bytes) -> bytes:
    """Every content stream of a PDF, inflated (fpdf2 compresses them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    found = [pdf]
    for stream in streams:
        try:
            found.append(zlib.decompress(stream))
        except zlib.error:
            found.append(stream)
    return b"\n".join(found)


def pack_of(client: TestClient, consortium_id: UUID) -> dict[str, bytes]:
    """Every file of the consortium's audit pack (the PDF's streams inflated)."""
    response = client.get(f"/consortia/{consortium_id}/audit-pack.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        files = {name: pack.read(name) for name in pack.namelist()}
    files["audit-pack.pdf"] = pdf_text(files["audit-pack.pdf"])
    return files


def test_b_never_sees_the_financer_of_a_on_its_audit_page_file_or_pack(
    client: TestClient, pair: Pair
) -> None:
    login(client, "outsider@test.example")  # B's coordinator

    page = client.get(f"/consortia/{pair.b}/audit").text
    kept = client.get(
        f"/consortia/{pair.b}/audit/checkpoints/{pair.checkpoint_id}.json"
    )
    pack = pack_of(client, pair.b)

    assert NAME_B in page  # B's own financer is named
    assert NAME_A not in page
    assert pair.financer_a not in page
    assert json.loads(kept.content)["countersigned_by"] == [pair.financer_b]
    assert pair.financer_a.encode() not in kept.content
    for name, content in pack.items():
        assert pair.financer_a.encode() not in content, name
        assert NAME_A.encode() not in content, name
    assert json.loads(pack["checkpoint.json"])["countersigned_by"] == [pair.financer_b]
    assert pair.financer_b.encode() in pack["audit-pack.pdf"]  # the search works


def test_a_still_sees_its_own_financer_and_not_b_s(
    client: TestClient, pair: Pair
) -> None:
    login(client, "coordinator@test.example")

    page = client.get(f"/consortia/{pair.a}/audit").text
    pack = pack_of(client, pair.a)

    assert NAME_A in page
    assert NAME_B not in page
    assert json.loads(pack["checkpoint.json"])["countersigned_by"] == [pair.financer_a]
    assert pair.financer_a.encode() in pack["audit-pack.pdf"]
    assert pair.financer_b.encode() not in pack["audit-pack.pdf"]


def test_the_scoped_pack_still_verifies_offline(
    client: TestClient, pair: Pair, tmp_path: Path
) -> None:
    login(client, "outsider@test.example")
    response = client.get(f"/consortia/{pair.b}/audit-pack.zip")
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        pack.extractall(tmp_path / "pack")

    result = subprocess.run(
        [sys.executable, "verify_pack.py", "."],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path / "pack",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: the pack verifies." in result.stdout
