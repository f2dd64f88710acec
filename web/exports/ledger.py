"""Exports of the contributions ledger: a CSV file and an Excel workbook.

Both list every ledger line of a consortium: each commitment, then its amendments,
its withdrawal and its deliveries, with the evidence's SHA-256 so an auditor can match
files to lines. Headers and fixed words are in the current language.

Every text cell is neutralised against formula injection (OWASP "CSV injection",
ASVS 1.2.10; quality case S17): a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return gets a leading single quote, so a spreadsheet shows it as
text instead of running it. Amounts and dates are never text: in CSV they are plain
``1234.50`` and ``2026-03-02``; in Excel they are numbers and dates.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from projections.ledger import ChangeRow, CommitmentRow, ContributionRow
from projections.ledger_summary import LedgerSummary, Totals, is_withdrawn, summarise
from projections.partners import PartnerRow
from web.i18n import DISPLAY_ZONE, N_, gettext_
from web.i18n import pgettext_ as pgettext  # Babel extracts pgettext's context
from web.presentation.labels import label

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Value = str | Decimal | date | None
"""One typed cell of a ledger line: text, an amount, a day, or nothing."""

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.0%"
SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAMES_RESERVED = ("History",)  # Excel keeps this name for itself.

# Columns of a ledger line, in order: header and Excel width in characters.
LEDGER_COLUMNS = (
    (N_("Partner"), 30),
    (N_("Commitment ID"), 38),
    (N_("Entry"), 16),
    (N_("Kind"), 22),
    (N_("Unit"), 16),
    (N_("Amount"), 14),
    (N_("Daily rate (€)"), 14),
    (N_("Starts on"), 12),
    (N_("Ends on"), 12),
    (N_("Covers"), 30),
    (N_("Funding"), 18),
    (N_("Licence"), 16),
    (N_("Valuation method"), 24),
    (N_("Status"), 24),
    (N_("Delivered"), 14),
    (N_("Date"), 12),
    (N_("Description or reason"), 40),
    (N_("Evidence SHA-256"), 66),
    (N_("Evidence file"), 24),
)

# Columns of the summary sheet, in order: header and Excel width in characters.
SUMMARY_COLUMNS = (
    (N_("Partner"), 40),
    (N_("Pledged (€)"), 16),
    (N_("Delivered (€)"), 16),
    (N_("Pledged (person-days)"), 24),
    (N_("Delivered (person-days)"), 24),
    (N_("Delivery rate"), 18),
)

# What each ledger line is.
COMMITMENT = N_("commitment")
AMENDMENT = N_("amendment")
WITHDRAWAL = N_("withdrawal")
DELIVERY = N_("delivery")
ACTIVE = N_("active")
WITHDRAWN_ON = N_("withdrawn on %(day)s")


@dataclass(frozen=True)
class LedgerExport:
    """Everything one consortium's ledger export shows."""

    consortium_name: str
    partners: list[PartnerRow]
    commitments: list[CommitmentRow]
    contributions: list[ContributionRow]
    changes: dict[str, list[ChangeRow]]
    """Each commitment's history, by commitment id, oldest first."""


def neutralise(value: str) -> str:
    """``value`` made safe for a spreadsheet cell: formulas become plain text.

    A value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    prefixed with a single quote; anything else is returned unchanged.
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _headers(columns: Sequence[tuple[str, int]]) -> list[str]:
    return [neutralise(gettext_(message)) for message, _width in columns]


def _day(moment: datetime) -> date:
    """The day of a recorded moment, in Paris time."""
    return moment.astimezone(DISPLAY_ZONE).date()


def _amount(value: object) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _iso_day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _status(commitment: CommitmentRow, partner: PartnerRow | None) -> str:
    if not is_withdrawn(commitment, partner):
        return gettext_(ACTIVE)
    on = commitment.withdrawn_on or (partner.withdrawn_on if partner else None)
    return gettext_(WITHDRAWN_ON) % {"day": on.isoformat() if on else ""}


def _line(
    partner_name: str,
    commitment: CommitmentRow,
    entry: str,
    *,
    amount: Decimal | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    day: date | None = None,
    text: str = "",
    sha256: str = "",
    filename: str = "",
) -> list[Value]:
    """A line that is not the commitment itself: only its own facts are filled."""
    return [
        partner_name,
        commitment.commitment_id,
        gettext_(entry),
        label(commitment.kind),
        label(commitment.unit),
        amount,
        None,
        starts_on,
        ends_on,
        "",
        "",
        "",
        "",
        "",
        None,
        day,
        text,
        sha256,
        filename,
    ]


def _commitment_lines(
    commitment: CommitmentRow,
    partner: PartnerRow | None,
    changes: list[ChangeRow],
    deliveries: list[ContributionRow],
) -> Iterator[list[Value]]:
    """A commitment's line, then its amendments, its withdrawal and its deliveries."""
    name = partner.name if partner else commitment.partner_id
    yield [
        name,
        commitment.commitment_id,
        gettext_(COMMITMENT),
        label(commitment.kind),
        label(commitment.unit),
        commitment.amount,
        commitment.daily_rate,
        commitment.starts_on,
        commitment.ends_on,
        commitment.covers,
        label(commitment.funding),
        commitment.licence,
        commitment.valuation_method,
        _status(commitment, partner),
        commitment.delivered,
        _day(commitment.pledged_at),
        "",
        "",
        "",
    ]
    for change in changes:
        if change.kind != "amended":
            continue
        yield _line(
            name,
            commitment,
            AMENDMENT,
            amount=_amount(change.params.get("amount")),
            starts_on=_iso_day(change.params.get("starts_on")),
            ends_on=_iso_day(change.params.get("ends_on")),
            day=_day(change.recorded_at),
            text=str(change.params.get("reason", "")),
        )
    if commitment.withdrawn_on is not None:
        yield _line(
            name,
            commitment,
            WITHDRAWAL,
            day=commitment.withdrawn_on,
            text=commitment.withdrawal_reason,
        )
    for delivery in deliveries:
        evidence = delivery.evidence
        yield _line(
            name,
            commitment,
            DELIVERY,
            amount=delivery.amount,
            day=delivery.delivered_on,
            text=delivery.description,
            sha256=evidence.sha256 if evidence else "",
            filename=evidence.filename if evidence else "",
        )


def _ledger_lines(export: LedgerExport) -> Iterator[list[Value]]:
    """Every ledger line, typed, without the header."""
    return (line for _partner_id, line in _partner_lines(export))


def _partner_lines(export: LedgerExport) -> Iterator[tuple[str, list[Value]]]:
    """Every ledger line, typed, with the id of the partner it belongs to."""
    partners = {p.partner_id: p for p in export.partners}
    deliveries: dict[str, list[ContributionRow]] = defaultdict(list)
    for contribution in export.contributions:
        deliveries[contribution.commitment_id].append(contribution)
    for commitment in export.commitments:
        for line in _commitment_lines(
            commitment,
            partners.get(commitment.partner_id),
            export.changes.get(commitment.commitment_id, []),
            deliveries.get(commitment.commitment_id, []),
        ):
            yield commitment.partner_id, line


def _text(cell: Value) -> str:
    """A typed cell as CSV text: amounts with a dot, days in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, date):
        return cell.isoformat()
    return neutralise(cell)


def ledger_rows(export: LedgerExport) -> Iterator[list[str]]:
    """The header, then every ledger line as text cells, neutralised.

    Lines come commitment by commitment, in the order of ``export.commitments``:
    the commitment, its amendments, its withdrawal, then its deliveries.
    """
    yield _headers(LEDGER_COLUMNS)
    for line in _ledger_lines(export):
        yield [_text(cell) for cell in line]


def ledger_csv(export: LedgerExport) -> Iterator[str]:
    """The ledger as CSV text (RFC 4180, ``\\r\\n``), line by line, after a BOM.

    The UTF-8 byte order mark comes alone as the first chunk, so that Excel reads
    accented letters correctly.
    """
    return ledger_csv_in_parts([export])


def ledger_csv_in_parts(parts: Iterable[LedgerExport]) -> Iterator[str]:
    """``ledger_csv`` of a ledger read part by part (consecutive commitments, each
    with its history and deliveries): one header, each part's lines as it comes."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    rows = chain(
        [_headers(LEDGER_COLUMNS)],
        (
            [_text(cell) for cell in line]
            for part in parts
            for line in _ledger_lines(part)
        ),
    )
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def sheet_names(names: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """Legal, unique Excel sheet names for ``names``, in order.

    Characters Excel refuses (``[]:*?/\\`` and control characters) become ``-``,
    names are cut to 31 characters, and a name already used (Excel ignores case)
    gets a suffix `` (2)``, `` (3)``... ``taken`` are names already in the workbook.
    """
    used = {name.casefold() for name in (*SHEET_NAMES_RESERVED, *taken)}
    result = []
    for name in names:
        base = SHEET_NAME_FORBIDDEN.sub("-", ILLEGAL_CHARACTERS_RE.sub("-", name))
        base = base.strip().strip("'").strip() or "-"
        candidate = base[:SHEET_NAME_LIMIT]
        number = 1
        while candidate.casefold() in used:
            number += 1
            suffix = f" ({number})"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix
        used.add(candidate.casefold())
        result.append(candidate)
    return result


def _cell(
    sheet: WriteOnlyWorksheet, value: Value, number_format: str | None = None
) -> Cell | str | None:
    """A typed cell for Excel: text neutralised, amounts and days formatted.

    Control characters Excel cannot store are dropped; empty text is no cell.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    # The stubs type WriteOnlyCell's value narrower than the Cell it builds, which
    # takes Decimal and date (openpyxl/cell/cell.py, _bind_value).
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    if number_format is None:
        is_amount = isinstance(value, Decimal)
        number_format = AMOUNT_FORMAT if is_amount else DATE_FORMAT
    cell.number_format = number_format
    return cell


def _append_header(sheet: WriteOnlyWorksheet, headers: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _prepare(sheet: WriteOnlyWorksheet, columns: Sequence[tuple[str, int]]) -> None:
    """Column widths and a frozen header: set before any row is written."""
    # Set by Worksheet._setup, which WriteOnlyWorksheet shares; the stubs omit it.
    dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
    for index, (_header, width) in enumerate(columns, start=1):
        dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _summary_line(name: str, totals: Totals) -> list[Value]:
    rate = totals.delivery_rate
    return [
        name,
        totals.pledged_eur,
        totals.delivered_eur,
        totals.pledged_days,
        totals.delivered_days,
        rate.quantize(Decimal("0.0001")) if rate is not None else None,
    ]


def _append_summary(sheet: WriteOnlyWorksheet, line: list[Value]) -> None:
    *amounts, rate = line
    cells = [_cell(sheet, value) for value in amounts]
    sheet.append([*cells, _cell(sheet, rate, RATE_FORMAT)])


def ledger_xlsx(export: LedgerExport) -> bytes:
    """The ledger as an Excel workbook: a summary sheet, then one sheet per partner.

    The summary has per partner (and in total) the euros and person-days pledged
    and delivered and the delivery rate; each partner's sheet has its ledger lines
    with the same columns as the CSV. Amounts are numbers, days are dates.
    """
    return ledger_xlsx_in_parts(
        export.consortium_name,
        export.partners,
        summarise(export.partners, export.commitments, export.contributions),
        [export],
    )


def ledger_xlsx_in_parts(
    consortium_name: str,
    partners: list[PartnerRow],
    totals: LedgerSummary,
    parts: Iterable[LedgerExport],
) -> bytes:
    """``ledger_xlsx`` of a ledger read part by part, with its totals given (the
    projection keeps them): each part's lines go to their partners' sheets as it
    comes, so no more than a part is held besides the workbook."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = consortium_name
    summary_name = pgettext("spreadsheet", "Summary")
    summary = workbook.create_sheet(sheet_names([summary_name])[0])
    _prepare(summary, SUMMARY_COLUMNS)
    _append_header(summary, _headers(SUMMARY_COLUMNS))
    for partner_totals in totals.partners:
        _append_summary(
            summary, _summary_line(partner_totals.name, partner_totals.totals)
        )
    _append_summary(summary, _summary_line(gettext_(N_("Total")), totals.totals))

    names = sheet_names([p.name for p in partners], taken=[summary.title])
    headers = _headers(LEDGER_COLUMNS)
    sheets: dict[str, WriteOnlyWorksheet] = {}
    for partner, name in zip(partners, names, strict=True):
        sheet = sheets[partner.partner_id] = workbook.create_sheet(name)
        _prepare(sheet, LEDGER_COLUMNS)
        _append_header(sheet, headers)
    for part in parts:
        for partner_id, line in _partner_lines(part):
            found = sheets.get(partner_id)
            if found is not None:
                found.append([_cell(found, value) for value in line])

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
