"""The audit pack of a consortium: what a financer takes away and checks offline.

A ZIP file with the latest signed checkpoint (``checkpoint.json``), the consortium's
events of the period with their stored records, record hashes and Merkle inclusion
proofs (``events.jsonl``), a PDF (summary, the checkpoint and its signature, how to
verify, the events in words), and ``verify_pack.py``: a short standalone script
(standard library and ``cryptography``) that checks the signature and every proof.

Everything is written to a temporary file as it is read, then streamed; the one
thing held in memory is the Merkle tree of the checkpoint (64 bytes a leaf).
"""

from __future__ import annotations

import base64
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import Engine

from governance.application import Governance
from notifications.checkpoints import checkpoint_file
from projections.audit_chain import (
    CheckpointRow,
    checkpoints,
    countersignatures,
    iter_chain,
    merkle_leaf,
    record_hash,
)
from projections.history import HistoryEntry, HistoryFilter, history_in_order
from projections.merkle import MerkleTree, leaf_hash
from web.exports.decisions_pdf import PDF_ENCODING, pdf_text
from web.i18n import N_, format_moment, gettext_

VERIFY_SCRIPT = Path(__file__).with_name("verify_pack.py")
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}
# The PDF lists at most this many events in words; the JSON Lines file has them all.
PDF_EVENTS = 2000


@dataclass(frozen=True)
class PackRequest:
    """What to put in the pack."""

    consortium_id: str
    consortium_name: str
    narrowed: HistoryFilter
    period_text: str


def _tree(
    engine: Engine, checkpoint: CheckpointRow
) -> tuple[MerkleTree, dict[int, int]]:
    """The checkpoint's tree, and each position's leaf index in it."""
    index: dict[int, int] = {}

    def leaves() -> Iterator[bytes]:
        with engine.connect() as connection:
            for number, link in enumerate(
                iter_chain(connection, up_to=checkpoint.position)
            ):
                index[link.position] = number
                yield leaf_hash(
                    merkle_leaf(link.position, bytes.fromhex(link.record_hash))
                )

    tree = MerkleTree(leaves())
    return tree, index


def _records(governance: Governance, positions: list[int]) -> dict[int, Any]:
    """The stored records at these positions, read by ranges."""
    found: dict[int, Any] = {}
    if not positions:
        return found
    wanted = set(positions)
    start = positions[0]
    while start <= positions[-1]:
        batch = governance.recorder.select_notifications(
            start=start, limit=1000, stop=positions[-1]
        )
        if not batch:
            break
        for notification in batch:
            if notification.id in wanted:
                found[notification.id] = notification
        start = batch[-1].id + 1
    return found


def _event_lines(
    governance: Governance,
    entries: list[HistoryEntry],
    tree: MerkleTree | None,
    index: dict[int, int],
    sentences: dict[int, str],
) -> Iterator[str]:
    records = _records(governance, [e.position for e in entries])
    for entry in entries:
        notification = records.get(entry.position)
        if notification is None:
            continue
        state = bytes(notification.state)
        line: dict[str, Any] = {
            "position": entry.position,
            "recorded_at": entry.recorded_at.isoformat(),
            "actor_id": entry.actor_id,
            "kind": entry.kind,
            "sentence": sentences.get(entry.position, ""),
            "record": {
                "originator_id": str(notification.originator_id),
                "originator_version": notification.originator_version,
                "topic": notification.topic,
                "state": base64.b64encode(state).decode(),
            },
            "record_hash": None,
            "proof": None,
        }
        hashed = record_hash(
            str(notification.originator_id),
            notification.originator_version,
            notification.topic,
            state,
        )
        line["record_hash"] = hashed.hex()
        if tree is not None and entry.position in index:
            line["proof"] = [
                [side, sibling.hex()]
                for side, sibling in tree.proof(index[entry.position])
            ]
        yield json.dumps(line, ensure_ascii=False) + "\n"


def build_pack(
    governance: Governance,
    engine: Engine,
    request: PackRequest,
    describe: Any,
    now: datetime,
    attachments: Iterable[tuple[str, bytes]] = (),
) -> Path:
    """Write the pack to a temporary ZIP file and return its path.

    ``attachments`` are more files to join, by name in the pack (the certified
    financial reports, ``financial-reports/…``).
    """
    with engine.connect() as connection:
        latest = checkpoints(connection)
        checkpoint = latest[0] if latest else None
        # The checkpoint is the platform's; its countersignatures in the pack are
        # this consortium's financers' only.
        signers = (
            countersignatures(
                connection,
                checkpoint.checkpoint_id,
                consortium_id=request.consortium_id,
            )
            if checkpoint
            else []
        )
    tree, index = _tree(engine, checkpoint) if checkpoint else (None, {})
    handle = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    total = covered = 0
    pdf_lines: list[tuple[HistoryEntry, str, str]] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        with pack.open("events.jsonl", "w") as events_file:
            batch: list[HistoryEntry] = []

            def flush(entries: list[HistoryEntry]) -> None:
                nonlocal total, covered
                words = describe(entries)
                sentences = {e.position: what for e, _, what in words}
                if len(pdf_lines) < PDF_EVENTS:
                    pdf_lines.extend(words[: PDF_EVENTS - len(pdf_lines)])
                for text in _event_lines(governance, entries, tree, index, sentences):
                    events_file.write(text.encode())
                total += len(entries)
                covered += sum(1 for e in entries if e.position in index)

            for entry in history_in_order(
                engine, request.consortium_id, request.narrowed
            ):
                batch.append(entry)
                if len(batch) == 500:
                    flush(batch)
                    batch = []
            flush(batch)
        if checkpoint is not None:
            pack.writestr(
                "checkpoint.json",
                json.dumps(checkpoint_file(checkpoint, signers), indent=2) + "\n",
            )
        pack.writestr("verify_pack.py", VERIFY_SCRIPT.read_text("utf-8"))
        for name, body in attachments:
            pack.writestr(name, body)
        instructions = _instructions(checkpoint)
        pack.writestr("README.txt", instructions + "\n")
        pack.writestr(
            "audit-pack.pdf",
            _pdf(request, checkpoint, signers, total, covered, pdf_lines, now),
        )
    return path


def _instructions(checkpoint: CheckpointRow | None) -> str:
    if checkpoint is None:
        return gettext_(
            N_(
                "No checkpoint has been sealed yet: the events cannot be proved "
                "against a signed checkpoint. Ask the platform to seal one."
            )
        )
    return gettext_(
        N_(
            "To verify this pack offline: unzip it, install Python 3 and the "
            "cryptography package (pip install cryptography), then run "
            "python verify_pack.py . (add --checkpoint FILE to compare with the "
            "checkpoint file you kept when you countersigned). The script checks "
            "the platform's Ed25519 signature of the checkpoint and, for every "
            "event, that its record hash matches the stored record and that the "
            "record is in the checkpoint's Merkle tree at its position."
        )
    )


def _pdf(
    request: PackRequest,
    checkpoint: CheckpointRow | None,
    signers: Iterable[str],
    total: int,
    covered: int,
    lines: list[tuple[HistoryEntry, str, str]],
    now: datetime,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = PDF_ENCODING  # what pdf_text maps every text to
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, pdf_text(gettext_(N_("Audit pack"))), **NEXT_LINE)
    pdf.set_font("Helvetica", "", 11)
    facts = [
        (gettext_(N_("Consortium")), request.consortium_name),
        (gettext_(N_("Period")), request.period_text),
        (gettext_(N_("Generated at")), format_moment(now)),
        (gettext_(N_("Events in the pack")), str(total)),
        (gettext_(N_("Events covered by the checkpoint")), str(covered)),
    ]
    if checkpoint is not None:
        facts += [
            (gettext_(N_("Checkpoint position")), str(checkpoint.position)),
            (gettext_(N_("Merkle root")), checkpoint.root),
            (gettext_(N_("Chain head")), checkpoint.chain_head),
            (gettext_(N_("Platform key")), checkpoint.key_id),
            (gettext_(N_("Signature")), checkpoint.signature),
            (gettext_(N_("Countersigned by")), ", ".join(signers) or "-"),
        ]
    for key, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, pdf_text(key), **NEXT_LINE)
        pdf.set_font("Courier" if len(value) > 40 else "Helvetica", "", 9)
        pdf.multi_cell(0, 5, pdf_text(value), **NEXT_LINE)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, pdf_text(gettext_(N_("How to verify"))), **NEXT_LINE)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, pdf_text(_instructions(checkpoint)), **NEXT_LINE)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, pdf_text(gettext_(N_("The events"))), **NEXT_LINE)
    pdf.set_font("Helvetica", "", 8)
    for entry, who, what in lines:
        text = f"#{entry.position} {format_moment(entry.recorded_at)} {who}: {what}"
        pdf.multi_cell(0, 4, pdf_text(text), **NEXT_LINE)
    if total > len(lines):
        pdf.multi_cell(
            0,
            5,
            pdf_text(
                gettext_(N_("… and %(count)s more events: see events.jsonl."))
                % {"count": total - len(lines)}
            ),
            **NEXT_LINE,
        )
    return bytes(pdf.output())
