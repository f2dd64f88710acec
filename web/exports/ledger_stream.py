"""A consortium's ledger export as it is read: its totals first, then part by part.

Shared by the export routes and the benchmark's export probe, so that what is
measured is what is served. Only the partners and the kept totals are read before
the first line; the commitments follow part by part (``projections.ledger_parts``),
each part on a connection of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Connection

from projections.consortia import consortium_details
from projections.ledger_parts import ledger_in_parts
from projections.ledger_summary import LedgerSummary, summary_of
from projections.ledger_totals import totals_of
from projections.partners import PartnerRow, partners_of
from web.exports.ledger import LedgerExport, ledger_csv_in_parts, ledger_xlsx_in_parts


@dataclass(frozen=True)
class LedgerStream:
    """What both exports need before the first line, and the ledger to come."""

    stem: str
    consortium_name: str
    partners: list[PartnerRow]
    summary: LedgerSummary
    parts: Iterator[LedgerExport]

    def csv(self) -> Iterator[str]:
        """The CSV text, chunk by chunk (``ledger_csv``)."""
        return ledger_csv_in_parts(self.parts)

    def xlsx(self) -> bytes:
        """The Excel workbook (``ledger_xlsx``)."""
        return ledger_xlsx_in_parts(
            self.consortium_name, self.partners, self.summary, self.parts
        )


def ledger_stream(
    connect: Callable[[], AbstractContextManager[Connection]], consortium_id: str
) -> LedgerStream:
    """The consortium's ledger export, its commitments still to be read."""
    with connect() as connection:
        details = consortium_details(connection, consortium_id)
        partners = partners_of(connection, consortium_id)
        summary = summary_of(partners, totals_of(connection, consortium_id), [])
    name = details.name if details else ""
    parts = (
        LedgerExport(
            consortium_name=name,
            partners=partners,
            commitments=part.commitments,
            contributions=part.contributions,
            changes=part.changes,
        )
        for part in ledger_in_parts(connect, consortium_id)
    )
    stem = f"ledger-{(details.acronym if details else '') or consortium_id[:8]}"
    return LedgerStream(stem, name, partners, summary, parts)
