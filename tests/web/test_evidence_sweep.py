"""The evidence sweep: only files no event refers to go, and only once they are old.

A refused command keeps its upload (the same bytes may be another record's file);
the sweep, run by the scheduler's tick and by ``consortium evidence sweep``, reads
the whole log and removes the unreferenced files last saved before the grace period.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.support.files import age as age_file
from tests.support.files import everything_in, folder_of
from tests.web.conftest import World, login, stores_of
from tests.web.test_evidence_kept import (
    DELIVERY,
    TOO_EARLY,
    a_body,
    drafted_attachment,
    evidence_url,
    pledged,
    recorded_minutes,
    secret_pdf,
    tabled_document,
    upload,
)
from web.cli import Exit, main
from web.evidence.store import EvidenceStore
from web.ops.audit_verify import verify_store
from web.ops.evidence_sweep import DEFAULT_GRACE, parse_grace, sweep_evidence
from web.ops.jobs import make_jobs
from web.ops.storage import open_stores
from web.settings import Settings

PAST_GRACE = DEFAULT_GRACE + timedelta(hours=1)
MB = 1024 * 1024


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored(client: TestClient) -> set[str]:
    """The stored files and the store's folder (temporaries included)."""
    return everything_in(stores_of(client).evidence)


def age(client: TestClient, content: bytes, days: int) -> None:
    """Make a stored file look last saved ``days`` ago."""
    age_file(stores_of(client).evidence, sha(content), days)


def refused_uploads(client: TestClient, world: World) -> list[bytes]:
    """A refused proposal, minutes, report draft and delivery, each with a file."""
    cid = world.consortium_id
    big = [secret_pdf(kind) + b"0" * MB for kind in ("doc", "minutes", "report")]
    delivery = secret_pdf("delivery")
    a_body(client, world)  # logs the coordinator in
    proposal = upload(
        client,
        f"/consortia/{cid}/proposals",
        {
            "body_id": str(uuid.uuid4()),
            "title": "T",
            "mode": "meeting",
            "meeting_on": "2026-03-01",
        },
        "document",
        "doc.pdf",
        big[0],
    )
    minutes = upload(
        client,
        f"/consortia/{cid}/decisions",
        {
            "body_id": str(uuid.uuid4()),
            "title": "T",
            "outcome": "adopted",
            "decided_on": "2026-04-01",
            f"present-{world.lead_id}": "on",
        },
        "minutes",
        "minutes.pdf",
        big[1],
    )
    url = pledged(client, cid, world.lead_id)
    too_early = upload(
        client, url + "/deliver", TOO_EARLY, "evidence", "d.pdf", delivery
    )
    login(client, world.emails["pilot"])
    report = upload(
        client,
        f"/consortia/{cid}/reports/{uuid.uuid4()}/draft",
        {"text": "T"},
        "attachment",
        "r.pdf",
        big[2],
    )
    assert [proposal.status_code, minutes.status_code, report.status_code] == [404] * 3
    assert too_early.status_code == 422
    return [*big, delivery]


def test_refused_uploads_leave_no_file_after_a_sweep_past_the_grace_period(
    client: TestClient, world: World, settings: Settings
) -> None:
    kept = secret_pdf("accepted")
    login(client, world.emails["coordinator"])
    accepted = upload(
        client,
        pledged(client, world.consortium_id, world.lead_id) + "/deliver",
        DELIVERY,
        "evidence",
        "kept.pdf",
        kept,
    )
    assert accepted.status_code == 303
    refused = refused_uploads(client, world)
    assert {sha(content) for content in refused} <= stored(client)

    report = sweep_evidence(
        settings, stores_of(client).evidence, now=datetime.now(UTC) + PAST_GRACE
    )

    assert stored(client) == {sha(kept)}
    assert sorted(item.name for item in report.removed) == sorted(map(sha, refused))
    assert report.removed_bytes == sum(map(len, refused)) > 3 * MB
    assert report.referenced == 1
    login(client, world.emails["coordinator"])
    assert client.get(evidence_url(world.consortium_id, kept)).content == kept
    assert verify_store(settings.with_secret()).ok


def test_a_young_unreferenced_file_is_kept(
    client: TestClient, world: World, settings: Settings
) -> None:
    refused = refused_uploads(client, world)

    report = sweep_evidence(settings, stores_of(client).evidence)

    assert report.removed == []
    assert report.kept_young == len(refused)
    assert {sha(content) for content in refused} <= stored(client)


def test_a_referenced_file_older_than_the_grace_period_is_never_swept(
    client: TestClient, world: World, settings: Settings
) -> None:
    files = {kind: secret_pdf(kind) for kind in ("minutes", "doc", "report", "proof")}
    recorded_minutes(client, world, files["minutes"])
    tabled_document(client, world, files["doc"])
    drafted_attachment(client, world, files["report"])
    login(client, world.emails["coordinator"])
    url = pledged(client, world.consortium_id, world.lead_id)
    upload(client, url + "/deliver", DELIVERY, "evidence", "p.pdf", files["proof"])
    for content in files.values():
        age(client, content, days=400)

    report = sweep_evidence(
        settings, stores_of(client).evidence, now=datetime.now(UTC) + PAST_GRACE
    )

    assert report.removed == []
    assert report.referenced == len(files)
    for content in files.values():
        download = client.get(evidence_url(world.consortium_id, content))
        assert download.content == content
    assert verify_store(settings.with_secret()).ok


def test_the_same_bytes_saved_again_are_young_again_and_kept(
    client: TestClient, world: World, settings: Settings
) -> None:
    """A command in flight with the bytes of an old orphan: the sweep keeps them."""
    content = secret_pdf("orphan")
    login(client, world.emails["coordinator"])
    url = pledged(client, world.consortium_id, world.lead_id)
    upload(client, url + "/deliver", TOO_EARLY, "evidence", "o.pdf", content)
    age(client, content, days=3)
    store = stores_of(client).evidence

    store.save([content], "again.pdf")  # the upload of a command not yet recorded
    report = sweep_evidence(settings, store)

    assert report.removed == []
    assert sha(content) in stored(client)


def test_a_file_swept_and_then_uploaded_again_is_stored_again(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    content = secret_pdf("twice")
    store.save([content], "a.pdf")
    future = (datetime.now(UTC) + timedelta(hours=1)).timestamp()
    assert store.discard(sha(content), modified_before=future) is not None
    assert store.path_of(sha(content)) is None

    evidence = store.save([content], "a.pdf")

    assert store.verify(evidence)
    assert [path.name for path in store.directory.iterdir()] == [sha(content)]


def test_a_stale_upload_temporary_is_swept_and_a_fresh_one_kept(
    client: TestClient, world: World, settings: Settings
) -> None:
    directory = folder_of(stores_of(client).evidence)
    directory.mkdir(parents=True, exist_ok=True)
    stale, fresh = directory / ".upload-old.part", directory / ".upload-new.part"
    stale.write_bytes(b"killed mid-upload")
    fresh.write_bytes(b"uploading")
    then = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    os.utime(stale, (then, then))
    (directory / "not-evidence").write_bytes(b"left alone")
    os.utime(directory / "not-evidence", (then, then))

    sweep_evidence(settings, stores_of(client).evidence)

    assert stored(client) == {".upload-new.part", "not-evidence"}


def test_the_schedulers_tick_sweeps_at_most_once_an_hour(
    client: TestClient, world: World, settings: Settings
) -> None:
    refused = refused_uploads(client, world)
    jobs = make_jobs(stores_of(client), settings.with_secret())
    later = datetime.now(UTC) + PAST_GRACE
    try:
        jobs.now = lambda: later
        assert jobs.tick()
        swept = stored(client)
        run = stores_of(client).health.last("tick")
        (orphan,) = refused_uploads(client, world)[-1:]
        # Past the new orphan's grace period too, but within the hour: not swept yet.
        jobs.now = lambda: later + timedelta(minutes=59)
        jobs.tick()
        within_the_hour = stored(client)
        jobs.now = lambda: later + timedelta(hours=1)
        jobs.tick()
    finally:
        jobs.stop()  # gives the lead (and its connection) up

    assert not {sha(content) for content in refused} & swept
    assert run is not None
    assert run.ok
    assert f"evidence_swept={len(refused)}" in run.summary
    assert sha(orphan) in within_the_hour
    assert sha(orphan) not in stored(client)


def cli_env(settings: Settings) -> dict[str, str]:
    env = {"CONSORTIUM_DATA_DIR": str(settings.data_dir), "CONSORTIUM_SECRET_KEY": "k"}
    if settings.database_url:
        env["CONSORTIUM_DATABASE_URL"] = settings.database_url
    return env


def test_consortium_evidence_sweep_removes_orphans_past_its_grace(
    client: TestClient, world: World, settings: Settings
) -> None:
    refused = refused_uploads(client, world)
    runner = CliRunner()

    kept = runner.invoke(main, ["evidence", "sweep"], env=cli_env(settings))
    swept = runner.invoke(
        main, ["evidence", "sweep", "--grace", "0"], env=cli_env(settings)
    )
    wrong = runner.invoke(
        main, ["evidence", "sweep", "--grace", "soon"], env=cli_env(settings)
    )

    assert kept.exit_code == 0, kept.output
    assert "0 unreferenced files removed" in kept.output
    assert swept.exit_code == 0, swept.output
    for content in refused:
        assert f"removed {sha(content)}" in swept.output
    assert not {sha(content) for content in refused} & stored(client)
    assert wrong.exit_code == 2
    assert "90s, 30m, 24h or 2d" in wrong.output


def test_the_sweep_removes_nothing_next_to_an_empty_log(tmp_path: Path) -> None:
    """Pointed at the wrong (empty) database, the sweep must not empty the files."""
    settings = Settings(data_dir=tmp_path, secret_key="k")
    open_stores(settings).close()
    store = EvidenceStore(tmp_path / "evidence")
    content = secret_pdf("orphan")
    store.save([content], "o.pdf")

    result = CliRunner().invoke(
        main, ["evidence", "sweep", "--grace", "0"], env=cli_env(settings)
    )

    assert result.exit_code == Exit.REFUSED
    assert "the event log is empty" in result.output
    assert store.path_of(sha(content)) is not None


@pytest.mark.parametrize(
    ("text", "grace"),
    [
        ("0", timedelta(0)),
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("1.5", timedelta(hours=1.5)),
        ("2d", timedelta(days=2)),
    ],
)
def test_a_grace_period_is_written_with_its_unit(text: str, grace: timedelta) -> None:
    assert parse_grace(text) == grace


@pytest.mark.parametrize(
    "text", ["", "-1h", "soon", "1w", "1e9h", "24 hours", "99999999999d", "nan"]
)
def test_a_grace_period_in_another_form_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a grace period"):
        parse_grace(text)
