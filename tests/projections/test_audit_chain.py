"""The audit chain read model: one link per stored event, deterministic, checkpoints.

The chain hashes the stored bytes, so it is recomputed here straight from the
recorder's notifications; a rebuild, or a second read side, gives the same chain.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import event, select

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from notifications.checkpoints import (
    checkpoint_message,
    load_or_create_key,
    seal_checkpoint,
    signature_is_valid,
)
from projections.audit_chain import (
    GENESIS,
    audit_chain,
    chain_head,
    chain_link,
    checkpoints,
    countersignatures,
    link_hashes,
    merkle_leaf,
    record_hash,
    summarise,
)
from projections.catalogue import all_projections
from projections.event_log import LibraryEventLog
from projections.merkle import merkle_root
from projections.runtime import ReadSide
from tests.support.builders import LivedConsortium, a_lived_consortium
from tests.support.fakes import FixedClock


def expected_chain(app: Governance) -> list[tuple[int, str, str]]:
    """``(position, record_hash, chain_hash)`` recomputed from the recorder."""
    links = []
    previous = GENESIS
    for n in app.recorder.select_notifications(start=1, limit=1_000_000):
        hashed = record_hash(
            str(n.originator_id), n.originator_version, n.topic, bytes(n.state)
        )
        previous = chain_link(previous, n.id, hashed)
        links.append((n.id, hashed.hex(), previous.hex()))
    return links


def chain_rows(read_side: ReadSide) -> list[tuple[int, str, str]]:
    with read_side.engine.connect() as connection:
        rows = connection.execute(
            select(
                audit_chain.c.position,
                audit_chain.c.record_hash,
                audit_chain.c.chain_hash,
            ).order_by(audit_chain.c.position)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_every_stored_event_is_chained_over_its_stored_bytes(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    a_lived_consortium(app, coordinator, clock)

    read_side.catch_up()

    chain = chain_rows(read_side)
    assert len(chain) == app.recorder.max_notification_id()
    assert chain == expected_chain(app)


def test_verify_s_reading_of_the_chain_gives_every_link_in_order_across_batches(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    chain = chain_rows(read_side)
    middle = chain[len(chain) // 2][0]

    with read_side.engine.connect() as connection:
        every = list(link_hashes(connection, up_to=chain[-1][0], batch=7))
        half = list(link_hashes(connection, up_to=middle, batch=7))
        exact = list(link_hashes(connection, up_to=chain[13][0], batch=7))

    assert [tuple(link) for link in every] == chain
    assert [tuple(link) for link in half] == [c for c in chain if c[0] <= middle]
    assert len(exact) == 14  # a batch boundary falls on the end


def test_a_rebuild_and_a_second_read_side_give_the_same_chain(
    app: Governance,
    coordinator: Actor,
    clock: FixedClock,
    read_side: ReadSide,
    read_side_on: Callable[[str], ReadSide],
) -> None:
    a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    before = chain_rows(read_side)

    read_side.rebuild(["audit_chain"])
    other = read_side_on("other.db")
    other.catch_up(batch_size=3)

    assert chain_rows(read_side) == before
    assert chain_rows(other) == before


def revise(app: Governance, coordinator: Actor, lived: LivedConsortium, n: int) -> None:
    """One more event in the log."""
    app.change_partner_axis(coordinator, lived.consortium_id, lived.lead_id, f"Axe {n}")


def head_reads(read_side: ReadSide) -> list[str]:
    """The statements reading the chain's head, as the read side's writer runs
    them (listed as they are run)."""
    seen: list[str] = []

    def record(*args: object) -> None:
        statement = str(args[2])
        if statement.startswith("SELECT audit_chain.chain_hash"):
            seen.append(statement)

    event.listen(read_side.writer, "before_cursor_execute", record)
    return seen


def test_a_read_side_knows_the_head_it_wrote_and_does_not_read_it_again(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    lived = a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    reads = head_reads(read_side)

    for n in range(3):
        revise(app, coordinator, lived, n)
        read_side.catch_up()

    assert reads == []
    assert chain_rows(read_side) == expected_chain(app)


def test_read_sides_taking_turns_on_one_chain_read_the_head_the_other_wrote(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    # Two processes on one read model (web and worker): each knows only the head
    # it wrote itself, and the other moves the chain on meanwhile.
    lived = a_lived_consortium(app, coordinator, clock)
    other = ReadSide(
        read_side.engine, LibraryEventLog(app.recorder, app.mapper), all_projections()
    )
    read_side.catch_up()
    reads = head_reads(read_side)

    for n, turn in enumerate([other, read_side, other, other, read_side]):
        revise(app, coordinator, lived, n)
        turn.catch_up()

    assert len(reads) == 2  # each time the other had written since
    assert chain_rows(read_side) == expected_chain(app)


def test_a_batch_rolled_back_leaves_the_chain_s_head_to_be_read_again(
    app: Governance,
    coordinator: Actor,
    clock: FixedClock,
    read_side: ReadSide,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lived = a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    revise(app, coordinator, lived, 1)
    advance = ReadSide._advance_all

    def fail(*args: object) -> None:
        raise RuntimeError("the batch fails after the chain was written")

    # The chain's link is written, then the batch's transaction rolls back.
    monkeypatch.setattr(ReadSide, "_advance_all", fail)
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    monkeypatch.setattr(ReadSide, "_advance_all", advance)
    revise(app, coordinator, lived, 2)
    reads = head_reads(read_side)

    read_side.catch_up()

    assert len(reads) == 1
    assert chain_rows(read_side) == expected_chain(app)


def test_the_summary_is_the_merkle_root_of_position_and_record_hash(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> None:
    a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    chain = expected_chain(app)

    with read_side.engine.connect() as connection:
        whole = summarise(connection)
        part = summarise(connection, up_to=7)
        head = chain_head(connection)

    leaves = [merkle_leaf(p, bytes.fromhex(h)) for p, h, _ in chain]
    assert whole is not None
    assert part is not None
    assert (whole.position, whole.tree_size) == (chain[-1][0], len(chain))
    assert whole.root == merkle_root(leaves).hex()
    assert whole.chain_head == chain[-1][2] == (head or (0, ""))[1]
    assert (part.position, part.tree_size, part.chain_head) == (7, 7, chain[6][2])
    assert part.root == merkle_root(leaves[:7]).hex()


def test_an_empty_log_has_no_summary_and_nothing_to_seal(
    app: Governance, read_side: ReadSide, tmp_path: Path
) -> None:
    key = load_or_create_key(tmp_path / "key.pem")

    with read_side.engine.connect() as connection:
        assert summarise(connection) is None
    assert seal_checkpoint(app, read_side, key) is None


def test_a_checkpoint_is_sealed_signed_and_sealed_again_only_after_growth(
    app: Governance,
    coordinator: Actor,
    clock: FixedClock,
    read_side: ReadSide,
    tmp_path: Path,
) -> None:
    lived = a_lived_consortium(app, coordinator, clock)
    key = load_or_create_key(tmp_path / "key.pem")

    first = seal_checkpoint(app, read_side, key)
    again = seal_checkpoint(app, read_side, key)
    app.change_partner_axis(coordinator, lived.consortium_id, lived.lab_id, "Mesure")
    second = seal_checkpoint(app, read_side, key)

    assert first is not None
    assert again is None
    assert second is not None
    with read_side.engine.connect() as connection:
        rows = checkpoints(connection)
    assert [r.checkpoint_id for r in rows] == [second.id, first.id]
    newest, oldest = rows
    assert oldest.position == first.position - 1
    assert newest.position == second.position - 1
    assert newest.key_id == key.key_id
    assert newest.public_key == key.public_key.hex()
    for row in rows:
        message = checkpoint_message(
            row.position, row.tree_size, row.root, row.chain_head
        )
        assert signature_is_valid(row.public_key, message, row.signature)
        assert not signature_is_valid(row.public_key, message + b" ", row.signature)


def test_the_signing_key_is_created_once_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit_signing_key.pem"

    created = load_or_create_key(path)
    loaded = load_or_create_key(path)

    assert path.stat().st_mode & 0o777 == 0o600
    assert loaded.public_key == created.public_key
    assert len(created.key_id) == 16


def test_a_financer_countersigns_once_and_nobody_else_may(
    app: Governance,
    coordinator: Actor,
    clock: FixedClock,
    read_side: ReadSide,
    tmp_path: Path,
) -> None:
    lived = a_lived_consortium(app, coordinator, clock)
    sealed = seal_checkpoint(app, read_side, load_or_create_key(tmp_path / "k.pem"))
    assert sealed is not None
    checkpoint_id = UUID(sealed.id)
    funder = Actor("acc-funder")

    app.countersign_checkpoint(funder, lived.consortium_id, checkpoint_id)
    read_side.catch_up()

    with pytest.raises(RuleViolated, match="already_countersigned"):
        app.countersign_checkpoint(funder, lived.consortium_id, checkpoint_id)
    with pytest.raises(NotPermitted):
        app.countersign_checkpoint(coordinator, lived.consortium_id, checkpoint_id)
    with pytest.raises(NotFound):
        app.countersign_checkpoint(
            Actor("acc-stranger"), lived.consortium_id, checkpoint_id
        )
    with pytest.raises(NotFound):
        app.countersign_checkpoint(funder, lived.consortium_id, lived.consortium_id)
    with read_side.engine.connect() as connection:
        assert countersignatures(
            connection, sealed.id, consortium_id=str(lived.consortium_id)
        ) == ["acc-funder"]
        assert countersignatures(connection, sealed.id, consortium_id="other") == []
