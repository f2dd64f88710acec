"""A page view reads no stored file: what it says about a file comes from the
event, the file store's index and the last audit, whatever the files weigh.

Reads are observed on the real stores, not mocked: on disk, every ``open`` of a
path in the evidence folder (Python's audit hook); in the database, every
statement that touches ``stored_file_chunks`` (SQLAlchemy's cursor event).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

from tests.support.files import overwrite, remove
from tests.web.conftest import World, login, post, stores_of
from tests.web.test_audit_pages import run_verifications
from tests.web.test_ledger_pages import PDF, ledger_url, pledged, upload
from web.evidence.database import DatabaseFileStore
from web.evidence.filestore import FileStore
from web.evidence.store import EvidenceStore
from web.settings import Settings

_watched: list[tuple[Path, list[str]]] = []


def _on_audit(name: str, args: tuple[Any, ...]) -> None:
    if name != "open" or not _watched or not isinstance(args[0], str | Path):
        return
    opened = Path(args[0])
    for folder, seen in _watched:
        if opened.parent == folder:
            seen.append(opened.name)


sys.addaudithook(_on_audit)  # a hook stays for the process: it only looks when asked


@contextlib.contextmanager
def content_reads(store: FileStore) -> Iterator[list[str]]:
    """What reads a stored file's bytes while the block runs, on the real store."""
    seen: list[str] = []
    if isinstance(store, EvidenceStore):
        watch = (store.directory, seen)
        _watched.append(watch)
        try:
            yield seen
        finally:
            _watched.remove(watch)
        return
    assert isinstance(store, DatabaseFileStore)

    def on_statement(*args: Any) -> None:
        statement = str(args[2])
        if "stored_file_chunks" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", on_statement)


def pdf(number: int) -> bytes:
    """A distinct small PDF (each delivery its own file)."""
    return PDF.replace(b"%%EOF", b"% " + str(number).encode() + b"\n%%EOF")


def delivered_with_files(client: TestClient, world: World, count: int) -> str:
    """A commitment with ``count`` deliveries, each with its own file; its page."""
    login(client, world.emails["coordinator"])
    url = pledged(client, world, amount="100000")
    for number in range(count):
        response = upload(
            client,
            url + "/deliver",
            {"delivered_on": "2026-02-01", "amount": "10", "description": "Proof"},
            f"proof-{number}.pdf",
            pdf(number),
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
    return url


def test_the_ledger_and_commitment_pages_read_no_evidence_file(
    client: TestClient, world: World
) -> None:
    url = delivered_with_files(client, world, 3)
    store = stores_of(client).evidence
    first = store.stored_names()[0]

    with content_reads(store) as reads:
        commitment = client.get(url)
        ledger = client.get(ledger_url(world))
        audit = client.get(f"/consortia/{world.consortium_id}/audit")
    with content_reads(store) as download_reads:
        download = client.get(f"/consortia/{world.consortium_id}/evidence/{first}")

    assert reads == []
    assert commitment.status_code == ledger.status_code == audit.status_code == 200
    assert commitment.text.count("file stored") == 3
    # The observer sees a real read: a download reads the file.
    assert download.status_code == 200
    assert download_reads


def test_a_missing_evidence_file_is_still_shown_as_missing(
    client: TestClient, world: World
) -> None:
    url = delivered_with_files(client, world, 2)
    store = stores_of(client).evidence
    lost = store.stored_names()[0]

    remove(store, lost)
    page = client.get(url).text

    assert page.count("file altered or missing since it was recorded") == 1
    assert page.count("file stored") == 1


def test_an_evidence_file_of_another_size_is_shown_at_once(
    client: TestClient, world: World
) -> None:
    url = delivered_with_files(client, world, 1)
    store = stores_of(client).evidence
    [stored] = store.stored_names()

    if isinstance(store, EvidenceStore):
        overwrite(store, stored, pdf(0) + b"% appended\n")
    else:  # the index row records the size: a grown file is a new row's size
        remove(store, stored)
    page = client.get(url).text

    assert "file altered or missing since it was recorded" in page
    assert "file stored" not in page


def test_a_file_altered_in_place_is_flagged_once_the_audit_found_it(
    client: TestClient, world: World, settings: Settings
) -> None:
    url = delivered_with_files(client, world, 1)
    store = stores_of(client).evidence
    [stored] = store.stored_names()
    overwrite(store, stored, pdf(0).replace(b"Catalog", b"Katalog"))
    before = client.get(url).text  # the page does not hash: it cannot know yet

    post(client, f"/consortia/{world.consortium_id}/audit/verify", {})
    run_verifications(client, settings)
    after = client.get(url).text

    assert "file stored" in before
    assert "the last audit found this file altered or missing" in after
    assert "file stored" not in after
