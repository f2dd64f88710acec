"""One consortium's verification: its own events and files, against the shared chain.

The chain and the signed checkpoints are the platform's: every consortium's proof
runs through them. What a consortium checks ("Verify now" on its audit page) is:

- the **chain** read model, link by link from the first position to its end: each
  chain hash must follow from the previous one and the link's record hash, and the
  Merkle root and chain head at each signed checkpoint (signature checked) must be
  the ones sealed. This needs the chain's record hashes only, never another
  consortium's records;
- the store's **positions** against the chain's (a position read, not its record):
  one the chain lacks was inserted, a chained one the store lacks was removed;
- **its own records**, read at its own positions (those the history read model, the
  same index the audit pack uses, gives the consortium): each must hash to its
  chain link's record hash; and the **files** they attach must be unchanged.

Findings at the consortium's own positions are shown in full, as are findings about
a checkpoint (the checkpoints are listed to every consortium; that one no longer
matches, or has a bad signature, is the very fact each countersignature is there to
reveal, and it names no event). Anything the pass sees wrong at a position that is
not this consortium's (a chain link, an inserted or removed position) becomes one
platform-level sentence, ``elsewhere``: the store as a whole does not verify at a
position outside this consortium. It says neither where, nor how often, nor whose,
so it tells B nothing about A; but B's guarantee rests on the same chain, so B must
know it is damaged, and the operator finds the rest with ``consortium audit verify``
(whole store, unchanged). Another consortium's records and files are never read, so
an altered record of A is not B's finding at all.

A limit, said plainly: which positions are a consortium's comes from a read model.
Someone able to rewrite the read models could hide an event from its consortium's
scoped pass; the whole-store verification and the offline pack check do not depend
on that index.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from projections.audit_chain import (
    GENESIS,
    ChainLink,
    chain_link,
    iter_chain,
    merkle_leaf,
    record_hash,
)
from projections.history import history
from projections.merkle import MerkleAccumulator
from web.ops.audit_findings import Finding, Report
from web.ops.audit_requests import AuditVerifications
from web.ops.audit_verify import (
    CheckpointCheck,
    CheckpointClaim,
    chain_end,
    check_evidence,
    read_engine,
    signed_claims,
)
from web.ops.files import file_store_of
from web.ops.raw_log import RawStore
from web.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class ScopedReport(Report):
    """What one consortium's verification found."""

    links: int = 0  # chain links checked (the whole chain)
    elsewhere: bool = False  # the store fails at a position not this consortium's

    @property
    def ok(self) -> bool:
        return self.findings_total == 0 and not self.elsewhere

    def to_json(self) -> str:
        """The report as stored with the verification request."""
        return json.dumps(
            {
                "events": self.events,
                "links": self.links,
                "unchained": self.unchained,
                "checkpoints": self.checkpoints,
                "evidence_files": self.evidence_files,
                "seconds": round(self.seconds, 3),
                "findings": [asdict(f) for f in self.findings],
                "findings_total": self.findings_total,
                "elsewhere": self.elsewhere,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ScopedReport:
        """A stored report back (see ``to_json``)."""
        data = json.loads(text)
        return cls(
            events=int(data["events"]),
            unchained=int(data["unchained"]),
            checkpoints=int(data["checkpoints"]),
            evidence_files=int(data["evidence_files"]),
            seconds=float(data["seconds"]),
            findings=[
                Finding(str(f["kind"]), f["position"], dict(f["params"]))
                for f in data["findings"]
            ],
            findings_total=int(data["findings_total"]),
            links=int(data["links"]),
            elsewhere=bool(data["elsewhere"]),
        )


def own_positions(connection: Connection, consortium_id: str) -> list[int]:
    """The positions of the consortium's events, in order (from its history)."""
    return list(
        connection.scalars(
            select(history.c.position)
            .where(history.c.consortium_id == consortium_id)
            .order_by(history.c.position)
        )
    )


class _Pass:
    """The walk over the chain and the store's positions (see the module doc)."""

    def __init__(
        self, own: set[int], claims: list[CheckpointClaim], report: ScopedReport
    ) -> None:
        self.own = own
        self.report = report
        self.pending = CheckpointCheck(sorted(claims, key=lambda c: c.position), report)
        self.hashes: dict[int, str] = {}  # own position -> chained record hash

    def found(self, kind: str, position: int) -> None:
        if position in self.own:
            self.report.add(Finding(kind, position))
        else:
            self.report.elsewhere = True

    def run(self, chain: Iterable[ChainLink], stored: Iterator[int], end: int) -> None:
        tree = MerkleAccumulator()
        head = GENESIS
        diverged = False  # after a first broken link every later hash differs
        last = 0
        at = next(stored, None)
        for link in chain:
            position = link.position
            self.pending.due(position, tree, head)
            while at is not None and at < position:
                self.found("inserted", at)
                at = next(stored, None)
            if at == position:
                at = next(stored, None)
                if position in self.own:
                    self.hashes[position] = link.record_hash
            else:
                self.found("removed", position)
            try:
                hashed = bytes.fromhex(link.record_hash)
            except ValueError:
                hashed = b""
            head = chain_link(head, position, hashed)
            if not diverged and (len(hashed) != 32 or link.chain_hash != head.hex()):
                diverged = True
                self.found("chain_altered", position)
            tree.add(merkle_leaf(position, hashed))
            self.report.links += 1
            last = position
        self.pending.due(last + 1, tree, head)
        self.pending.beyond(last)
        while at is not None and at <= end:
            self.found("inserted", at)
            at = next(stored, None)


def verify_consortium(settings: Settings, consortium_id: str) -> ScopedReport:
    """Verify one consortium's events and files against the platform's chain."""
    started = time.perf_counter()
    report = ScopedReport()
    store = RawStore(settings)
    claims = signed_claims(settings, store, report)
    engine = read_engine(settings)
    try:
        with engine.connect() as connection:
            # The chain's end first: every position up to it was stored before the
            # store's positions are read, so one missing was removed, not to come.
            end = chain_end(connection)
            own = own_positions(connection, consortium_id)
            scan = _Pass(set(own), claims, report)
            chain = iter_chain(connection, up_to=end) if end else iter(())
            with store.positions() as stored:
                scan.run(chain, stored, end)
    finally:
        engine.dispose()
    report.unchained = sum(1 for p in own if p > end)
    seen: set[str] = set()
    with (
        store.records_at(sorted(scan.hashes)) as records,
        file_store_of(settings) as evidence,
    ):
        for record in records:
            report.events += 1
            hashed = record_hash(
                record.originator_id,
                record.originator_version,
                record.topic,
                record.state,
            )
            if hashed.hex() != scan.hashes[record.position]:
                report.add(Finding("altered", record.position))
            check_evidence(record, evidence, seen, report)
    report.findings.sort(key=lambda f: (f.position or 0, f.kind))
    report.seconds = time.perf_counter() - started
    return report


def holder_name() -> str:
    """Who claims: host and process (a dead one's claims are taken over later)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_requested(
    requests: AuditVerifications,
    settings: Settings,
    now: Callable[[], datetime],
    holder: str | None = None,
) -> int:
    """Run every waiting verification, one after the other; returns how many ran."""
    holder = holder or holder_name()
    ran = 0
    while (claimed := requests.claim(holder, now=now())) is not None:
        report: ScopedReport | None
        try:
            report = verify_consortium(settings, claimed.consortium_id)
        except Exception:
            # The request shows as failed; the log has why (a store that cannot be
            # read is the operator's business, not the consortium's).
            logger.exception("audit.verification_failed request=%s", claimed.request_id)
            report = None
        requests.finish(
            claimed.request_id,
            report.to_json() if report is not None else None,
            now=now(),
            holder=holder,
        )
        logger.info(
            "audit.verification_done consortium=%s request=%s ok=%s",
            claimed.consortium_id,
            claimed.request_id,
            report.ok if report is not None else None,
        )
        ran += 1
    return ran
