"""The audit pack: downloaded, unzipped, and checked offline by the script it ships.

The script runs as a separate Python process on the unzipped files (standard library
and cryptography only); it accepts the pack as exported and rejects any altered
event, any altered checkpoint, and a checkpoint other than the one the financer kept.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from starlette.testclient import TestClient

from notifications.checkpoints import load_or_create_key, seal_checkpoint
from tests.web.conftest import World, login, post, stores_of

PACK = "/consortia/{}/audit-pack.zip"


def sealed(client: TestClient, tmp_path: Path) -> None:
    stores = stores_of(client)
    key = load_or_create_key(tmp_path / "key.pem")
    assert seal_checkpoint(stores.governance, stores.read_side, key) is not None


def unpack(
    client: TestClient, world: World, tmp_path: Path, name: str = "pack"
) -> Path:
    response = client.get(PACK.format(world.consortium_id))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    target = tmp_path / name
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        pack.extractall(target)
    return target


def run_script(directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(directory / "verify_pack.py"), str(directory), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=directory,
    )


def test_a_pack_as_exported_verifies_offline(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    sealed(client, tmp_path)
    login(client, world.emails["coordinator"])
    post(
        client,
        f"/consortia/{world.consortium_id}/partners/{world.partner_id}/axis",
        {"axis": "After the checkpoint"},
    )
    login(client, world.emails["financer"])

    directory = unpack(client, world, tmp_path)
    result = run_script(directory)

    assert sorted(p.name for p in directory.iterdir()) == [
        "README.txt",
        "audit-pack.pdf",
        "checkpoint.json",
        "events.jsonl",
        "verify_pack.py",
    ]
    assert (directory / "audit-pack.pdf").read_bytes().startswith(b"%PDF")
    events = [
        json.loads(x) for x in (directory / "events.jsonl").read_text().splitlines()
    ]
    assert events[0]["kind"] == "founded"
    assert events[-1]["proof"] is None  # recorded after the checkpoint
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: the pack verifies." in result.stdout


def test_an_altered_event_is_rejected_and_located(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    sealed(client, tmp_path)
    login(client, world.emails["financer"])
    directory = unpack(client, world, tmp_path)
    path = directory / "events.jsonl"
    lines = path.read_text().splitlines()
    event = json.loads(lines[2])
    state = base64.b64decode(event["record"]["state"]).replace(b"Partner", b"Partnex")
    event["record"]["state"] = base64.b64encode(state).decode()
    lines[2] = json.dumps(event)
    path.write_text("\n".join(lines) + "\n")

    result = run_script(directory)

    assert result.returncode == 1
    assert f"line 3: position {event['position']} was altered" in result.stdout


def test_a_rehashed_event_is_not_in_the_checkpoint(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    sealed(client, tmp_path)
    login(client, world.emails["financer"])
    directory = unpack(client, world, tmp_path)
    sys.path.insert(0, str(directory))
    try:
        from verify_pack import record_hash  # the shipped script's own function
    finally:
        sys.path.remove(str(directory))
    path = directory / "events.jsonl"
    lines = path.read_text().splitlines()
    event = json.loads(lines[1])
    record = event["record"]
    state = base64.b64decode(record["state"]) + b" "
    record["state"] = base64.b64encode(state).decode()
    event["record_hash"] = record_hash(
        record["originator_id"], record["originator_version"], record["topic"], state
    ).hex()
    lines[1] = json.dumps(event)
    path.write_text("\n".join(lines) + "\n")

    result = run_script(directory)

    assert result.returncode == 1
    assert "is not in the checkpoint" in result.stdout


def test_a_forged_checkpoint_and_a_checkpoint_not_kept_are_rejected(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    sealed(client, tmp_path)
    login(client, world.emails["financer"])
    directory = unpack(client, world, tmp_path)
    kept = tmp_path / "kept.json"
    kept.write_text((directory / "checkpoint.json").read_text())
    checkpoint = json.loads((directory / "checkpoint.json").read_text())
    checkpoint["root"] = "00" * 32
    (directory / "checkpoint.json").write_text(json.dumps(checkpoint))

    forged = run_script(directory, "--checkpoint", str(kept))

    assert forged.returncode == 1
    assert "signature does not verify" in forged.stdout
    assert "differs from the one you kept: root" in forged.stdout


def test_outsiders_get_no_pack(client: TestClient, world: World) -> None:
    login(client, world.emails["outsider"])
    assert client.get(PACK.format(world.consortium_id)).status_code == 404
