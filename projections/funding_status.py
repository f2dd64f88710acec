"""A grant as its pages show it: each tranche's state and what it waits on, the
figures, and a consortium's money at a glance for the financer's portfolio.

Whether a tranche's condition holds is read from the read models exactly as the
service reads it from the log (``governance.application.funding``): the convention
signed is the consortium's phase; a report's tranche needs the report accepted and
every partner's statement of its period, holding lines, accepted. Accepted expenses
count every accepted statement of the consortium.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from sqlalchemy import Connection

from governance.financing.figures import plan_figures
from governance.financing.funding_figures import (
    FundingFigures,
    TrancheFigures,
    funding_figures,
)
from governance.financing.grant_values import Tranche, TrancheCondition
from governance.financing.statement_values import StatementStatus
from governance.values import Phase, ReportStatus
from projections.consortia import consortium_details
from projections.expenses import StatementRow, statements_of
from projections.expenses_summary import plan_in_force
from projections.funding import GrantRow, MovementRow, grant_of
from projections.reporting import ObligationRow, obligations_of

SIGNED_PHASES = (Phase.AGREEMENT_SIGNED, Phase.IMPLEMENTATION, Phase.CLOSED)
ZERO = Decimal(0)


class Waiting(Enum):
    """What a tranche waits on before it may be paid."""

    CONVENTION = "convention"
    REPORT = "report"
    STATEMENTS_DECLARED = "statements_declared"
    STATEMENTS = "statements"


class TrancheState(Enum):
    """Where a tranche is."""

    WAITING = "waiting"
    READY = "ready"
    PAID = "paid"
    NOTHING_DUE = "nothing_due"


@dataclass(frozen=True)
class TrancheView:
    """One tranche on the page: its figures, state, and what it waits on."""

    figures: TrancheFigures
    state: TrancheState
    waiting: Waiting | None
    report: ObligationRow | None
    payments: tuple[MovementRow, ...]

    @property
    def tranche(self) -> Tranche:
        return self.figures.tranche


@dataclass(frozen=True)
class Funding:
    """The funding page: the grant, each tranche, the figures, the movements."""

    grant: GrantRow
    figures: FundingFigures
    tranches: tuple[TrancheView, ...]
    reports: tuple[ObligationRow, ...]

    @property
    def next_tranche(self) -> TrancheView | None:
        """The first tranche not paid in full (None when all are)."""
        return next(
            (
                t
                for t in self.tranches
                if t.state in (TrancheState.WAITING, TrancheState.READY)
            ),
            None,
        )

    @property
    def ready(self) -> tuple[TrancheView, ...]:
        return tuple(t for t in self.tranches if t.state is TrancheState.READY)


def _waiting(
    tranche: Tranche,
    phase: Phase,
    report: ObligationRow | None,
    statements: list[StatementRow],
) -> Waiting | None:
    if tranche.condition is TrancheCondition.CONVENTION_SIGNED:
        return None if phase in SIGNED_PHASES else Waiting.CONVENTION
    if report is None or report.status is not ReportStatus.ACCEPTED:
        return Waiting.REPORT
    period = [
        s for s in statements if s.obligation_id == tranche.obligation_id and s.lines
    ]
    # As the service: the balance may come without statements of its own period.
    if not period and tranche.condition is TrancheCondition.REPORT_ACCEPTED:
        return Waiting.STATEMENTS_DECLARED
    if any(s.status is not StatementStatus.ACCEPTED for s in period):
        return Waiting.STATEMENTS
    return None


def _state(row: TrancheFigures) -> TrancheState:
    if not row.ready:
        return TrancheState.WAITING
    if row.due > 0:
        return TrancheState.READY
    if row.paid > 0 and row.remaining == 0:
        return TrancheState.PAID
    return TrancheState.NOTHING_DUE


def funding_of(connection: Connection, consortium_id: str) -> Funding | None:
    """The consortium's grant as the funding page shows it (None before it is set)."""
    grant = grant_of(connection, consortium_id)
    details = consortium_details(connection, consortium_id)
    if grant is None or details is None:
        return None
    reports = {r.obligation_id: r for r in obligations_of(connection, consortium_id)}
    statements = statements_of(connection, consortium_id)
    waits = {
        t.tranche_id: _waiting(
            t, details.phase, reports.get(t.obligation_id), statements
        )
        for t in grant.tranches
    }
    accepted = sum((s.accepted or ZERO for s in statements), ZERO)
    figures = funding_figures(
        grant.terms,
        grant.tranches,
        grant.payments,
        grant.recoveries,
        accepted,
        {tid for tid, w in waits.items() if w is None},
    )
    views = tuple(
        TrancheView(
            row,
            _state(row),
            waits[row.tranche.tranche_id],
            reports.get(row.tranche.obligation_id),
            tuple(m for m in grant.movements if m.tranche_id == row.tranche.tranche_id),
        )
        for row in figures.tranches
    )
    return Funding(grant, figures, views, tuple(reports.values()))


@dataclass(frozen=True)
class MoneyAtAGlance:
    """A consortium's grant in the financer's portfolio."""

    granted: Decimal
    received: Decimal
    remaining: Decimal
    accepted: Decimal
    planned: Decimal
    next_tranche: TrancheView | None
    tranches: tuple[TrancheView, ...] = ()

    @property
    def consumption(self) -> Decimal | None:
        """Accepted expenses over the planned costs (None without a plan)."""
        return self.accepted / self.planned if self.planned else None


def money_at_a_glance(
    connection: Connection, consortium_id: str
) -> MoneyAtAGlance | None:
    """Granted, received, remaining, consumption, next tranche (None: no grant)."""
    funding = funding_of(connection, consortium_id)
    if funding is None:
        return None
    content, _ = plan_in_force(connection, consortium_id)
    figures = funding.figures
    return MoneyAtAGlance(
        funding.grant.terms.amount,
        figures.received,
        figures.remaining,
        figures.accepted_expenses,
        plan_figures(content).total_costs,
        funding.next_tranche,
        funding.tranches,
    )


def report_ids(funding: Funding) -> list[str]:
    """Every report of the consortium: the service counts their statements."""
    return [r.obligation_id for r in funding.reports]
