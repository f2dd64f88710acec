"""Expense statements: budget against realised, each period's statements, the forms
to declare, submit and accept a period, the Excel exports (a statement's own page and
its forms are in ``expense_statement``).

Members declare for the partner they represent (a coordinator for any); the
coordinator submits a period's statements; the financer refuses lines with a reason
and accepts. Everyone in the consortium reads. Forms work without JavaScript (POST,
then 303); a refused form comes back on its page (422).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.financing.values import DIRECT_CATEGORIES
from governance.permissions import Action, may_declare_for
from projections.consortia import consortium_details
from projections.expenses_summary import Expenses, expenses_of
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.evidence.names import content_disposition
from web.exports.expenses import ExpensesExport, expenses_xlsx
from web.forms.expenses import (
    parse_acceptance,
    parse_declaration,
    parse_period,
)
from web.forms.fields import FormErrors
from web.htmx import render
from web.links import path_for
from web.presentation.expense_words import expense_check
from web.presentation.expenses import (
    category_rows,
    chart,
    partner_rows,
    work_package_rows,
)
from web.routes import expense_statement
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.expense_statement import statement_and_expenses
from web.routes.posting import run_command, saved_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECLARE_INPUTS = (
    "obligation_id",
    "partner_id",
    "category",
    "label",
    "spent_on",
    "amount_excl",
    "amount_incl",
    "vat_recoverable",
    "person_days",
    "daily_rate",
    "supplier",
    "invoice_number",
    "work_package",
    "document",
)


def _expenses(request: Request, access: Access) -> Expenses:
    with queries(request) as connection:
        return expenses_of(connection, str(access.consortium_id))


def _declarable(access: Access, expenses: Expenses) -> list[tuple[str, str]]:
    """The partners this person may declare for: (id, name)."""
    role, own = access.membership.role, access.membership.partner_id
    return [
        (p.partner_id, p.name)
        for p in expenses.partners
        if p.active and may_declare_for(role, own, p.partner_id)
    ]


def _context(request: Request, access: Access) -> dict[str, Any]:
    expenses = _expenses(request, access)
    names = expenses.names
    by_partner = partner_rows(expenses.by_partner, names)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "expenses": expenses,
        "names": names,
        "checks": [expense_check(w, names) for w in expenses.checks],
        "by_partner": by_partner,
        "by_category": category_rows(expenses.by_category),
        "by_work_package": work_package_rows(expenses.by_work_package),
        "chart": chart(by_partner),
        "category_chart": chart(category_rows(expenses.by_category)),
        "package_chart": chart(work_package_rows(expenses.by_work_package)),
        "declarable": _declarable(access, expenses),
        "periods": [
            (p.obligation.obligation_id, p.obligation.title, p.obligation)
            for p in expenses.periods
        ],
        "categories": list(DIRECT_CATEGORIES),
        "values": {"declare": {}, "submit": {}},
        "errors": {"declare": {}, "submit": {}},
        "error_params": {"declare": {}, "submit": {}},
        "open_form": "",
    }


def expenses_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "expenses/index.html", _context(request, access), block="expenses"
    )


def _refused(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    context = _context(request, access)
    context["values"][form] = fields
    context["errors"][form] = errors.errors
    context["error_params"][form] = errors.params
    context["open_form"] = form
    return render(
        request, "expenses/index.html", context, block="expenses", status_code=422
    )


@upload_endpoint
def declare(
    request: Request, fields: dict[str, str], files: dict[str, Any]
) -> Response:
    access = consortium_access(request)
    access.require(Action.DECLARE_EXPENSES)

    def command() -> Created:
        form = parse_declaration(fields)
        # A refused line leaves its upload: the same bytes may be another record's
        # file. The sweep (web.ops.evidence_sweep) removes files no event refers to.
        document = saved_upload(request, files, "document")
        expense = replace(form.expense, document=document)
        return stores(request).governance.declare_expense(
            actor_of(access.account),
            access.consortium_id,
            form.obligation_id,
            form.partner_id,
            expense,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, "declare", fields, errors),
        inputs=DECLARE_INPUTS,
        then=path_for(request, "expenses:index", consortium_id=access.consortium_id),
    )


@form_endpoint
def submit(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.SUBMIT_EXPENSES)
    return run_command(
        request,
        lambda: stores(request).governance.submit_statements(
            actor_of(access.account), access.consortium_id, parse_period(fields)
        ),
        refused=lambda errors: _refused(request, access, "submit", fields, errors),
        inputs=("obligation_id",),
        then=path_for(request, "expenses:index", consortium_id=access.consortium_id),
    )


@form_endpoint
def accept_period(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REVIEW_EXPENSES)
    period = parse_uuid(request.path_params["obligation_id"], "report")
    return run_command(
        request,
        lambda: stores(request).governance.accept_statements(
            actor_of(access.account),
            access.consortium_id,
            period,
            parse_acceptance(fields),
        ),
        refused=lambda errors: _refused(request, access, "submit", fields, errors),
        inputs=(),
        then=path_for(request, "expenses:index", consortium_id=access.consortium_id),
    )


def _xlsx(
    request: Request,
    access: Access,
    only: str | None,
    period: str | None = None,
) -> Response:
    access.require(Action.EXPORT)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        expenses = expenses_of(connection, cid)
    name = details.name if details else ""
    stem = f"expenses-{(details.acronym if details else '') or cid[:8]}"
    if only or period:
        stem += f"-{(only or period or '')[:8]}"
    if period is not None and all(
        p.obligation.obligation_id != period for p in expenses.periods
    ):
        raise NotFound("report", period)
    return Response(
        expenses_xlsx(ExpensesExport(name, expenses, only, period)),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"{stem}.xlsx")},
    )


def export_xlsx(request: Request) -> Response:
    return _xlsx(request, consortium_access(request), None)


def period_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    period = parse_uuid(request.path_params["obligation_id"], "report")
    return _xlsx(request, access, None, str(period))


def statement_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    statement, _ = statement_and_expenses(request, access)
    return _xlsx(request, access, statement.statement_id)


EXPENSES = "/consortia/{consortium_id}/expenses"
routes = [
    Route(EXPENSES, expenses_page, methods=["GET"], name="expenses:index"),
    Route(EXPENSES + "/lines", declare, methods=["POST"], name="expenses:declare"),
    Route(EXPENSES + "/submit", submit, methods=["POST"], name="expenses:submit"),
    Route(
        EXPENSES + "/periods/{obligation_id}/accept",
        accept_period,
        methods=["POST"],
        name="expenses:accept_period",
    ),
    *expense_statement.routes,
    Route(
        "/consortia/{consortium_id}/expenses.xlsx",
        export_xlsx,
        methods=["GET"],
        name="expenses:xlsx",
    ),
    Route(
        EXPENSES + "/periods/{obligation_id}/export.xlsx",
        period_xlsx,
        methods=["GET"],
        name="expenses:period_xlsx",
    ),
    Route(
        expense_statement.STATEMENT + "/export.xlsx",
        statement_xlsx,
        methods=["GET"],
        name="expenses:statement_xlsx",
    ),
]
