"""A consortium's expenses as its pages show them: the statements by reporting
period, budget against realised by partner, category and work package, and checks.

The budget compared is the plan in force: the latest filed version (the
convention's, then each amendment's), or the draft before any is filed. Only direct
costs are compared: indirect costs are a flat rate, never declared line by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection

from governance.financing.realised import (
    BY_CATEGORY,
    BY_PARTNER,
    BY_WORK_PACKAGE,
    DeclaredLine,
    Realised,
    breakdown,
    expense_checks,
    total,
)
from governance.financing.statement_values import StatementStatus
from governance.financing.values import DIRECT_CATEGORIES, PlanContent
from governance.warnings import Warning
from projections.budget import draft_of, versions_of
from projections.expenses import StatementRow, statements_of
from projections.partners import PartnerRow, partners_of
from projections.reporting import ObligationRow, obligations_of


@dataclass(frozen=True)
class Period:
    """A reporting period and the partners' statements for it."""

    obligation: ObligationRow
    statements: tuple[StatementRow, ...]

    @property
    def declared(self) -> Decimal:
        return sum((s.declared for s in self.statements), Decimal(0))

    @property
    def accepted(self) -> Decimal:
        return sum((s.accepted or Decimal(0) for s in self.statements), Decimal(0))

    @property
    def to_review(self) -> bool:
        """Some partner's statement awaits the financer's review."""
        return any(s.status is StatementStatus.SUBMITTED for s in self.statements)

    @property
    def to_submit(self) -> bool:
        """Some partner's draft has lines: the coordinator may submit the period."""
        return any(
            s.status is StatementStatus.DRAFT and s.lines for s in self.statements
        )


@dataclass(frozen=True)
class Expenses:
    """The expenses page: periods, budget against realised, checks."""

    periods: tuple[Period, ...]
    partners: tuple[PartnerRow, ...]
    plan: PlanContent
    plan_version: int | None
    by_partner: dict[str, Realised]
    by_category: dict[str, Realised]
    by_work_package: dict[str, Realised]
    checks: tuple[Warning, ...]

    @property
    def names(self) -> dict[str, str]:
        return {p.partner_id: p.name for p in self.partners}

    @property
    def total(self) -> Realised:
        return total(self.by_partner.values())

    @property
    def statements(self) -> tuple[StatementRow, ...]:
        return tuple(s for p in self.periods for s in p.statements)

    @property
    def empty(self) -> bool:
        return not any(s.lines for s in self.statements)


def declared_lines(statements: list[StatementRow]) -> list[DeclaredLine]:
    """Every declared line with its fate, as the figures and checks read them."""
    return [
        DeclaredLine(
            s.partner_id,
            s.statement_id,
            r.line,
            not r.accepted,
            s.status is StatementStatus.ACCEPTED and r.accepted,
        )
        for s in statements
        for r in s.lines
    ]


def plan_in_force(
    connection: Connection, consortium_id: str
) -> tuple[PlanContent, int | None]:
    """The latest filed version of the plan (and its number), else the draft."""
    versions = versions_of(connection, consortium_id)
    if versions:
        return versions[-1].content, versions[-1].number
    return draft_of(connection, consortium_id), None


def _ordered(cells: dict[str, Realised], first: list[str]) -> dict[str, Realised]:
    keys = [k for k in first if k in cells] + [k for k in cells if k not in first]
    return {k: cells[k] for k in keys}


def expenses_of(connection: Connection, consortium_id: str) -> Expenses:
    """Everything the expenses pages show of a consortium."""
    partners = partners_of(connection, consortium_id)
    statements = statements_of(connection, consortium_id)
    by_obligation: dict[str, list[StatementRow]] = {}
    for s in statements:
        by_obligation.setdefault(s.obligation_id, []).append(s)
    order = {p.partner_id: i for i, p in enumerate(partners)}
    periods = tuple(
        Period(
            o,
            tuple(
                sorted(
                    by_obligation.get(o.obligation_id, []),
                    key=lambda s: order.get(s.partner_id, len(order)),
                )
            ),
        )
        for o in obligations_of(connection, consortium_id)
    )
    plan, number = plan_in_force(connection, consortium_id)
    declared = declared_lines(statements)
    planned = plan.expenses
    return Expenses(
        periods,
        tuple(partners),
        plan,
        number,
        _ordered(
            breakdown(planned, declared, BY_PARTNER), [p.partner_id for p in partners]
        ),
        _ordered(
            breakdown(planned, declared, BY_CATEGORY),
            [c.value for c in DIRECT_CATEGORIES],
        ),
        dict(sorted(breakdown(planned, declared, BY_WORK_PACKAGE).items())),
        tuple(expense_checks(planned, declared, plan.rules)),
    )
