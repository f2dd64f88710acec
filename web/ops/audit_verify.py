"""``consortium audit verify``: check the stored log against its chain and checkpoints.

One pass over the raw stored events, in position order, straight from the store (the
SQLite ``stored_events`` table or PostgreSQL's ``governance_events``), recomputing
every record hash, the chain and the Merkle tree as it goes:

- against the **chain read model**: a record whose hash differs at its position was
  *altered*; a chained position with no stored record was *removed*; a stored record
  at a position the chain never had was *inserted*; a record found at another
  position than the one it was chained at was *moved* (reordered, or shifted by an
  insertion); chained positions past the end of the log are a *truncated tail*;
- against **every checkpoint** (each one recorded in the log, signature checked, and
  each file a financer kept): the number of records, Merkle root and chain head up
  to its position must match. This catches the insider who rewrote an event *and*
  rebuilt the chain, or dropped the tail and the chain with it;
- every **evidence file** an event refers to must still have its recorded SHA-256.

Memory stays flat however long the log: the store is read through a cursor, the
chain in batches, the Merkle tree is an O(log n) accumulator, and only unmatched
records are remembered (as many as there are differences, not events).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from notifications.checkpoints import (
    checkpoint_message,
    key_id_of,
    load_key,
    signature_is_valid,
)
from projections.audit_chain import (
    CHECKPOINT_TOPICS,
    GENESIS,
    audit_chain,
    chain_link,
    link_hashes,
    merkle_leaf,
    record_hash,
)
from projections.catalogue import all_projections
from projections.merkle import MerkleAccumulator
from projections.table_sets import reading_current
from web.evidence.filestore import FileStore
from web.ops.audit_findings import Finding, Report
from web.ops.files import file_store_of
from web.ops.raw_log import EVIDENCE_MARK, RawRecord, RawStore, evidence_in
from web.ops.storage import sqlalchemy_url, sqlite_engine
from web.settings import Settings

SEALED_TOPIC = CHECKPOINT_TOPICS[0]


@dataclass(frozen=True)
class CheckpointClaim:
    """A signed checkpoint to check: from the log or from a financer's file."""

    source: str
    checkpoint_id: str
    position: int
    tree_size: int
    root: str
    chain_head: str
    signature: str
    key_id: str
    public_key: str


def read_engine(settings: Settings) -> Engine:
    """The engine of the read models (where the chain is), reading their current
    table sets."""
    if settings.database_url:
        engine = create_engine(sqlalchemy_url(settings.database_url))
    else:
        path = settings.data_dir / "read.db"
        engine = sqlite_engine(path)
        if not path.exists():
            return engine  # no read models: opening one would create the file
    return reading_current(engine, all_projections())


def chain_end(connection: Connection) -> int:
    try:
        value = connection.execute(select(func.max(audit_chain.c.position))).scalar()
    except SQLAlchemyError:
        return 0  # no chain read model at all: every event is unchained
    return int(value or 0)


# -- checkpoints -----------------------------------------------------------------


def checkpoints_in_log(store: RawStore) -> list[CheckpointClaim | Finding]:
    """Every checkpoint the log records (a record that cannot be read is a finding)."""
    claims: list[CheckpointClaim | Finding] = []
    with store.records(topic=SEALED_TOPIC) as records:
        for record in records:
            source = f"log position {record.position}"
            try:
                data = json.loads(record.state)
                claims.append(_claim(source, record.originator_id, data))
            except (ValueError, KeyError, TypeError):
                claims.append(
                    Finding(
                        "unreadable_checkpoint",
                        record.position,
                        {"checkpoint": record.originator_id, "source": source},
                    )
                )
    return claims


class NotACheckpoint(ValueError):
    """Raised when a file given as a checkpoint is not one: not JSON, or not the
    fields of a checkpoint (a file that is one, but altered, is a finding)."""


def read_checkpoint_file(path: Path) -> CheckpointClaim:
    """The checkpoint in a file a financer downloaded; raises ``NotACheckpoint``."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise NotACheckpoint(
            f"{path} cannot be read: {(error.strerror or str(error)).lower()}"
        ) from None
    except ValueError:
        raise NotACheckpoint(f"{path} is not a checkpoint: it is not JSON") from None
    try:
        return _claim(f"file {path.name}", str(data["checkpoint_id"]), data)
    except (ValueError, KeyError, TypeError):
        raise NotACheckpoint(
            f"{path} is not a checkpoint: it lacks a checkpoint's fields"
        ) from None


def checkpoint_from_file(path: Path) -> CheckpointClaim | Finding:
    """A checkpoint file a financer downloaded (one that is not is a finding)."""
    try:
        return read_checkpoint_file(path)
    except NotACheckpoint:
        return Finding(
            "unreadable_checkpoint",
            None,
            {"checkpoint": path.name, "source": f"file {path.name}"},
        )


def _claim(source: str, checkpoint_id: str, data: dict[str, Any]) -> CheckpointClaim:
    return CheckpointClaim(
        source=source,
        checkpoint_id=checkpoint_id,
        position=int(data["position"]),
        tree_size=int(data["tree_size"]),
        root=str(data["root"]),
        chain_head=str(data["chain_head"]),
        signature=str(data["signature"]),
        key_id=str(data["key_id"]),
        public_key=str(data["public_key"]),
    )


def check_signature(
    claim: CheckpointClaim, platform_key_id: str | None
) -> list[Finding]:
    params = {"checkpoint": claim.checkpoint_id, "source": claim.source}
    message = checkpoint_message(
        claim.position, claim.tree_size, claim.root, claim.chain_head
    )
    if not signature_is_valid(claim.public_key, message, claim.signature) or (
        key_id_of(bytes.fromhex(claim.public_key)) != claim.key_id
    ):
        return [Finding("bad_signature", claim.position, params)]
    if platform_key_id is not None and claim.key_id != platform_key_id:
        return [
            Finding(
                "unknown_key",
                claim.position,
                {**params, "key_id": claim.key_id, "platform_key_id": platform_key_id},
            )
        ]
    return []


# -- the pass --------------------------------------------------------------------


class _Alignment:
    """Pairs stored records with chain links by record hash, to name what moved."""

    def __init__(self) -> None:
        self.stored: dict[str, int] = {}  # record hash -> stored position
        self.chained: dict[str, int] = {}  # record hash -> chained position
        self.moves: list[tuple[int, int]] = []  # (stored position, chained position)

    def unmatched_stored(self, position: int, hashed: str) -> bool:
        """Remember a stored record; True if it is a chained one seen elsewhere."""
        chained_at = self.chained.pop(hashed, None)
        if chained_at is None:
            self.stored[hashed] = position
            return False
        self.moves.append((position, chained_at))
        return True

    def unmatched_chained(self, position: int, hashed: str) -> None:
        stored_at = self.stored.pop(hashed, None)
        if stored_at is None:
            self.chained[hashed] = position
        else:
            self.moves.append((stored_at, position))

    def findings(self) -> list[Finding]:
        """What is left unpaired, and the moves grouped into runs."""
        stored = set(self.stored.values())
        chained = set(self.chained.values())
        found = [Finding("altered", p, {}) for p in stored & chained]
        found += [Finding("inserted", p, {}) for p in stored - chained]
        found += [Finding("removed", p, {}) for p in chained - stored]
        for first, last, from_first, from_last in _runs(sorted(self.moves)):
            found.append(
                Finding(
                    "moved",
                    first,
                    {"last": last, "from_first": from_first, "from_last": from_last},
                )
            )
        return sorted(found, key=lambda f: (f.position or 0, f.kind))


def _runs(moves: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int, int]]:
    """Consecutive moves by the same offset, as (first, last, from_first, from_last)."""
    run: list[tuple[int, int]] = []
    for stored_at, chained_at in moves:
        if run and (
            stored_at - chained_at != run[-1][0] - run[-1][1]
            or stored_at != run[-1][0] + 1
        ):
            yield run[0][0], run[-1][0], run[0][1], run[-1][1]
            run = []
        run.append((stored_at, chained_at))
    if run:
        yield run[0][0], run[-1][0], run[0][1], run[-1][1]


@dataclass
class CheckpointCheck:
    """Checkpoints waiting for the pass to reach their position."""

    claims: list[CheckpointClaim]
    report: Report
    good: list[int] = field(default_factory=list)  # positions of matching claims

    def due(self, before: int, tree: MerkleAccumulator, head: bytes) -> None:
        """Check every claim whose position is below ``before``."""
        while self.claims and self.claims[0].position < before:
            claim = self.claims.pop(0)
            self.report.checkpoints += 1
            if (claim.tree_size, claim.root, claim.chain_head) == (
                tree.size,
                tree.root().hex(),
                head.hex(),
            ):
                self.good.append(claim.position)
                continue
            # The latest checkpoint before this one that still matches brackets it.
            since = max((p for p in self.good if p < claim.position), default=0)
            self.report.add(
                Finding(
                    "checkpoint_mismatch_after" if since else "checkpoint_mismatch",
                    claim.position,
                    {
                        "checkpoint": claim.checkpoint_id,
                        "source": claim.source,
                        "since": since,
                    },
                )
            )

    def beyond(self, last: int) -> None:
        for claim in self.claims:
            self.report.checkpoints += 1
            self.report.add(
                Finding(
                    "checkpoint_beyond_log",
                    claim.position,
                    {
                        "checkpoint": claim.checkpoint_id,
                        "source": claim.source,
                        "last": last,
                    },
                )
            )


NO_LINK: tuple[float, str, str] = (float("inf"), "", "")
"""What the chain gives once it has no link left: past every position."""


def verify(
    records: Iterable[RawRecord],
    chain: Iterable[tuple[int, str, str]],
    claims: Sequence[CheckpointClaim] = (),
    evidence: FileStore | None = None,
    report: Report | None = None,
) -> Report:
    """Compare the stored records with the chain, checkpoints and evidence files.

    ``chain`` gives each link's position, record hash and chain hash, in order
    (``LinkHashes``); it must only hold links the store had when ``records``
    started to be read (read its end first), so that a missing position really
    was removed.
    """
    report = report or Report()
    started = time.perf_counter()
    links = iter(chain)
    link_at, link_record, link_chain = next(links, NO_LINK)
    alignment = _Alignment()
    accumulator = MerkleAccumulator()
    head = GENESIS
    pending = CheckpointCheck(sorted(claims, key=lambda c: c.position), report)
    seen_files: set[str] = set()
    diverged = False  # a record-level difference was seen: later hashes all differ
    last = 0
    # This loop runs once per event, and its work beside the hashing is what
    # ``audit verify``'s speed is made of: links unpacked, counts kept in locals.
    events = chained = unchained = 0
    add_leaf = accumulator.add
    for record in records:
        position = record.position
        if pending.claims and pending.claims[0].position < position:
            pending.due(position, accumulator, head)
        while link_at < position:
            alignment.unmatched_chained(int(link_at), link_record)
            diverged = True
            link_at, link_record, link_chain = next(links, NO_LINK)
        hashed = record_hash(
            record.originator_id, record.originator_version, record.topic, record.state
        )
        head = chain_link(head, position, hashed)
        if link_at == position:
            chained += 1
            if link_record != (hashed_hex := hashed.hex()):
                alignment.unmatched_stored(position, hashed_hex)
                alignment.unmatched_chained(position, link_record)
                diverged = True
            elif not diverged and link_chain != head.hex():
                report.add(Finding("chain_altered", position))
                diverged = True
            link_at, link_record, link_chain = next(links, NO_LINK)
        elif link_at != NO_LINK[0]:
            # A position the chain does not have (it holds a later one).
            alignment.unmatched_stored(position, hashed.hex())
            diverged = True
        elif (hashed_hex := hashed.hex()) in alignment.chained:
            alignment.unmatched_stored(position, hashed_hex)  # shifted past the end
        else:
            unchained += 1  # recorded after the chain was read: not checked
        add_leaf(merkle_leaf(position, hashed))
        events += 1
        last = position
        if evidence is not None and EVIDENCE_MARK in record.state:
            check_evidence(record, evidence, seen_files, report)
    report.events += events
    report.chained += chained
    report.unchained += unchained
    pending.due(last + 1, accumulator, head)
    pending.beyond(last)
    if link_at != NO_LINK[0]:
        first = final = int(link_at)
        count = 1
        for remaining in links:
            final, count = remaining[0], count + 1
        report.add(Finding("truncated", first, {"last": final, "count": count}))
    for finding in alignment.findings():
        report.add(finding)
    report.seconds += time.perf_counter() - started
    return report


def check_evidence(
    record: RawRecord, store: FileStore, seen: set[str], report: Report
) -> None:
    for item in evidence_in(record.state):
        if item.sha256 in seen:
            continue
        seen.add(item.sha256)
        report.evidence_files += 1
        if store.verify(item):
            continue
        kind = (
            "evidence_missing" if not store.exists(item.sha256) else "evidence_altered"
        )
        report.add(Finding(kind, record.position, {"sha256": item.sha256}))


def signed_claims(
    settings: Settings,
    store: RawStore,
    report: Report,
    checkpoint_files: Sequence[Path] = (),
) -> list[CheckpointClaim]:
    """The checkpoints to check (from the log, and files given) whose signature is
    the platform's; every other one is a finding in ``report``."""
    platform_key_id: str | None = None
    if settings.audit_key_path.exists():
        platform_key_id = load_key(settings.audit_key_path).key_id
    claims: list[CheckpointClaim] = []
    found = checkpoints_in_log(store) + [
        checkpoint_from_file(path) for path in checkpoint_files
    ]
    for item in found:
        if isinstance(item, Finding):
            report.add(item)
            continue
        problems = check_signature(item, platform_key_id)
        for problem in problems:
            report.add(problem)
        if not problems:
            claims.append(item)
    return claims


def verify_store(settings: Settings, checkpoint_files: Sequence[Path] = ()) -> Report:
    """Verify the store the settings name, with any checkpoint files given."""
    started = time.perf_counter()
    report = Report()
    RawStore(settings).require()  # before the read models' file is opened, or made
    engine = read_engine(settings)
    try:
        with (
            engine.connect() as connection,
            file_store_of(settings, engine if settings.database_url else None) as files,
        ):
            # On PostgreSQL the log, the chain and the files are in one database: the
            # log's checkpoints and records and the chain are read through one
            # connection, the files through a second (opening four had cost about a
            # tenth of verify's time there).
            store = RawStore(
                settings,
                connection.connection.driver_connection
                if settings.database_url
                else None,
            )
            claims = signed_claims(settings, store, report, checkpoint_files)
            end = chain_end(connection)
            # The chain's end is read first: every link up to it was stored before
            # the records are read, so a missing one was removed, not yet to come.
            chain = link_hashes(connection, up_to=end) if end else iter(())
            with store.records() as records:
                verify(records, chain, claims, files, report)
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report
