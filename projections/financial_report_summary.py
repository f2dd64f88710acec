"""A financial report as its page and exports show it (compte rendu financier).

The figures come from the plan in force and the statements' read model, computed
with the same pure function the service certifies with
(``governance.financing.report_values.report_figures``); the explanations and the
certification from the financial reports' read model. The resources side shows the
plan's resources by source (prorated like the expenses for a period) against what
was received during the scope: the funder's payments net of recoveries (the grant's
read model, ``projections.funding``), the partners' own funds and contributions in
kind as delivered in the ledger (valued in euros). Other public funding and revenue
are not recorded anywhere: their received cell stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from governance.financing.figures import plan_figures
from governance.financing.realised import DeclaredLine
from governance.financing.report_values import (
    FINAL,
    ONE,
    ZERO,
    ReportFigures,
    period_share,
    report_figures,
)
from governance.financing.statement_values import StatementStatus
from governance.financing.values import (
    PlanContent,
    ResourceSource,
    committed_euros,
    to_cents,
)
from governance.values import ContributionKind
from projections.expenses import LineRow, StatementRow, statements_of
from projections.expenses_summary import declared_lines, plan_in_force
from projections.financial_reports import ReportRecord, records_of
from projections.funding import MovementRow, payments_received
from projections.ledger import co_financing_delivered
from projections.partners import PartnerRow, partners_of
from projections.reporting import ObligationRow, obligations_of


@dataclass(frozen=True)
class AcceptedLine:
    """An accepted expense line with whose and which period's it is."""

    partner_id: str
    obligation_id: str
    row: LineRow


@dataclass(frozen=True)
class ResourceRow:
    """One source of the resources side: planned, and received (None: not known)."""

    source: ResourceSource
    planned: Decimal
    received: Decimal | None


@dataclass(frozen=True)
class FinancialReportView:
    """Everything a financial report shows."""

    scope: str
    obligation: ObligationRow | None
    periods: tuple[ObligationRow, ...]
    partners: tuple[PartnerRow, ...]
    plan: PlanContent
    plan_version: int | None
    figures: ReportFigures
    accepted: tuple[AcceptedLine, ...]
    waiting: bool
    resources: tuple[ResourceRow, ...]
    record: ReportRecord | None
    payments: tuple[MovementRow, ...] = ()
    """The funder's payments and recoveries of the scope (its period's dates)."""

    @property
    def final(self) -> bool:
        return self.scope == FINAL

    @property
    def names(self) -> dict[str, str]:
        return {p.partner_id: p.name for p in self.partners}

    @property
    def explanations(self) -> dict[str, str]:
        """The coordinator's words by category value."""
        if self.record is None:
            return {}
        return {c.value: text for c, text in self.record.explanations.items()}

    @property
    def certified(self) -> bool:
        return self.record is not None and self.record.certification is not None

    @property
    def accepted_total(self) -> Decimal:
        return sum((a.row.line.eligible for a in self.accepted), ZERO)

    @property
    def unexplained(self) -> int:
        words = self.explanations
        return sum(1 for c in self.figures.to_explain if c.value not in words)


@dataclass(frozen=True)
class ReportListing:
    """A report in the list: its scope, its period, accepted total, certified."""

    scope: str
    obligation: ObligationRow | None
    accepted: Decimal
    certified: bool


def _in_scope(statements: list[StatementRow], periods: set[str]) -> list[StatementRow]:
    return [s for s in statements if s.obligation_id in periods]


def _received_in_kind(
    connection: Connection,
    consortium_id: str,
    span: tuple[date | None, date | None],
) -> dict[ResourceSource, Decimal]:
    """Own funds and contributions in kind delivered during ``span``, in euros."""
    start, end = span
    found = {ResourceSource.OWN_FUNDS: ZERO, ResourceSource.IN_KIND: ZERO}
    for kind, daily_rate, amount in co_financing_delivered(
        connection, consortium_id, start, end
    ):
        euros = committed_euros(kind, amount, daily_rate)
        if euros is None:
            continue
        source = (
            ResourceSource.OWN_FUNDS
            if kind is ContributionKind.FINANCIAL
            else ResourceSource.IN_KIND
        )
        found[source] += euros
    return found


def payments_in(
    connection: Connection,
    consortium_id: str,
    span: tuple[date | None, date | None],
) -> tuple[MovementRow, ...]:
    """The funder's payments and recoveries dated within ``span`` (every one when
    it is open), from the grant's read model."""
    start, end = span
    return tuple(
        m
        for m in payments_received(connection, consortium_id, end)
        if start is None or m.on_day >= start
    )


def _resources(
    connection: Connection,
    consortium_id: str,
    plan: PlanContent,
    share: Decimal,
    span: tuple[date | None, date | None],
) -> tuple[ResourceRow, ...]:
    planned = plan_figures(plan)
    received: dict[ResourceSource, Decimal] = dict(
        _received_in_kind(connection, consortium_id, span)
    )
    received[ResourceSource.REQUESTED] = sum(
        (m.signed_amount for m in payments_in(connection, consortium_id, span)),
        ZERO,
    )
    return tuple(
        ResourceRow(s, to_cents(planned.resource(s) * share), received.get(s))
        for s in ResourceSource
    )


def financial_report_of(
    connection: Connection, consortium_id: str, scope: str
) -> FinancialReportView | None:
    """The consortium's report of one period (its report's id) or the final one;
    None when the scope is not one of its reporting periods."""
    obligations = obligations_of(connection, consortium_id)
    obligation = next((o for o in obligations if o.obligation_id == scope), None)
    if scope != FINAL and obligation is None:
        return None
    periods = tuple(obligations) if obligation is None else (obligation,)
    partners = partners_of(connection, consortium_id)
    plan, number = plan_in_force(connection, consortium_id)
    rules = plan.rules
    share = ONE
    span: tuple[date | None, date | None] = (None, None)
    if obligation is not None:
        span = (obligation.period_start, obligation.period_end)
        share = period_share(span, (rules.eligible_from, rules.eligible_until))
    statements = _in_scope(
        statements_of(connection, consortium_id), {o.obligation_id for o in periods}
    )
    declared: list[DeclaredLine] = declared_lines(statements)
    figures = report_figures(
        plan.expenses,
        declared,
        share=share,
        threshold=rules.reallocation_share,
        partners=[p.partner_id for p in partners],
    )
    accepted = tuple(
        AcceptedLine(s.partner_id, s.obligation_id, r)
        for s in statements
        if s.status is StatementStatus.ACCEPTED
        for r in s.lines
        if r.accepted
    )
    return FinancialReportView(
        scope,
        obligation,
        periods,
        tuple(partners),
        plan,
        number,
        figures,
        accepted,
        any(s.lines and s.status is not StatementStatus.ACCEPTED for s in statements),
        _resources(connection, consortium_id, plan, share, span),
        records_of(connection, consortium_id).get(scope),
        payments_in(connection, consortium_id, span),
    )


def financial_reports_of(
    connection: Connection, consortium_id: str
) -> list[ReportListing]:
    """The reports a consortium can draw up: each period with statements, then the
    final report."""
    statements = statements_of(connection, consortium_id)
    records = records_of(connection, consortium_id)
    with_lines = {s.obligation_id for s in statements if s.lines}

    def accepted(periods: set[str]) -> Decimal:
        return sum(
            (s.accepted or ZERO for s in statements if s.obligation_id in periods),
            ZERO,
        )

    def certified(scope: str) -> bool:
        record = records.get(scope)
        return record is not None and record.certification is not None

    listing = [
        ReportListing(
            o.obligation_id,
            o,
            accepted({o.obligation_id}),
            certified(o.obligation_id),
        )
        for o in obligations_of(connection, consortium_id)
        if o.obligation_id in with_lines
    ]
    listing.append(ReportListing(FINAL, None, accepted(with_lines), certified(FINAL)))
    return listing
