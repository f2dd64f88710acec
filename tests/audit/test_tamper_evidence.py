"""Every way an insider can tamper with the stored log is detected and located.

Each test drops the append-only triggers (as someone with the database password
could), changes the stored events, and runs the verifier: the report names the kind
of change and its position, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

from notifications.checkpoints import checkpoint_message, load_or_create_key
from projections.audit_chain import (
    CHECKPOINT_TOPICS,
    chain_link,
    merkle_leaf,
    record_hash,
)
from projections.merkle import MerkleAccumulator
from tests.support.audit_store import Audited
from tests.support.files import overwrite, remove
from web.evidence.store import EvidenceStore
from web.ops.audit_findings import Report, describe
from web.ops.raw_log import canonical_originator_id


def located(report: Report) -> set[tuple[str, int | None]]:
    """``(kind, position)`` of every finding."""
    return {(f.kind, f.position) for f in report.findings}


def kinds(report: Report) -> set[str]:
    return {f.kind for f in report.findings}


def last_position(audited: Audited) -> int:
    return audited.insider.positions()[-1]


def blame_someone_else(audited: Audited, position: int) -> None:
    """Rewrite who did an event, keeping the record valid JSON (it still loads)."""
    state = json.loads(audited.insider.state(position))
    state["actor_id"] = "acc-scapegoat"
    audited.insider.set_state(position, json.dumps(state).encode())


def forge_log_checkpoints(audited: Audited) -> None:
    """Re-seal every checkpoint in the log over the tampered events, with the key.

    An insider holding the platform key can do this: only a checkpoint kept outside
    the platform (a financer's file) still tells the truth.
    """
    insider = audited.insider
    for sealed_at, state in insider.checkpoint_records(CHECKPOINT_TOPICS[0]):
        accumulator = MerkleAccumulator()
        head = bytes(32)
        rows = insider.run(
            "SELECT {pos}, originator_id, originator_version, topic, state FROM {t} "
            "WHERE {pos} <= ? ORDER BY {pos}",
            state["position"],
        )
        for position, originator_id, version, topic, stored in rows:
            hashed = record_hash(
                canonical_originator_id(str(originator_id)),
                int(version),
                topic,
                bytes(stored),
            )
            head = chain_link(head, int(position), hashed)
            accumulator.add(merkle_leaf(int(position), hashed))
        state["root"] = accumulator.root().hex()
        state["chain_head"] = head.hex()
        state["tree_size"] = accumulator.size
        message = checkpoint_message(
            state["position"], state["tree_size"], state["root"], state["chain_head"]
        )
        state["signature"] = audited.key.sign(message).hex()
        insider.set_state(sealed_at, json.dumps(state).encode())


def test_a_clean_store_verifies(audited: Audited) -> None:
    report = audited.verify(audited.checkpoint_file)

    assert report.ok, [describe(f) for f in report.findings]
    assert report.events == report.chained == last_position(audited)
    assert report.unchained == 0
    assert report.checkpoints == 2  # the one in the log and the financer's file
    assert report.evidence_files == 1
    assert report.events_per_second > 0


def test_a_byte_changed_in_a_stored_event_is_located(audited: Audited) -> None:
    audited.insider.unseal()
    audited.insider.flip_byte(5, 40)

    report = audited.verify(audited.checkpoint_file)

    assert located(report) == {
        ("altered", 5),
        ("checkpoint_mismatch", audited.checkpoint_position),
    }
    assert not report.ok
    assert "Position 5: the stored event was altered." in {
        describe(f) for f in report.findings
    }


def test_a_changed_version_or_topic_is_located(audited: Audited) -> None:
    audited.insider.unseal()
    audited.insider.run("UPDATE {t} SET originator_version = 99 WHERE {pos} = 3")
    audited.insider.run("UPDATE {t} SET topic = topic || ' ' WHERE {pos} = 8")

    report = audited.verify()

    assert {("altered", 3), ("altered", 8)} <= located(report)


def test_a_deleted_event_is_located(audited: Audited) -> None:
    audited.insider.unseal()
    audited.insider.delete(7)

    report = audited.verify()

    assert located(report) == {
        ("removed", 7),
        ("checkpoint_mismatch", audited.checkpoint_position),
    }


def test_an_inserted_event_is_located_and_the_shift_after_it_named(
    audited: Audited,
) -> None:
    last = last_position(audited)
    audited.insider.unseal()
    audited.insider.insert_at(6)

    report = audited.verify()

    assert located(report) == {
        ("inserted", 6),
        ("moved", 7),
        ("checkpoint_mismatch", audited.checkpoint_position),
    }
    moved = next(f for f in report.findings if f.kind == "moved")
    assert moved.params == {"last": last + 1, "from_first": 6, "from_last": last}


def test_two_swapped_events_are_located(audited: Audited) -> None:
    audited.insider.unseal()
    audited.insider.swap(4, 9)

    report = audited.verify()

    assert located(report) == {
        ("moved", 4),
        ("moved", 9),
        ("checkpoint_mismatch", audited.checkpoint_position),
    }
    by_position = {
        f.position: f.params["from_first"] for f in report.findings if f.kind == "moved"
    }
    assert (by_position[4], by_position[9]) == (9, 4)


def test_a_truncated_tail_is_located(audited: Audited) -> None:
    last = last_position(audited)
    audited.insider.unseal()
    audited.insider.truncate_after(last - 2)

    report = audited.verify()

    assert located(report) == {("truncated", last - 1)}
    assert report.findings[0].params == {"last": last, "count": 2}


def test_an_altered_or_missing_attached_file_is_located(audited: Audited) -> None:
    # Wherever the files are kept: this host's folder (SQLite), the database
    # (PostgreSQL, where every host sees them).
    store = audited.stores.evidence
    if isinstance(store, EvidenceStore):
        (store.directory / audited.evidence_sha256).chmod(0o600)
    overwrite(store, audited.evidence_sha256, b"%PDG-1.4 not what was recorded")

    altered = audited.verify()
    remove(store, audited.evidence_sha256)
    missing = audited.verify()

    assert located(altered) == {("evidence_altered", audited.evidence_position)}
    assert located(missing) == {("evidence_missing", audited.evidence_position)}


def test_a_tampered_chain_read_model_is_located(audited: Audited) -> None:
    with audited.stores.read_side.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE audit_chain SET chain_hash = '" + "0" * 64 + "' WHERE position = 12"
        )

    report = audited.verify()

    assert located(report) == {("chain_altered", 12)}


def test_a_rewrite_with_a_rebuilt_chain_is_caught_by_the_checkpoint_in_the_log(
    audited: Audited,
) -> None:
    audited.insider.unseal()
    blame_someone_else(audited, 5)
    audited.rebuild_chain()

    report = audited.verify()

    assert located(report) == {("checkpoint_mismatch", audited.checkpoint_position)}


def test_a_rewrite_with_a_rebuilt_chain_and_resealed_checkpoints_needs_the_file(
    audited: Audited,
) -> None:
    audited.insider.unseal()
    blame_someone_else(audited, 5)
    forge_log_checkpoints(audited)
    audited.rebuild_chain()

    without_file = audited.verify()
    with_file = audited.verify(audited.checkpoint_file)

    assert without_file.ok  # the insider covered every track the platform keeps...
    assert located(with_file) == {("checkpoint_mismatch", audited.checkpoint_position)}
    assert with_file.findings[0].params["source"] == "file checkpoint.json"


def test_a_dropped_tail_with_a_rebuilt_chain_is_caught_by_the_financers_file(
    audited: Audited,
) -> None:
    kept_up_to = audited.checkpoint_position - 3
    audited.insider.unseal()
    audited.insider.truncate_after(kept_up_to)  # the checkpoint event goes too
    audited.rebuild_chain()

    without_file = audited.verify()
    with_file = audited.verify(audited.checkpoint_file)

    assert without_file.ok
    assert located(with_file) == {
        ("checkpoint_beyond_log", audited.checkpoint_position)
    }
    assert with_file.findings[0].params["last"] == kept_up_to


def test_an_altered_signature_or_checkpoint_file_is_refused(
    audited: Audited, tmp_path: Path
) -> None:
    kept = json.loads(audited.checkpoint_file.read_text())
    bad_signature = tmp_path / "bad-signature.json"
    flipped = bytearray(bytes.fromhex(kept["signature"]))
    flipped[0] ^= 1
    bad_signature.write_text(json.dumps({**kept, "signature": flipped.hex()}))
    bad_root = tmp_path / "bad-root.json"
    bad_root.write_text(json.dumps({**kept, "root": "0" * 64}))
    unreadable = tmp_path / "unreadable.json"
    unreadable.write_text("{not json")

    report = audited.verify(bad_signature, bad_root, unreadable)

    assert kinds(report) == {"bad_signature", "unreadable_checkpoint"}
    assert {f.params["source"] for f in report.findings} == {
        "file bad-signature.json",
        "file bad-root.json",
        "file unreadable.json",
    }


def test_a_checkpoint_signed_with_another_key_is_reported(
    audited: Audited, tmp_path: Path
) -> None:
    other = load_or_create_key(tmp_path / "other.pem")
    kept = json.loads(audited.checkpoint_file.read_text())
    message = checkpoint_message(
        kept["position"], kept["tree_size"], kept["root"], kept["chain_head"]
    )
    forged = tmp_path / "other-key.json"
    forged.write_text(
        json.dumps(
            {
                **kept,
                "signature": other.sign(message).hex(),
                "public_key": other.public_key.hex(),
                "key_id": other.key_id,
            }
        )
    )

    report = audited.verify(forged)

    assert kinds(report) == {"unknown_key"}


def test_a_tampered_signature_in_the_log_is_reported(audited: Audited) -> None:
    insider = audited.insider
    ((sealed_at, state),) = insider.checkpoint_records(CHECKPOINT_TOPICS[0])
    insider.unseal()
    state["signature"] = "00" * 64
    insider.set_state(sealed_at, json.dumps(state).encode())
    audited.rebuild_chain()

    report = audited.verify()

    assert located(report) == {("bad_signature", audited.checkpoint_position)}
