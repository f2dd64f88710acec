"""One consortium's audit views and exports never show another's people or problems.

Two consortia share the platform's log and its checkpoints: A (the world's) and B
(the one the outsider founded), each with a financer of its own who countersigns the
same checkpoint.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import MemberRole
from notifications.checkpoints import load_or_create_key, seal_checkpoint
from projections.members import memberships_of_account
from tests.support.builders import scheduled_report
from tests.support.insider import Insider
from tests.support.pdf import pdf_streams
from tests.web.conftest import PASSWORD, World, event_count, login, post, stores_of
from web.ops.audit_requests import EVERY, AuditVerifications, Refused
from web.ops.audit_scope import run_requested, verify_consortium
from web.ops.demo.pdf import demo_pdf
from web.ops.jobs import make_jobs
from web.settings import Settings


@dataclass(frozen=True)
class Pair:
    """Consortium A (the world's) and B (the outsider's), a financer in each."""

    a: UUID
    b: UUID
    financer_a: str  # account id
    financer_b: str
    checkpoint_id: str
    evidence_sha256: str  # a file attached to one of A's events
    evidence_position: int


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
    lead = Actor(coordinator.account_id)
    evidence = stores.evidence.save(BytesIO(demo_pdf("activité")), "rapport.pdf")
    obligation = scheduled_report(stores.governance, lead, world.consortium_id)
    evidence_position = stores.governance.draft_report(
        lead, obligation, "Premier rapport", (evidence,)
    )
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
    return Pair(
        world.consortium_id,
        b,
        financer_a,
        financer_b,
        sealed.id,
        evidence.sha256,
        evidence_position,
    )


def pdf_text(pdf: bytes) -> bytes:
    """Every content stream of a PDF, inflated (fpdf2 compresses them)."""
    return b"\n".join([pdf, *pdf_streams(pdf)])


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


# -- verify now -------------------------------------------------------------------


def audit(consortium_id: UUID) -> str:
    return f"/consortia/{consortium_id}/audit"


def run_jobs(client: TestClient, settings: Settings) -> int:
    """What the scheduler's process does every few seconds."""
    return run_requested(
        AuditVerifications(stores_of(client).accounts.engine),
        settings.with_secret(),
        stores_of(client).clock.now,
    )


def verified(client: TestClient, settings: Settings, email: str, cid: UUID) -> str:
    """Press "Verify now" as this person, let the job run, and read the page."""
    login(client, email)
    pressed = post(client, f"{audit(cid)}/verify")
    assert pressed.status_code == 303, pressed.text
    run_jobs(client, settings)
    return client.get(audit(cid)).text


def test_verify_now_answers_at_once_and_the_result_appears_after_the_job(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    login(client, "ariane@test.example")
    before = event_count(client)

    pressed = post(client, f"{audit(pair.a)}/verify", htmx=True)
    polled = client.get(
        audit(pair.a), headers={"HX-Request": "true", "HX-Target": "verification"}
    )
    reloaded = client.get(audit(pair.a))  # without JavaScript
    ran = run_jobs(client, settings)
    after = client.get(
        audit(pair.a), headers={"HX-Request": "true", "HX-Target": "verification"}
    )
    page = client.get(audit(pair.a))

    assert pressed.status_code == 200
    assert "Verification requested by Ariane Fundwell" in pressed.text
    assert "<h1>" not in pressed.text  # the panel only
    assert 'hx-trigger="every 5s"' in pressed.text  # it polls while under way
    assert "record is intact" not in polled.text  # nothing ran inside the request
    assert "under way" in polled.text
    assert "under way" in reloaded.text
    assert "Refresh to see the result" in reloaded.text
    assert "Verify now</button>" not in reloaded.text  # one at a time
    assert ran == 1
    assert "This consortium's record is intact" in after.text
    assert 'hx-trigger="every 5s"' not in after.text  # polling stops
    assert "as requested by Ariane Fundwell" in page.text
    assert event_count(client) == before  # verifying records nothing in the log


def test_a_missing_file_of_a_is_shown_to_a_and_never_to_b(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    store = stores_of(client).evidence
    assert store.exists(pair.evidence_sha256)
    removed = store.discard(pair.evidence_sha256, modified_before=float("inf"))
    assert removed is not None
    sentence = f"Position {pair.evidence_position}: the attached file"

    page_b = verified(client, settings, "outsider@test.example", pair.b)
    page_a = verified(client, settings, "ariane@test.example", pair.a)

    assert sentence in page_a
    assert pair.evidence_sha256 in page_a
    assert sentence not in page_b
    assert pair.evidence_sha256 not in page_b
    assert "record is intact" in page_b
    assert "outside this consortium" not in page_b  # B reads no file of A's


def test_an_altered_event_of_a_is_shown_to_a_and_b_learns_nothing(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    insider = Insider(settings.with_secret())
    insider.unseal()
    insider.flip_byte(pair.evidence_position, 10)

    page_b = verified(client, settings, "outsider@test.example", pair.b)
    page_a = verified(client, settings, "coordinator@test.example", pair.a)

    altered = f"Position {pair.evidence_position}: the stored event was altered."
    assert altered in page_a
    assert altered not in page_b
    assert "record is intact" in page_b


def test_a_removed_event_of_a_gives_b_one_sentence_naming_nothing(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    insider = Insider(settings.with_secret())
    insider.unseal()
    insider.delete(pair.evidence_position)

    page_b = verified(client, settings, "outsider@test.example", pair.b)
    page_a = verified(client, settings, "coordinator@test.example", pair.a)

    removed = f"Position {pair.evidence_position}: the event chained here was removed."
    assert removed in page_a
    assert removed not in page_b
    assert f"Position {pair.evidence_position}" not in page_b
    assert "fails verification at a position outside this consortium" in page_b
    assert "outside this consortium" not in page_a


def test_a_second_press_is_refused_with_when_the_next_is_possible(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    login(client, "outsider@test.example")

    first = post(client, f"{audit(pair.b)}/verify", htmx=True)
    while_pending = post(client, f"{audit(pair.b)}/verify", htmx=True)
    run_jobs(client, settings)
    too_soon = post(client, f"{audit(pair.b)}/verify")
    other_consortium = verified(client, settings, "coordinator@test.example", pair.a)

    assert first.status_code == 200
    assert while_pending.status_code == 429
    assert "already under way" in while_pending.text
    assert too_soon.status_code == 429
    assert "the next one is possible at" in too_soon.text
    assert "<h1>" in too_soon.text  # a whole page without JavaScript
    assert "record is intact" in other_consortium  # the limit is per consortium
    with stores_of(client).accounts.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT consortium_id FROM audit_verifications"
        ).all()
    assert sorted(r[0] for r in rows) == sorted([str(pair.a), str(pair.b)])


def test_an_outsider_cannot_ask_for_another_consortium_s_verification(
    client: TestClient, pair: Pair
) -> None:
    login(client, "outsider@test.example")  # B's coordinator, a stranger to A

    pressed = post(client, f"{audit(pair.a)}/verify")

    assert pressed.status_code == 404
    pending, last = AuditVerifications(stores_of(client).accounts.engine).latest(
        str(pair.a)
    )
    assert pending is None
    assert last is None


def test_the_limit_reopens_after_its_period_and_one_of_many_presses_wins(
    client: TestClient, pair: Pair
) -> None:
    requests = AuditVerifications(stores_of(client).accounts.engine)
    now = stores_of(client).clock.now()
    cid = str(pair.b)

    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda _: requests.request(cid, pair.financer_b, now=now), range(8)
            )
        )
    accepted = [a for a in answers if not isinstance(a, Refused)]
    requests.finish(accepted[0].request_id, None, now=now, holder=None)
    early = requests.request(cid, pair.financer_b, now=now + EVERY / 2)
    later = requests.request(cid, pair.financer_b, now=now + EVERY)

    assert len(accepted) == 1
    assert isinstance(early, Refused)
    assert early.next_at == now + EVERY
    assert not isinstance(later, Refused)


def test_an_abandoned_claim_is_taken_over_then_given_up(
    client: TestClient, pair: Pair
) -> None:
    requests = AuditVerifications(stores_of(client).accounts.engine)
    now = stores_of(client).clock.now()
    asked = requests.request(str(pair.a), pair.financer_a, now=now)
    assert not isinstance(asked, Refused)

    first = requests.claim("host-1", now=now)
    nobody = requests.claim("host-2", now=now + timedelta(minutes=1))
    second = requests.claim("host-2", now=now + timedelta(minutes=16))
    requests.finish(asked.request_id, "{}", now=now, holder="host-1")  # too late
    third = requests.claim("host-3", now=now + timedelta(minutes=32))
    given_up = requests.claim("host-4", now=now + timedelta(minutes=48))
    pending, last = requests.latest(str(pair.a))

    assert first is not None
    assert nobody is None
    assert second is not None
    assert third is not None
    assert given_up is None  # three claims died: failed, not retried forever
    assert pending is None
    assert last is not None
    assert last.state == "failed"


def test_the_scheduler_process_runs_the_requests(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    login(client, "outsider@test.example")
    post(client, f"{audit(pair.b)}/verify")
    jobs = make_jobs(stores_of(client), settings.with_secret())
    pollers = {name: (job, every) for name, job, every in jobs.pollers}
    job, every = pollers["audit_verifications"]

    job()

    assert every <= 10
    assert "record is intact" in client.get(audit(pair.b)).text


def test_the_scoped_verification_reads_only_its_own_records(
    client: TestClient, pair: Pair, settings: Settings
) -> None:
    report_a = verify_consortium(settings.with_secret(), str(pair.a))
    report_b = verify_consortium(settings.with_secret(), str(pair.b))
    total = event_count(client)

    assert report_a.ok
    assert report_b.ok
    assert report_a.links == report_b.links == total  # the whole chain, for both
    assert report_a.events + report_b.events < total
    assert report_a.evidence_files == 1
    assert report_b.evidence_files == 0
    assert report_a.checkpoints == report_b.checkpoints == 1
