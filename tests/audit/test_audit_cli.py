"""``consortium audit checkpoint`` and ``consortium audit verify`` on the demo store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from notifications.checkpoints import checkpoint_file_bytes
from projections.audit_chain import checkpoints
from tests.support.insider import Insider
from web.cli import main
from web.ops.storage import open_stores
from web.settings import Settings


def demo_env(data_dir: Path, url: str | None = None) -> dict[str, str]:
    env = {"CONSORTIUM_DATA_DIR": str(data_dir), "CONSORTIUM_SECRET_KEY": "k"}
    if url:
        env["CONSORTIUM_DATABASE_URL"] = url
    return env


def a_demo_with_checkpoint(env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo"], env=env).exit_code == 0
    sealed = runner.invoke(main, ["audit", "checkpoint"], env=env)
    assert sealed.exit_code == 0, sealed.output
    assert "sealed" in sealed.output


def kept_checkpoint(data_dir: Path, target: Path) -> Path:
    """What a financer downloads: the newest checkpoint as a file."""
    stores = open_stores(Settings(data_dir=data_dir, secret_key="k"))
    try:
        with stores.read_side.engine.connect() as connection:
            newest = checkpoints(connection)[0]
    finally:
        stores.close()
    target.write_bytes(checkpoint_file_bytes(newest, []))
    return target


def test_the_demo_store_verifies_and_a_corrupted_copy_does_not(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    env = demo_env(demo)
    a_demo_with_checkpoint(env)
    kept = kept_checkpoint(demo, tmp_path / "checkpoint.json")
    runner = CliRunner()

    again = runner.invoke(main, ["audit", "checkpoint"], env=env)
    clean = runner.invoke(main, ["audit", "verify", "--checkpoint", str(kept)], env=env)
    copy = tmp_path / "copy"
    shutil.copytree(demo, copy)
    insider = Insider(Settings(data_dir=copy))
    insider.unseal()
    insider.flip_byte(30, 17)
    evidence = next((copy / "evidence").iterdir())
    evidence.write_bytes(b"%PDF-1.4 forged")
    tampered = runner.invoke(
        main, ["audit", "verify", "--checkpoint", str(kept)], env=demo_env(copy)
    )

    assert again.exit_code == 0
    assert "Nothing new" in again.output
    assert clean.exit_code == 0, clean.output
    assert "OK: the log matches its chain and every checkpoint." in clean.output
    assert "events/s" in clean.output
    assert "2 checkpoints" in clean.output
    assert tampered.exit_code == 1, tampered.output
    assert "Position 30: the stored event was altered." in tampered.output
    assert f"the attached file {evidence.name} was altered" in tampered.output
    assert "(file checkpoint.json)" in tampered.output
    assert "TAMPERED" in tampered.output


def test_verify_without_a_store_says_it_cannot_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "verify"], env=demo_env(tmp_path))

    assert result.exit_code == 3
    assert "cannot check: there is no event store" in result.output
    assert "TAMPERED" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing made on the way


@pytest.mark.postgres
def test_the_demo_store_verifies_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    env = demo_env(tmp_path, postgres_url)
    a_demo_with_checkpoint(env)

    result = CliRunner().invoke(main, ["audit", "verify"], env=env)

    assert result.exit_code == 0, result.output
    assert "OK" in result.output
