"""The data directory and what it holds are its owner's alone.

``app.db`` holds password hashes and sessions, ``mailbox.mbox`` reset links (when no
SMTP server is set), ``secret_key`` the server secret, ``evidence/`` the consortia's
files: a data directory created by the application is 0700 and every file in it
0600, from its first byte, whatever the process's umask; SQLite's ``-wal`` and
``-shm`` companions too, and files left readable by an earlier version are closed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.support.processes import consortium_serve
from tests.web.conftest import stores_of
from web.app import create_app
from web.cli import main
from web.ops.storage import open_stores
from web.settings import Settings


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems give (0022: files 0644 unless asked otherwise)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    """Every path under ``root`` (itself too) and its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[path.relative_to(root).as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return found


def readable_by_others(root: Path) -> dict[str, str]:
    return {name: oct(mode) for name, mode in modes(root).items() if mode & 0o077}


def test_a_new_sqlite_store_is_owner_only_from_the_first_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)

    with TestClient(create_app(settings), base_url="https://testserver") as client:
        assert client.get("/login").status_code == 200
        stores = stores_of(client)
        stores.evidence.save(BytesIO(b"%PDF-1.4\n%%EOF\n"), "preuve.pdf")
        stores.accounts.create_account(
            "someone@test.example",
            "Someone",
            "a long passphrase",
            now=stores.clock.now(),
        )

    found = modes(data_dir)
    assert found["."] == 0o700
    assert found["evidence"] == 0o700
    for name in ("app.db", "events.db", "read.db", "mailbox.mbox", "secret_key"):
        assert found[name] == 0o600, name
    assert not readable_by_others(data_dir)


def test_the_demo_and_a_running_server_leave_nothing_readable_by_others(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = {"CONSORTIUM_DATA_DIR": str(data_dir), "PATH": os.environ["PATH"]}
    assert CliRunner().invoke(main, ["demo"], env=env).exit_code == 0

    with consortium_serve(env):
        # Serving: SQLite's -wal and -shm files exist now, beside their databases.
        assert (data_dir / "app.db-wal").exists()
        while_serving = readable_by_others(data_dir)

    assert while_serving == {}
    assert readable_by_others(data_dir) == {}
    assert any((data_dir / "evidence").iterdir())  # the demo's attached files


def test_files_an_earlier_version_left_readable_are_closed_at_start(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    open_stores(Settings(data_dir=data_dir)).close()
    for name in ("app.db", "events.db", "read.db", "mailbox.mbox"):
        (data_dir / name).chmod(0o644)
    (data_dir / "secret_key").write_text("an old secret")
    (data_dir / "secret_key").chmod(0o644)

    open_stores(Settings(data_dir=data_dir)).close()

    assert readable_by_others(data_dir) == {}


@pytest.mark.postgres
def test_on_postgresql_the_data_directory_is_owner_only_too(
    tmp_path: Path, postgres_url: str
) -> None:
    data_dir = tmp_path / "data"

    with TestClient(
        create_app(Settings(data_dir=data_dir, database_url=postgres_url)),
        base_url="https://testserver",
    ) as client:
        assert client.get("/login").status_code == 200

    found = modes(data_dir)
    assert found["."] == 0o700
    # Attached files are kept in the database there (every host sees them).
    assert "evidence" not in found
    assert found["secret_key"] == 0o600
    assert not readable_by_others(data_dir)
