"""Builders of expense statements: reporting periods to declare in, a declared
expense. Fictional figures; one knob per thing a test varies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.financing.statement_values import DeclaredExpense
from governance.financing.values import CostCategory
from governance.reporting import ReportingObligation
from governance.values import ReportKind

FIRST_PERIOD = date(2026, 1, 1)


def reporting_periods(
    app: Governance, coordinator: Actor, consortium_id: UUID, count: int = 2
) -> list[UUID]:
    """Half-yearly financial reports from January 2026: their ids, in order."""
    series = app.schedule_periodic_reports(
        coordinator,
        consortium_id,
        funder="Région fictive",
        title="Rapport financier",
        kind=ReportKind.FINANCIAL_STATEMENT,
        responsible_id=None,
        first_period_start=FIRST_PERIOD,
        every_months=6,
        due_days=30,
        count=count,
    ).id
    found = []
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        event = app.mapper.to_domain_event(notification)
        if (
            isinstance(event, ReportingObligation.Scheduled)
            and event.series_id == series
        ):
            found.append((event.period_start, UUID(str(event.originator_id))))
    return [obligation for _, obligation in sorted(found)]


def a_declared_expense(**overrides: Any) -> DeclaredExpense:
    """Train tickets of March 2026: 500 € excluding VAT, 550 € including it."""
    expense = DeclaredExpense(
        category=CostCategory.TRAVEL,
        label="Billets de train",
        spent_on=date(2026, 3, 12),
        amount_excl=Decimal("500.00"),
        amount_incl=Decimal("550.00"),
        vat_recoverable=False,
        supplier="SNCF Voyageurs",
        invoice_number="F-2026-0312",
        work_package="Lot 1",
    )
    return replace(expense, **overrides)


def staff_time(days: str, rate: str, **overrides: Any) -> DeclaredExpense:
    """Staff time given as person-days × daily rate."""
    given: dict[str, Any] = {
        "category": CostCategory.STAFF,
        "label": "Médiatrice numérique",
        "amount_excl": None,
        "amount_incl": None,
        "supplier": "",
        "invoice_number": "",
        "person_days": Decimal(days),
        "daily_rate": Decimal(rate),
    }
    return a_declared_expense(**{**given, **overrides})
