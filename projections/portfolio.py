"""A financer's portfolio: the consortia they fund, each at a glance.

Phase, reporting (overdue, waiting for review, next deadline), contributions
delivered against pledged, the open warnings of the ledger, and the grant's money
(granted, received, remaining, consumption, next tranche and what it waits on): one
read-model query over the consortia, members, reporting, partners, ledger, expense
and funding read models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, Select, bindparam, select

from governance.values import MemberRole, ReportStatus
from governance.warnings import ledger_warnings
from projections.consortia import ConsortiumRow, consortia_of, consortium_details
from projections.funding_status import MoneyAtAGlance, money_at_a_glance
from projections.ledger_summary import Totals, facts_of, summary_of
from projections.ledger_totals import totals_of
from projections.members import memberships
from projections.partners import partners_of
from projections.reporting import obligations_of


@dataclass(frozen=True)
class Funded:
    """One funded consortium, at a glance."""

    consortium: ConsortiumRow
    overdue: int
    to_review: int
    next_due: date | None
    totals: Totals
    warnings: int
    money: MoneyAtAGlance | None = None
    """The grant at a glance (None before the funder sets it up)."""

    @property
    def delivered_share(self) -> Decimal | None:
        if not self.totals.pledged_eur:
            return None
        return self.totals.delivered_eur / self.totals.pledged_eur


def _funded(connection: Connection, row: ConsortiumRow, today: date) -> Funded:
    cid = row.consortium_id
    reports = obligations_of(connection, cid)
    partners = partners_of(connection, cid)
    # The ledger's kept totals: a line per partner and kind, not every commitment.
    lines = totals_of(connection, cid)
    summary = summary_of(partners, lines, [])
    details = consortium_details(connection, cid)
    assert details is not None  # noqa: S101 - listed, so it exists
    warnings = ledger_warnings(facts_of(partners, lines), details.phase, today)
    upcoming = [
        r.due_on
        for r in reports
        if r.due_on >= today
        and r.status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    ]
    return Funded(
        consortium=row,
        overdue=sum(1 for r in reports if r.overdue_on(today)),
        to_review=sum(1 for r in reports if r.status is ReportStatus.SUBMITTED),
        next_due=min(upcoming, default=None),
        totals=summary.totals,
        warnings=len(warnings),
        money=money_at_a_glance(connection, cid),
    )


def funds_any_query(person: ColumnElement[str]) -> Select[tuple[str]]:
    """One consortium ``person`` funds (as a financer), if any: the menu's
    portfolio link."""
    return (
        select(memberships.c.consortium_id)
        .where(
            memberships.c.account_id == person,
            memberships.c.role == MemberRole.FINANCER.value,
        )
        .limit(1)
    )


# Built once: every page's menu asks it.
FUNDS_ANY = funds_any_query(bindparam("account_id"))


def funds_any(connection: Connection, account_id: str) -> bool:
    """Whether the person is a financer of some consortium (for the menu)."""
    return connection.scalar(FUNDS_ANY, {"account_id": account_id}) is not None


def portfolio_of(connection: Connection, account_id: str, today: date) -> list[Funded]:
    """The consortia the person funds (as a financer), each at a glance on ``today``."""
    funded_ids = set(
        connection.scalars(
            select(memberships.c.consortium_id).where(
                memberships.c.account_id == account_id,
                memberships.c.role == MemberRole.FINANCER.value,
            )
        )
    )
    return [
        _funded(connection, row, today)
        for row in consortia_of(connection, account_id)
        if row.consortium_id in funded_ids
    ]
