"""The application file as the read side gathers it: the consortium's presentation
to a funder, from what is recorded (never typed again).

Partners with kind, role, axis and what each brings (its standing commitments);
governance bodies and their rules; the financing plan in force with its figures;
the indicators; the documents filed (letters and agreements, with signatures); and
the call's rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from projections.budget_summary import Budget
from projections.call_view import CallView, call_view
from projections.consortia import ConsortiumDetails, consortium_details
from projections.decisions.queries import bodies_of
from projections.decisions.rows import BodyRow
from projections.documents import DocumentRow, documents_of
from projections.indicators import IndicatorRow, indicators_of
from projections.ledger import CommitmentRow, commitments_of
from projections.ledger_summary import is_withdrawn
from projections.partners import PartnerRow


@dataclass(frozen=True)
class PartnerSheet:
    """One partner as the file presents it, with what it brings."""

    partner: PartnerRow
    brings: tuple[CommitmentRow, ...]


@dataclass(frozen=True)
class ApplicationFile:
    """Everything the application file shows."""

    details: ConsortiumDetails
    sheets: tuple[PartnerSheet, ...]
    bodies: tuple[BodyRow, ...]
    budget: Budget
    indicators: tuple[IndicatorRow, ...]
    documents: tuple[DocumentRow, ...]
    call: CallView

    @property
    def names(self) -> dict[str, str]:
        return self.budget.names


def application_file(
    connection: Connection, consortium_id: str
) -> ApplicationFile | None:
    """The consortium's application file, or None when there is no consortium."""
    details = consortium_details(connection, consortium_id)
    if details is None:
        return None
    view = call_view(connection, consortium_id)
    budget = view.budget
    commitments = commitments_of(connection, consortium_id)
    active = [p for p in budget.partners if p.active]
    sheets = tuple(
        PartnerSheet(
            p,
            tuple(
                c
                for c in commitments
                if c.partner_id == p.partner_id and not is_withdrawn(c, p)
            ),
        )
        for p in active
    )
    return ApplicationFile(
        details,
        sheets,
        tuple(bodies_of(connection, consortium_id)),
        budget,
        tuple(indicators_of(connection, consortium_id)),
        tuple(documents_of(connection, consortium_id)),
        view,
    )
