"""Exports of the capitalisation register: a CSV file and an open-data JSON file.

Both list every entry, withdrawn ones included (marked): the register keeps its
history, and so do its exports. The CSV has its headers and fixed words in the
reader's language, a UTF-8 byte order mark and RFC 4180 lines, and every text cell
neutralised against formula injection like the ledger's (``web.exports.ledger``).

The JSON file follows a stable, documented schema (``docs/capitalisation-open-data.md``,
``schema_version`` 1): keys and enumerated values are English codes that never
change with the reader's language; free texts are as recorded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from governance.values import (
    CapitalisationEntry,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
)
from projections.capitalisation import CapitalisationRow
from projections.consortia import ConsortiumDetails
from web.exports.ledger import BOM, neutralise
from web.i18n import DISPLAY_ZONE, N_, gettext_
from web.presentation.labels import label

SCHEMA = "consortium-ledger/capitalisation"
SCHEMA_VERSION = 1

COLUMNS = (
    N_("Entry ID"),
    N_("Kind"),
    N_("Title"),
    N_("Status"),
    N_("Date"),
    N_("Licence"),
    N_("Address"),
    N_("Asset type"),
    N_("Description"),
    N_("What worked"),
    N_("What did not work"),
    N_("For whom"),
    N_("Reused by"),
    N_("Adaptation"),
    N_("Audience"),
    N_("Place"),
    N_("Recorded on"),
    N_("Last amended on"),
    N_("Withdrawn on"),
    N_("Withdrawal reason"),
)
ACTIVE = N_("active")
WITHDRAWN = N_("withdrawn")


@dataclass(frozen=True)
class CapitalisationExport:
    """Everything one consortium's capitalisation exports show."""

    consortium_id: str
    consortium: ConsortiumDetails | None
    entries: list[CapitalisationRow]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(DISPLAY_ZONE).date() if moment is not None else None


def entry_date(entry: CapitalisationEntry) -> date | None:
    """The day the entry's fact happened (replications, dissemination events)."""
    return entry.on if isinstance(entry, Replication | Dissemination) else None


def _licence(entry: CapitalisationEntry) -> str:
    return entry.licence if isinstance(entry, ReusableAsset) else ""


def _url(entry: CapitalisationEntry) -> str:
    return entry.url if isinstance(entry, ReusableAsset | Dissemination) else ""


def _csv_line(row: CapitalisationRow) -> list[str | date | None]:
    e = row.entry
    lesson = e if isinstance(e, Lesson) else None
    asset = e if isinstance(e, ReusableAsset) else None
    replication = e if isinstance(e, Replication) else None
    event = e if isinstance(e, Dissemination) else None
    return [
        row.entry_id,
        label(row.kind),
        e.title,
        gettext_(WITHDRAWN if row.withdrawn else ACTIVE),
        entry_date(e),
        _licence(e),
        _url(e),
        label(asset.asset_type) if asset else "",
        asset.description if asset else "",
        lesson.worked if lesson else "",
        lesson.did_not_work if lesson else "",
        lesson.for_whom if lesson else "",
        replication.reused_by if replication else "",
        replication.adaptation if replication else "",
        event.audience if event else "",
        event.place if event else "",
        _day(row.recorded_at),
        _day(row.amended_at),
        _day(row.withdrawn_at),
        row.withdrawal_reason,
    ]


def _text(cell: str | date | None) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return neutralise(cell)


def capitalisation_csv(export: CapitalisationExport) -> Iterator[str]:
    """The register as CSV text (RFC 4180, ``\\r\\n``), line by line, after a BOM."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(gettext_(header)) for header in COLUMNS])
    yield buffer.getvalue()
    for row in export.entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_text(cell) for cell in _csv_line(row)])
        yield buffer.getvalue()


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _details(entry: CapitalisationEntry) -> dict[str, str]:
    if isinstance(entry, Lesson):
        return {
            "worked": entry.worked,
            "did_not_work": entry.did_not_work,
            "for_whom": entry.for_whom,
        }
    if isinstance(entry, ReusableAsset):
        return {
            "asset_type": entry.asset_type.value,
            "description": entry.description,
        }
    if isinstance(entry, Replication):
        return {"reused_by": entry.reused_by, "adaptation": entry.adaptation}
    return {"audience": entry.audience, "place": entry.place}


def open_data_entry(row: CapitalisationRow) -> dict[str, Any]:
    """One entry in the open-data schema (version 1)."""
    day = entry_date(row.entry)
    return {
        "id": row.entry_id,
        "kind": row.kind.value,
        "title": row.entry.title,
        "status": "withdrawn" if row.withdrawn else "active",
        "licence": _licence(row.entry) or None,
        "url": _url(row.entry) or None,
        "date": day.isoformat() if day else None,
        "recorded_at": _moment(row.recorded_at),
        "amended_at": _moment(row.amended_at),
        "withdrawn_at": _moment(row.withdrawn_at),
        "withdrawal_reason": row.withdrawal_reason or None,
        "details": _details(row.entry),
    }


def open_data(export: CapitalisationExport, generated_at: datetime) -> dict[str, Any]:
    """The register as an open-data document (schema version 1)."""
    details = export.consortium
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _moment(generated_at),
        "consortium": {
            "id": export.consortium_id,
            "name": details.name if details else "",
            "acronym": details.acronym if details else "",
            "territory": details.territory if details else "",
            "call": {
                "name": details.call.name if details else "",
                "funder": details.call.funder if details else "",
                "reference": details.call.reference if details else "",
            },
        },
        "entries": [open_data_entry(row) for row in export.entries],
    }


def capitalisation_json(export: CapitalisationExport, generated_at: datetime) -> bytes:
    """The open-data document as UTF-8 JSON, indented for people to read too."""
    document = open_data(export, generated_at)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
