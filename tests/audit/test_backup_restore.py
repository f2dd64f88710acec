"""``consortium backup`` and ``consortium restore`` on real SQLite files and PostgreSQL.

The source is the audited store (a lived consortium, an attached file, a
countersigned checkpoint, events after it); the target is a new data directory or a
new database. Restoring checks the backup's hashes, then verifies like ``audit
verify``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import MetaData, create_engine, select

from governance.actor import Actor
from projections.base import metadata as read_metadata
from tests.support.audit_store import Audited
from tests.support.builders import COORDINATOR_ID, founded_consortium
from tests.support.insider import Insider
from tests.support.postgres import PostgresServer
from tests.support.processes import consortium_command, consortium_serve
from web.cli import main
from web.identity.tables import metadata as accounts_metadata
from web.ops.audit_verify import read_engine
from web.ops.backup import MANIFEST, BackupError, Manifest, find_tool, sha256_of
from web.ops.files import file_store_of
from web.ops.storage import open_stores, sqlalchemy_url
from web.settings import Settings


@pytest.fixture
def target(
    settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """An empty store of the same backend as the source."""
    if not settings.database_url:
        yield Settings(data_dir=tmp_path / "target", secret_key="k")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield Settings(data_dir=tmp_path / "target", database_url=url, secret_key="k")
    server.drop_database(url)


def env_of(settings: Settings, key_file: Path | None = None) -> dict[str, str]:
    """The environment that points the CLI at these settings' store."""
    return {
        "CONSORTIUM_DATA_DIR": str(settings.data_dir),
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_DATABASE_URL": settings.database_url or "",
        "CONSORTIUM_AUDIT_KEY_FILE": str(key_file or settings.audit_key_path),
    }


def keys_put_back(source: Settings, target: Settings) -> None:
    """The key files backed up apart from the store, put back where the restored
    store's host keeps them (on PostgreSQL a host without them refuses to start)."""
    target.data_dir.mkdir(parents=True, exist_ok=True)
    for key in ("secrets_key_path", "audit_key_path"):
        origin = getattr(source, key)
        if origin.exists():
            shutil.copyfile(origin, getattr(target, key))


def stored_bytes(settings: Settings, sha256: str) -> bytes | None:
    """A stored file's bytes, from wherever the settings keep files."""
    with file_store_of(settings) as store:
        opened = store.opened(sha256)
        return None if opened is None else b"".join(opened.chunks)


def a_listed_file(destination: Path) -> Path:
    """A file of the backup besides its manifest: an attached file when they are
    kept in a folder, the database copy when they are in the database."""
    folder = destination / "evidence"
    if folder.is_dir() and any(folder.iterdir()):
        return next(folder.iterdir())
    return destination / "database.dump"


def run(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def events_of(settings: Settings) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in Insider(settings).run(
            "SELECT {pos}, originator_id, originator_version, topic, state "
            "FROM {t} ORDER BY {pos}"
        )
    ]


def rows_of(
    settings: Settings, metadata: MetaData, app: bool = False
) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of ``metadata`` (read models, or the app's tables)."""
    if app and not settings.database_url:
        engine = create_engine(f"sqlite:///{settings.data_dir / 'app.db'}")
    elif app:
        assert settings.database_url is not None
        engine = create_engine(sqlalchemy_url(settings.database_url))
    else:
        engine = read_engine(settings)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    map(tuple, connection.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def backed_up(audited: Audited, tmp_path: Path, name: str = "backup") -> Path:
    destination = tmp_path / name
    result = run("backup", str(destination), env=env_of(audited.settings))
    assert result.exit_code == 0, result.output
    return destination


def test_a_restored_store_verifies_and_holds_the_same_data(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    source = audited.settings
    destination = tmp_path / "backup"

    made = run("backup", str(destination), env=env_of(source))
    manifest = Manifest.from_json((destination / MANIFEST).read_text())
    restored = run(
        "restore",
        str(destination),
        "--checkpoint",
        str(audited.checkpoint_file),
        # The key, backed up separately, is put back where the target expects it.
        env=env_of(target, key_file=source.audit_key_path),
    )

    assert made.exit_code == 0, made.output
    assert "key id" in made.output
    assert "keep a copy of it separately" in made.output
    assert restored.exit_code == 0, restored.output
    assert "OK: the log matches its chain and every checkpoint." in restored.output
    assert "2 checkpoints and 1 attached file checked" in restored.output
    assert "WARNING" not in restored.output
    stored = events_of(source)
    assert events_of(target) == stored
    assert manifest.events == len(stored)
    assert manifest.last_position == stored[-1][0]
    assert manifest.backend == ("postgresql" if source.database_url else "sqlite")
    assert manifest.audit_key_id == audited.key.key_id
    assert manifest.evidence_files == 1
    names = {path.name for path in destination.rglob("*")}
    assert not {"audit_signing_key.pem", "secret_key"} & names  # secrets stay out
    assert rows_of(target, read_metadata) == rows_of(source, read_metadata)
    assert rows_of(target, accounts_metadata, app=True) == rows_of(
        source, accounts_metadata, app=True
    )
    restored_file = stored_bytes(target, audited.evidence_sha256)
    assert restored_file is not None
    assert hashlib.sha256(restored_file).hexdigest() == audited.evidence_sha256
    # Read models rebuilt from the restored log are the same as the source's.
    keys_put_back(source, target)
    rebuilt = run("projections", "rebuild", env=env_of(target))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rows_of(target, read_metadata) == rows_of(source, read_metadata)


def test_a_backup_taken_while_commands_are_written_restores_and_verifies(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        # What a running server does: commands, then the read models catch up.
        try:
            while not stop.is_set():
                founded_consortium(audited.governance, Actor(COORDINATOR_ID))
                audited.stores.read_side.catch_up()
                written.append(1)
        except BaseException as error:  # reported by the test
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    destinations: list[Path] = []
    during: list[int] = []  # commands written while each backup ran
    try:
        for number in range(3):
            while len(written) < 2 * (number + 1) and not errors:
                stop.wait(0.01)
            destination = tmp_path / f"backup-{number}"
            before = len(written)
            # Another process, as an operator would run it beside the server.
            subprocess.run(
                [consortium_command(), "backup", str(destination)],
                env={**os.environ, **env_of(audited.settings)},
                check=True,
                capture_output=True,
                timeout=120,
            )
            during.append(len(written) - before)
            destinations.append(destination)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors
    last = events_of(audited.settings)[-1][0]
    manifests = [Manifest.from_json((d / MANIFEST).read_text()) for d in destinations]

    restored = run(
        "restore",
        str(destinations[-1]),
        env=env_of(target, key_file=audited.settings.audit_key_path),
    )

    assert restored.exit_code == 0, restored.output
    assert "OK" in restored.output
    positions = [m.last_position for m in manifests]
    assert all(during), during  # the writer kept writing while each backup ran
    assert positions == sorted(positions)
    assert positions[-1] <= last
    assert [row[0] for row in events_of(target)][-1] == manifests[-1].last_position
    assert len(events_of(target)) == manifests[-1].events


def test_a_corrupted_backup_is_refused_and_nothing_restored(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    name = "database.dump" if audited.settings.database_url else "events.db"
    damaged = destination / name
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0x40
    damaged.write_bytes(bytes(content))

    result = run("restore", str(destination), env=env_of(target))

    assert result.exit_code != 0
    assert f"{name} does not match its SHA-256 in the manifest" in result.output
    assert "nothing restored" in result.output
    assert not (target.data_dir / "evidence").exists()
    if not target.database_url:
        assert not (target.data_dir / "events.db").exists()


def test_a_backup_with_an_added_or_missing_file_is_refused(
    audited: Audited, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    listed = a_listed_file(destination)
    listed.rename(destination / ("0" * 64))
    empty = Settings(data_dir=tmp_path / "elsewhere", database_url=None, secret_key="k")

    result = run("restore", str(destination), env=env_of(empty))

    assert result.exit_code != 0
    name = listed.relative_to(destination).as_posix()
    assert f"{name} is missing" in result.output
    assert f"{'0' * 64} is not listed" in result.output


def test_restoring_over_a_store_that_is_not_empty_is_refused_unless_forced(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    env = env_of(target, key_file=audited.settings.audit_key_path)
    open_stores(target).close()  # a first start: tables, but nothing in them
    first = run("restore", str(destination), env=env)
    keys_put_back(audited.settings, target)
    stores = open_stores(target)
    try:  # the restored store lives on: a command, then its read models
        founded_consortium(stores.governance, Actor(COORDINATOR_ID))
        stores.read_side.catch_up()
    finally:
        stores.close()

    again = run("restore", str(destination), env=env)
    forced = run("restore", str(destination), "--force", env=env)

    assert first.exit_code == 0, first.output
    assert again.exit_code != 0
    assert "the target store is not empty" in again.output
    assert "--force" in again.output
    assert forced.exit_code == 0, forced.output
    assert "OK" in forced.output
    assert events_of(target) == events_of(audited.settings)
    assert rows_of(target, read_metadata) == rows_of(audited.settings, read_metadata)


def test_a_restored_store_goes_on_from_the_last_position(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    env = env_of(target, key_file=audited.settings.audit_key_path)
    assert run("restore", str(destination), env=env).exit_code == 0
    keys_put_back(audited.settings, target)
    last = events_of(target)[-1][0]

    stores = open_stores(target)
    try:
        founded_consortium(stores.governance, Actor(COORDINATOR_ID))
        stores.read_side.catch_up()
    finally:
        stores.close()
    verified = run("audit", "verify", env=env)

    assert events_of(target)[-1][0] > last
    assert verified.exit_code == 0, verified.output


def test_a_restore_without_the_audit_key_warns_to_put_it_back(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)

    result = run("restore", str(destination), env=env_of(target))

    assert result.exit_code == 0, result.output
    assert f"key id {audited.key.key_id}" in result.output
    assert "WARNING No audit signing key" in result.output


def test_a_restore_without_the_secrets_key_warns_when_second_factors_are_sealed(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    accounts = audited.stores.accounts
    person = accounts.create_account(
        "totp@test.example", "Two Steps", "pw-two-steps", now=datetime.now(UTC)
    )
    accounts.start_second_factor(person.account_id)
    destination = backed_up(audited, tmp_path)

    without = run("restore", str(destination), env=env_of(target))
    key = audited.settings.secrets_key_path
    target.secrets_key_path.parent.mkdir(parents=True, exist_ok=True)
    target.secrets_key_path.write_bytes(key.read_bytes())
    again = run("restore", "--force", str(destination), env=env_of(target))

    assert without.exit_code == 0, without.output
    assert "WARNING No secrets key" in without.output
    assert "holds 1 sealed two-step login secrets" in without.output
    assert again.exit_code == 0, again.output
    assert "No secrets key" not in again.output


def test_a_tampered_event_in_a_rehashed_backup_is_caught_by_verification(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """An insider edits the backup's event file and rewrites the manifest to match."""
    from tests.support.audit_store import an_audited_store

    source = Settings(data_dir=tmp_path / "data", secret_key="k")
    audited = an_audited_store(source, tmp_path)
    request.addfinalizer(audited.stores.close)
    destination = backed_up(audited, tmp_path)
    copy = Insider(Settings(data_dir=destination))
    copy.unseal()
    copy.flip_byte(audited.evidence_position - 3, 40)
    manifest = json.loads((destination / MANIFEST).read_text())
    for name, item in manifest["files"].items():
        item["sha256"] = sha256_of(destination / name)
        item["bytes"] = (destination / name).stat().st_size
    (destination / MANIFEST).write_text(json.dumps(manifest))
    target = Settings(data_dir=tmp_path / "target", secret_key="k")

    result = run(
        "restore",
        str(destination),
        "--checkpoint",
        str(audited.checkpoint_file),
        env=env_of(target, key_file=source.audit_key_path),
    )

    assert result.exit_code == 1, result.output
    assert (
        f"Position {audited.evidence_position - 3}: the stored event was altered."
        in result.output
    )
    assert "TAMPERED" in result.output


@pytest.mark.postgres
def test_a_sqlite_backup_is_not_restored_into_postgresql(
    tmp_path: Path, postgres_url: str, request: pytest.FixtureRequest
) -> None:
    from tests.support.audit_store import an_audited_store

    audited = an_audited_store(
        Settings(data_dir=tmp_path / "data", secret_key="k"), tmp_path
    )
    request.addfinalizer(audited.stores.close)
    destination = backed_up(audited, tmp_path)
    target = Settings(data_dir=tmp_path / "target", database_url=postgres_url)

    result = run("restore", str(destination), env=env_of(target))

    assert result.exit_code != 0
    assert "restoring across backends is not supported" in result.output


def test_backup_refuses_a_destination_in_use_and_a_missing_store(
    tmp_path: Path,
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "file").write_text("x")
    nowhere = Settings(data_dir=tmp_path / "nothing", secret_key="k")

    into_busy = run("backup", str(busy), env=env_of(nowhere))
    no_store = run("backup", str(tmp_path / "new"), env=env_of(nowhere))

    assert into_busy.exit_code != 0
    assert "exists and is not an empty directory" in into_busy.output
    assert no_store.exit_code != 0
    assert "no event store" in no_store.output
    assert not (tmp_path / "new").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new.")]


def test_a_missing_postgresql_tool_is_named_with_what_to_install() -> None:
    with pytest.raises(BackupError, match="install the PostgreSQL client programs"):
        find_tool("pg_no_such_tool")


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    result = run(
        "restore",
        str(tmp_path),
        env=env_of(Settings(data_dir=tmp_path / "t", secret_key="k")),
    )

    assert result.exit_code != 0
    assert "not a Consortium Ledger backup" in result.output


def env_without_secret(settings: Settings, key_file: Path) -> dict[str, str]:
    """As an operator runs it: no CONSORTIUM_SECRET_KEY (the server keeps one in the
    data directory, created on its first start)."""
    env = env_of(settings, key_file)
    del env["CONSORTIUM_SECRET_KEY"]
    return env


def tables_of(settings: Settings) -> set[str]:
    """The tables of the target database (none to look at on SQLite)."""
    if not settings.database_url:
        return set()
    engine = create_engine(sqlalchemy_url(settings.database_url))
    try:
        with engine.connect() as connection:
            return {
                str(name)
                for (name,) in connection.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            }
    finally:
        engine.dispose()


def test_a_refused_restore_creates_nothing(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    listed = a_listed_file(destination)
    listed.write_bytes(listed.read_bytes() + b"changed")
    env = env_without_secret(target, tmp_path / "no-key.pem")

    corrupted = run("restore", str(destination), env=env)
    not_a_backup = run("restore", str(tmp_path), env=env)

    assert corrupted.exit_code == not_a_backup.exit_code == 5
    assert "nothing restored" in corrupted.output
    assert "not a Consortium Ledger backup" in not_a_backup.output
    assert not target.data_dir.exists()  # no directory, no secret_key
    assert tables_of(target) == set()


def test_restore_is_refused_while_a_server_uses_the_store(
    audited: Audited, target: Settings, tmp_path: Path
) -> None:
    destination = backed_up(audited, tmp_path)
    env = env_of(target, key_file=audited.settings.audit_key_path)
    assert run("restore", str(destination), env=env).exit_code == 0
    keys_put_back(audited.settings, target)
    before = events_of(target)

    with consortium_serve(env):
        forced = run("restore", str(destination), "--force", env=env)
    after_stop = run("restore", str(destination), "--force", env=env)

    assert forced.exit_code == 5, forced.output
    assert "servers or workers are using this store" in forced.output
    assert "nothing restored" in forced.output
    assert "Restored" not in forced.output
    assert events_of(target) == before
    assert after_stop.exit_code == 0, after_stop.output
    assert "OK" in after_stop.output


@pytest.mark.postgres
def test_restore_is_refused_while_a_worker_uses_the_postgresql_store(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    from tests.support.audit_store import an_audited_store

    source = Settings(
        data_dir=tmp_path / "source",
        database_url=postgres_server.create_database(),
        secret_key="k",
    )
    audited = an_audited_store(source, tmp_path)
    audited.stores.close()
    destination = backed_up(audited, tmp_path)
    target = Settings(
        data_dir=tmp_path / "target",
        database_url=postgres_server.create_database(),
        secret_key="k",
    )
    env = env_of(target, key_file=source.audit_key_path)
    assert run("restore", str(destination), env=env).exit_code == 0
    keys_put_back(source, target)

    worker = subprocess.Popen(
        [consortium_command(), "worker"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # the lock is held before the worker says so
            if "worker.started" in line:
                break
        forced = run("restore", str(destination), "--force", env=env)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if worker.stderr is not None:
            worker.stderr.close()
    after_stop = run("restore", str(destination), "--force", env=env)

    assert forced.exit_code == 5, forced.output
    assert "servers or workers are using this store" in forced.output
    assert after_stop.exit_code == 0, after_stop.output
