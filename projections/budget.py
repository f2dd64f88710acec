"""The financing plan's read model: the draft's lines, the rules, the filed versions.

Feeds the budget page, its export and the comparison of versions. Lines are rows
(a withdrawn line's row goes; the history keeps the event); rules and versions are
kept whole as exact JSON text (``budget_json``). Amounts are stored as text so that
``Decimal`` values come back exact on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, Integer, String, Table, Text, select

from governance import events
from governance.financing.values import (
    CostCategory,
    ExpenseLine,
    FundingRules,
    PlanContent,
    PlanVersionKind,
    PublicFunder,
    ResourceLine,
    ResourceSource,
)
from projections.base import (
    Envelope,
    LoggedEvent,
    Projection,
    UtcDateTime,
    metadata,
    on,
)
from projections.budget_json import (
    content_from_json,
    content_to_json,
    rules_from_json,
    rules_to_json,
)
from projections.buffer import add_row, delete_rows, find_row, update_rows
from projections.ledger import DecimalText

plans = Table(
    "budget_plans",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("rules", Text, nullable=False),
)

expenses = Table(
    "budget_expenses",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("partner_id", String(36), nullable=False),
    Column("category", String(24), nullable=False),
    Column("label", Text, nullable=False),
    Column("amount", DecimalText, nullable=False),
    Column("person_days", DecimalText),
    Column("daily_rate", DecimalText),
    Column("year", Integer),
    Column("work_package", Text, nullable=False),
)

resources = Table(
    "budget_resources",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("partner_id", String(36), nullable=False),
    Column("source", String(24), nullable=False),
    Column("public_funder", String(24)),
    Column("label", Text, nullable=False),
    Column("amount", DecimalText, nullable=False),
    Column("year", Integer),
)

versions = Table(
    "budget_versions",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("content", Text, nullable=False),
)


@dataclass(frozen=True)
class VersionRow:
    """A filed version of the plan, with who filed it and when."""

    number: int
    kind: PlanVersionKind
    filed_at: datetime
    actor_id: str
    content: PlanContent


def _consortium(connection: Connection, envelope: Envelope[LoggedEvent]) -> str:
    row = find_row(connection, plans, {"plan_id": envelope.originator_id})
    if row is None:
        raise LookupError(f"no financing plan {envelope.originator_id}")
    return str(row["consortium_id"])


class BudgetProjection(Projection):
    """The financing plan of each consortium."""

    name: ClassVar[str] = "budget"
    tables: ClassVar[tuple[Table, ...]] = (plans, expenses, resources, versions)

    @on(events.FinancingPlanOpened)
    def opened(
        self, connection: Connection, envelope: Envelope[events.FinancingPlanOpened]
    ) -> None:
        add_row(
            connection,
            plans,
            {
                "plan_id": envelope.originator_id,
                "consortium_id": envelope.event.consortium_id,
                "rules": rules_to_json(FundingRules()),
            },
        )

    @on(events.ExpensePlanned)
    def expense_planned(
        self, connection: Connection, envelope: Envelope[events.ExpensePlanned]
    ) -> None:
        line = envelope.event.line
        row = _expense_row(line, _consortium(connection, envelope), envelope.position)
        add_row(connection, expenses, row)

    @on(events.ExpenseWithdrawn)
    def expense_withdrawn(
        self, connection: Connection, envelope: Envelope[events.ExpenseWithdrawn]
    ) -> None:
        delete_rows(connection, expenses, {"line_id": envelope.event.line_id})

    @on(events.ResourcePlanned)
    def resource_planned(
        self, connection: Connection, envelope: Envelope[events.ResourcePlanned]
    ) -> None:
        line = envelope.event.line
        row = _resource_row(line, _consortium(connection, envelope), envelope.position)
        add_row(connection, resources, row)

    @on(events.ResourceWithdrawn)
    def resource_withdrawn(
        self, connection: Connection, envelope: Envelope[events.ResourceWithdrawn]
    ) -> None:
        delete_rows(connection, resources, {"line_id": envelope.event.line_id})

    @on(events.FundingRulesSet)
    def rules_set(
        self, connection: Connection, envelope: Envelope[events.FundingRulesSet]
    ) -> None:
        update_rows(
            connection,
            plans,
            {"plan_id": envelope.originator_id},
            {"rules": rules_to_json(envelope.event.rules)},
        )

    @on(events.PlanVersionFiled)
    def version_filed(
        self, connection: Connection, envelope: Envelope[events.PlanVersionFiled]
    ) -> None:
        version = envelope.event.version
        if version.kind is PlanVersionKind.AMENDMENT:
            _amended(connection, envelope, version.content)
        add_row(
            connection,
            versions,
            {
                "consortium_id": _consortium(connection, envelope),
                "number": version.number,
                "kind": version.kind.value,
                "filed_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "content": content_to_json(version.content),
            },
        )


def _amended(
    connection: Connection, envelope: Envelope[LoggedEvent], content: PlanContent
) -> None:
    """An approved amendment's lines and rules become the plan in force.

    Lines kept keep their place; new lines come after, at the event's position.
    """
    consortium_id = _consortium(connection, envelope)
    for table, lines, row_of in (
        (expenses, content.expenses, _expense_row),
        (resources, content.resources, _resource_row),
    ):
        places = {
            r.line_id: r.position
            for r in connection.execute(
                select(table.c.line_id, table.c.position).where(
                    table.c.consortium_id == consortium_id
                )
            )
        }
        delete_rows(connection, table, {"consortium_id": consortium_id})
        for line in lines:
            place = places.get(line.line_id, envelope.position)
            add_row(connection, table, row_of(line, consortium_id, place))
    update_rows(
        connection,
        plans,
        {"plan_id": envelope.originator_id},
        {"rules": rules_to_json(content.rules)},
    )


def _expense_row(line: Any, consortium_id: str, position: int) -> dict[str, Any]:
    return {
        "line_id": line.line_id,
        "consortium_id": consortium_id,
        "position": position,
        "partner_id": line.partner_id,
        "category": line.category.value,
        "label": line.label,
        "amount": line.amount,
        "person_days": line.person_days,
        "daily_rate": line.daily_rate,
        "year": line.year,
        "work_package": line.work_package,
    }


def _resource_row(line: Any, consortium_id: str, position: int) -> dict[str, Any]:
    return {
        "line_id": line.line_id,
        "consortium_id": consortium_id,
        "position": position,
        "partner_id": line.partner_id,
        "source": line.source.value,
        "public_funder": line.public_funder.value if line.public_funder else None,
        "label": line.label,
        "amount": line.amount,
        "year": line.year,
    }


def _expense(r: Any) -> ExpenseLine:
    return ExpenseLine(
        r.line_id,
        r.partner_id,
        CostCategory(r.category),
        r.label,
        r.amount,
        r.person_days,
        r.daily_rate,
        r.year,
        r.work_package,
    )


def _resource(r: Any) -> ResourceLine:
    return ResourceLine(
        r.line_id,
        r.partner_id,
        ResourceSource(r.source),
        r.label,
        r.amount,
        PublicFunder(r.public_funder) if r.public_funder else None,
        r.year,
    )


def draft_of(connection: Connection, consortium_id: str) -> PlanContent:
    """The draft plan's lines and rules (no commitments: the caller adds them)."""
    rules = connection.execute(
        select(plans.c.rules).where(plans.c.consortium_id == consortium_id)
    ).scalar()
    expense_rows = connection.execute(
        select(expenses)
        .where(expenses.c.consortium_id == consortium_id)
        .order_by(expenses.c.position, expenses.c.line_id)
    )
    resource_rows = connection.execute(
        select(resources)
        .where(resources.c.consortium_id == consortium_id)
        .order_by(resources.c.position, resources.c.line_id)
    )
    return PlanContent(
        tuple(_expense(r) for r in expense_rows),
        tuple(_resource(r) for r in resource_rows),
        (),
        rules_from_json(rules) if rules is not None else FundingRules(),
    )


def versions_of(connection: Connection, consortium_id: str) -> list[VersionRow]:
    """The plan's filed versions, oldest first."""
    rows = connection.execute(
        select(versions)
        .where(versions.c.consortium_id == consortium_id)
        .order_by(versions.c.number)
    )
    return [
        VersionRow(
            r.number,
            PlanVersionKind(r.kind),
            r.filed_at,
            r.actor_id,
            content_from_json(r.content),
        )
        for r in rows
    ]
