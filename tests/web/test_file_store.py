"""The file store on both implementations: a folder, and the database (SQLite's
``app.db`` and a real PostgreSQL). Same answers, files streamed in chunks, nothing
left behind by a refused upload; the database's files seen from every host."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from tests.support.files import everything_in
from tests.web.test_evidence_kept import secret_pdf
from web.cli import Exit, main
from web.evidence.database import (
    CHUNK_BYTES,
    DatabaseFileStore,
    metadata,
    stored_file_chunks,
)
from web.evidence.filestore import FileStore, open_file_store
from web.evidence.sniff import EvidenceRejected
from web.evidence.store import EvidenceStore
from web.ops.files import files_engine
from web.ops.storage import open_stores
from web.settings import Settings, SettingsError

MIB = 1024 * 1024


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture(
    params=["folder", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStore]:
    """Each implementation, on a store of its own."""
    if request.param == "folder":
        yield EvidenceStore(tmp_path / "evidence")
        return
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    settings = Settings(data_dir=tmp_path, database_url=url, file_store="database")
    engine = files_engine(settings)
    metadata.create_all(engine)
    files = open_file_store(settings, engine, owns_engine=True)
    yield files
    files.close()


def big_pdf(size: int) -> Iterator[bytes]:
    """A PDF of ``size`` bytes, produced a chunk at a time (never whole)."""
    head = secret_pdf("big")
    yield head
    sent = len(head)
    while sent < size:
        block = min(256 * 1024, size - sent)
        yield b"0" * block
        sent += block


def test_a_saved_file_reads_back_whole_and_verifies(store: FileStore) -> None:
    content = secret_pdf("proof")

    evidence = store.save(io.BytesIO(content), "proof.pdf")
    opened = store.opened(evidence.sha256)

    assert evidence.sha256 == sha(content)
    assert evidence.media_type == "application/pdf"
    assert opened is not None
    assert opened.size == len(content)
    assert b"".join(opened.chunks) == content
    assert store.exists(evidence.sha256)
    assert store.verify(evidence)
    assert store.opened("0" * 64) is None
    assert not store.exists("../../etc/passwd")


def test_the_same_bytes_saved_twice_are_stored_once(store: FileStore) -> None:
    content = secret_pdf("twice")

    store.save([content], "a.pdf")
    store.save([content], "b.pdf")

    assert store.stored_names() == [sha(content)]


def test_a_refused_upload_leaves_nothing_behind(store: FileStore) -> None:
    with pytest.raises(EvidenceRejected):
        store.save([b"<html><script>alert(1)</script></html>"], "x.pdf")
    with pytest.raises(EvidenceRejected) as too_large:
        store.save(big_pdf(11 * MIB), "huge.pdf")

    assert too_large.value.code == "evidence.too_large"
    assert everything_in(store) == set()


def test_a_large_file_is_stored_and_read_without_holding_it_in_memory(
    store: FileStore,
) -> None:
    size = 9 * MIB + 123
    tracemalloc.start()
    try:
        evidence = store.save(big_pdf(size), "large.pdf")
        saved_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        opened = store.opened(evidence.sha256)
        assert opened is not None
        digest, largest = hashlib.sha256(), 0
        for chunk in opened.chunks:
            digest.update(chunk)
            largest = max(largest, len(chunk))
        read_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert evidence.size == size
    assert digest.hexdigest() == evidence.sha256
    assert largest <= CHUNK_BYTES
    assert saved_peak < 4 * MIB, saved_peak
    assert read_peak < 4 * MIB, read_peak


def test_the_sweep_discards_an_old_file_keeps_a_young_one_and_a_save_stores_it_again(
    store: FileStore,
) -> None:
    content = secret_pdf("swept")
    evidence = store.save([content], "s.pdf")
    past = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    future = (datetime.now(UTC) + timedelta(hours=1)).timestamp()

    assert store.discard(evidence.sha256, modified_before=past) is None
    discarded = store.discard(evidence.sha256, modified_before=future)
    assert discarded is not None
    assert discarded.size == len(content)
    assert not store.exists(evidence.sha256)

    store.save([content], "s.pdf")
    assert store.verify(evidence)


def chunk_rows(engine: Engine, sha256: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(stored_file_chunks.c.sha256 == sha256)
            ).scalar_one()
        )


@pytest.mark.postgres
def test_a_file_saved_through_one_host_is_read_through_another(
    tmp_path: Path, postgres_url: str
) -> None:
    hosts = [
        Settings(data_dir=tmp_path / name, database_url=postgres_url)
        for name in ("one", "two")
    ]
    engines = [files_engine(settings) for settings in hosts]
    metadata.create_all(engines[0])
    one, two = (open_file_store(s, e) for s, e in zip(hosts, engines, strict=True))
    content = secret_pdf("shared") + b"1" * (2 * CHUNK_BYTES)
    try:
        evidence = one.save([content], "shared.pdf")
        opened = two.opened(evidence.sha256)

        assert opened is not None
        assert b"".join(opened.chunks) == content
        assert two.verify(evidence)
        assert chunk_rows(engines[1], evidence.sha256) == 3
        assert not (tmp_path / "two" / "evidence").exists()
    finally:
        for engine in engines:
            engine.dispose()


def test_the_settings_choose_the_database_on_postgresql_and_the_folder_on_sqlite(
    tmp_path: Path,
) -> None:
    base = {"CONSORTIUM_DATA_DIR": str(tmp_path)}
    url = {"CONSORTIUM_DATABASE_URL": "postgresql://u@h/db"}

    assert not Settings.from_env(base).files_in_database
    assert Settings.from_env({**base, **url}).files_in_database
    assert not Settings.from_env(
        {**base, **url, "CONSORTIUM_FILE_STORE": "local"}
    ).files_in_database
    assert Settings.from_env(
        {**base, "CONSORTIUM_FILE_STORE": "database"}
    ).files_in_database
    with pytest.raises(SettingsError, match="CONSORTIUM_FILE_STORE must be one of"):
        Settings.from_env({**base, "CONSORTIUM_FILE_STORE": "s3"})


def a_folder_of_files(folder: Path) -> tuple[bytes, bytes]:
    """Files kept in a data directory before they moved to the database, one of
    them altered since (its content no longer its name)."""
    folder.mkdir(parents=True)
    kept, altered = secret_pdf("kept"), secret_pdf("altered")
    (folder / sha(kept)).write_bytes(kept)
    (folder / sha(altered)).write_bytes(altered + b"tampered")
    return kept, altered


@pytest.mark.postgres
def test_files_migrate_copies_a_data_directory_s_files_into_the_database(
    tmp_path: Path, postgres_url: str
) -> None:
    kept, altered = a_folder_of_files(tmp_path / "evidence")
    env = {
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_DATABASE_URL": postgres_url,
    }

    first = CliRunner().invoke(main, ["files", "migrate"], env=env)
    again = CliRunner().invoke(main, ["files", "migrate"], env=env)

    assert first.exit_code == Exit.DOES_NOT_VERIFY, first.output
    assert "1 files copied" in first.output
    assert f"left out {sha(altered)}" in first.output
    assert "0 files copied" in again.output
    assert "1 already there" in again.output
    settings = Settings.from_env(env)
    engine = files_engine(settings)
    try:
        store = open_file_store(settings, engine)
        assert store.stored_names() == [sha(kept)]
    finally:
        engine.dispose()
    assert (tmp_path / "evidence" / sha(kept)).exists()  # the folder is left alone


@pytest.mark.postgres
def test_a_start_on_postgresql_copies_the_data_directory_s_files_in(
    tmp_path: Path, postgres_url: str
) -> None:
    kept, _ = a_folder_of_files(tmp_path / "evidence")
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, secret_key="k")

    stores = open_stores(settings)
    try:
        assert isinstance(stores.evidence, DatabaseFileStore)
        assert stores.evidence.stored_names() == [sha(kept)]
    finally:
        stores.close()


def test_files_migrate_is_refused_when_files_stay_in_the_data_directory(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        main, ["files", "migrate"], env={"CONSORTIUM_DATA_DIR": str(tmp_path)}
    )

    assert result.exit_code == Exit.REFUSED
    assert "nothing to migrate" in result.output


def test_sizes_answers_from_the_index_for_the_stored_files_only(
    store: FileStore,
) -> None:
    one = store.save(io.BytesIO(secret_pdf("one")), "one.pdf")
    two = store.save(io.BytesIO(secret_pdf("two, longer")), "two.pdf")

    sizes = store.sizes([one.sha256, two.sha256, "0" * 64, "../../etc/passwd"])

    assert sizes == {one.sha256: one.size, two.sha256: two.size}
    assert store.sizes([]) == {}
