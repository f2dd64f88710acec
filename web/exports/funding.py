"""The grant as an Excel workbook: the tranches, then every payment and recovery.

Words are in the reader's language; amounts are numbers, never text; every text
cell is neutralised against formula injection (``web.exports.ledger.neutralise``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font

from projections.funding_status import Funding
from web.exports.ledger import AMOUNT_FORMAT, neutralise
from web.i18n import N_, format_day, gettext_
from web.presentation.funding_words import released_by
from web.presentation.labels import label

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | Decimal | int | None


def _append(sheet: Worksheet, values: Sequence[Cell], *, bold: bool = False) -> None:
    sheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal | int) and not isinstance(cell.value, bool):
            cell.number_format = AMOUNT_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _tranches(
    sheet: Worksheet, name: str, funding: Funding | None, rows: list[dict[str, Any]]
) -> None:
    _append(sheet, [gettext_(N_("Funding")), name], bold=True)
    if funding is None:
        _append(sheet, [gettext_(N_("The funder has not set up the grant yet."))])
        return
    terms = funding.grant.terms
    _append(sheet, [gettext_(N_("Grant")), terms.amount])
    _append(sheet, [gettext_(N_("Rate (%)")), terms.rate])
    _append(
        sheet, [gettext_(N_("Accepted expenses")), funding.figures.accepted_expenses]
    )
    _append(sheet, [gettext_(N_("Received")), funding.figures.received])
    _append(sheet, [gettext_(N_("Remaining")), funding.figures.remaining])
    _append(sheet, [])
    _append(
        sheet,
        [
            gettext_(N_("Tranche")),
            gettext_(N_("Condition")),
            gettext_(N_("State")),
            gettext_(N_("Waiting for")),
            gettext_(N_("Planned")),
            gettext_(N_("Paid")),
            gettext_(N_("Due")),
            gettext_(N_("Remaining")),
        ],
        bold=True,
    )
    for row in rows:
        view = row["view"]
        f = view.figures
        _append(
            sheet,
            [
                row["name"],
                label(view.tranche.condition),
                label(view.state),
                row["waits_on"],
                f.planned,
                f.paid,
                f.due,
                f.remaining,
            ],
        )
    sheet.column_dimensions["A"].width = 30


def _movements(sheet: Worksheet, funding: Funding | None) -> None:
    _append(
        sheet,
        [
            gettext_(N_("Date")),
            gettext_(N_("Movement")),
            gettext_(N_("Amount")),
            gettext_(N_("Released by")),
            gettext_(N_("Reason")),
        ],
        bold=True,
    )
    if funding is None:
        return
    for m in funding.grant.movements:
        kind = N_("Recovery") if m.is_recovery else N_("Payment")
        _append(
            sheet,
            [
                format_day(m.on_day),
                gettext_(kind),
                m.signed_amount,
                released_by(m.release),
                m.reason,
            ],
        )


def funding_xlsx(
    consortium_name: str, funding: Funding | None, rows: list[dict[str, Any]]
) -> bytes:
    """The workbook of a consortium's grant."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # noqa: S101 - a new workbook has a sheet
    first.title = gettext_(N_("Tranches"))[:31]
    _tranches(first, consortium_name, funding, rows)
    _movements(workbook.create_sheet(gettext_(N_("Payments"))[:31]), funding)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
