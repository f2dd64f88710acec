"""Exports of a consortium's audit trail: CSV, JSON Lines and Excel, streamed.

The trail is read in batches of a thousand entries and written as it is read, so
memory stays flat however long the trail (the Excel file is built on disk by
openpyxl's write-only mode, then streamed). Each line carries the log position, the
moment in UTC, the author, the kind, what it is about, and the sentence in the
reader's language; text cells are neutralised against formula injection.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from projections.history import HistoryEntry
from web.exports.ledger import BOM, neutralise
from web.i18n import N_, gettext_

TRAIL_COLUMNS = (
    (N_("Position"), 10),
    (N_("Recorded at (UTC)"), 22),
    (N_("Author"), 28),
    (N_("Author ID"), 38),
    (N_("Kind"), 24),
    (N_("About"), 48),
    (N_("What happened"), 90),
)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class TrailLine:
    """One entry of the trail as exported."""

    entry: HistoryEntry
    author: str
    sentence: str
    # Where what it is about is shown, from the consortium's page on (partners/…).
    about: str

    def cells(self) -> list[str]:
        e = self.entry
        return [
            str(e.position),
            e.recorded_at.isoformat(),
            self.author,
            e.actor_id,
            e.kind,
            self.about,
            self.sentence,
        ]


Lines = Callable[[], Iterable[TrailLine]]


def _headers() -> list[str]:
    return [gettext_(name) for name, _ in TRAIL_COLUMNS]


def trail_csv(lines: Lines) -> Iterator[str]:
    """The trail as CSV (UTF-8 with BOM, RFC 4180), a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(_headers())
    for line in lines():
        writer.writerow([neutralise(cell) for cell in line.cells()])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def trail_jsonl(lines: Lines) -> Iterator[str]:
    """The trail as JSON Lines: one object per entry, with its parameters."""
    chunk: list[str] = []
    size = 0
    for line in lines():
        e = line.entry
        text = json.dumps(
            {
                "position": e.position,
                "recorded_at": e.recorded_at.isoformat(),
                "actor_id": e.actor_id,
                "author": line.author,
                "kind": e.kind,
                "area": e.area,
                "about": line.about,
                "subject_id": e.subject_id,
                "params": e.params,
                "sentence": line.sentence,
            },
            ensure_ascii=False,
        )
        chunk.append(text + "\n")
        size += len(text)
        if size > CHUNK:
            yield "".join(chunk)
            chunk, size = [], 0
    yield "".join(chunk)


def trail_xlsx(lines: Lines, title: str) -> Path:
    """The trail as an Excel workbook in a temporary file (the caller removes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Trail")
    for index, (_, width) in enumerate(TRAIL_COLUMNS, start=1):
        letter = chr(ord("A") + index - 1)
        sheet.column_dimensions[letter].width = width
    header = []
    for text in _headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for line in lines():
        cells = line.cells()
        row: list[object] = [
            line.entry.position,
            line.entry.recorded_at.replace(tzinfo=None),
        ]
        row.extend(ILLEGAL_CHARACTERS_RE.sub("", neutralise(c)) for c in cells[2:])
        sheet.append(row)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    workbook.save(path)
    return path


def file_chunks(path: Path) -> Iterator[bytes]:
    """A file's bytes a chunk at a time; the file is removed at the end."""
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)
