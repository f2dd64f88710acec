"""Expense statements: budget against realised, each period's statements, a
statement's lines, the forms to declare, submit and review, the Excel export.

Members declare for the partner they represent (a coordinator for any); the
coordinator submits a period's statements; the financer refuses lines with a reason
and accepts. Everyone in the consortium reads. Forms work without JavaScript (POST,
then 303); a refused form comes back on its page (422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.financing.realised import BY_CATEGORY, breakdown, total
from governance.financing.statement_values import RefusalReason
from governance.financing.values import DIRECT_CATEGORIES
from governance.permissions import Action, may_declare_for
from projections.consortia import consortium_details
from projections.expenses import StatementRow, statement_of, statement_with_document
from projections.expenses_summary import Expenses, declared_lines, expenses_of
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.evidence.names import content_disposition, download_name
from web.exports.expenses import ExpensesExport, expenses_xlsx
from web.forms.expenses import (
    parse_acceptance,
    parse_declaration,
    parse_period,
    parse_refusal,
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
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
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


# -- a statement ------------------------------------------------------------------


def _statement(request: Request, access: Access) -> tuple[StatementRow, Expenses]:
    statement_id = parse_uuid(request.path_params["statement_id"], "statement")
    with queries(request) as connection:
        found = statement_of(connection, str(access.consortium_id), str(statement_id))
        if found is None:
            raise NotFound("statement", statement_id)
        return found, expenses_of(connection, str(access.consortium_id))


def _statement_context(request: Request, access: Access) -> dict[str, Any]:
    statement, expenses = _statement(request, access)
    period = next(
        (
            p.obligation
            for p in expenses.periods
            if p.obligation.obligation_id == statement.obligation_id
        ),
        None,
    )
    role, own = access.membership.role, access.membership.partner_id
    partner_lines = [
        d
        for d in declared_lines(list(expenses.statements))
        if d.partner_id == statement.partner_id
    ]
    planned = [
        e for e in expenses.plan.expenses if e.partner_id == statement.partner_id
    ]
    by_category = breakdown(planned, partner_lines, BY_CATEGORY)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "statement": statement,
        "partner_categories": category_rows(by_category),
        "checks": [
            expense_check(w, expenses.names)
            for w in expenses.checks
            if w.partner_id == statement.partner_id
        ],
        "partner_total": total(by_category.values()),
        "period": period,
        "partner": expenses.names.get(statement.partner_id, "?"),
        "may_withdraw": may_declare_for(role, own, statement.partner_id),
        "reasons": list(RefusalReason),
        "values": {},
        "errors": {},
        "error_params": {},
        "open_line": "",
    }


def statement_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "expenses/statement.html",
        _statement_context(request, access),
        block="statement",
    )


def _on_statement(
    request: Request,
    access: Access,
    fields: dict[str, str],
    command: Callable[[], int],
    *,
    line_id: str = "",
    inputs: tuple[str, ...] = (),
) -> Response:
    def refused(errors: FormErrors) -> Response:
        context = _statement_context(request, access)
        context.update(
            values=fields,
            errors=errors.errors,
            error_params=errors.params,
            open_line=line_id or "accept",
        )
        return render(
            request,
            "expenses/statement.html",
            context,
            block="statement",
            status_code=422,
        )

    return run_command(
        request,
        command,
        refused=refused,
        inputs=inputs,
        then=path_for(
            request,
            "expenses:statement",
            consortium_id=access.consortium_id,
            statement_id=request.path_params["statement_id"],
        ),
    )


def _statement_id(request: Request) -> UUID:
    return parse_uuid(request.path_params["statement_id"], "statement")


def _line_id(request: Request) -> str:
    """The line in the path: a UUID; anything else is no line of the statement."""
    try:
        return str(UUID(request.path_params["statement_line_id"]))
    except ValueError:
        return ""


def _check_ours(request: Request, access: Access, statement_id: UUID) -> None:
    """A statement of another consortium is not found here."""
    with queries(request) as connection:
        if (
            statement_of(connection, str(access.consortium_id), str(statement_id))
            is None
        ):
            raise NotFound("statement", statement_id)


@form_endpoint
def refuse_line(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REVIEW_EXPENSES)
    statement_id, line_id = _statement_id(request), _line_id(request)
    _check_ours(request, access, statement_id)

    def command() -> int:
        reason, comment = parse_refusal(fields)
        return stores(request).governance.refuse_statement_line(
            actor_of(access.account), statement_id, line_id, reason, comment
        )

    return _on_statement(
        request,
        access,
        fields,
        command,
        line_id=line_id,
        inputs=("refusal", "comment"),
    )


@form_endpoint
def accept(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REVIEW_EXPENSES)
    statement_id = _statement_id(request)
    _check_ours(request, access, statement_id)
    return _on_statement(
        request,
        access,
        fields,
        lambda: stores(request).governance.accept_statement(
            actor_of(access.account), statement_id, parse_acceptance(fields)
        ),
        inputs=("comment",),
    )


@form_endpoint
def withdraw_line(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.DECLARE_EXPENSES)
    statement_id, line_id = _statement_id(request), _line_id(request)
    _check_ours(request, access, statement_id)
    return _on_statement(
        request,
        access,
        fields,
        lambda: stores(request).governance.withdraw_statement_line(
            actor_of(access.account), statement_id, line_id
        ),
        line_id=line_id,
    )


def document_file(request: Request) -> Response:
    access = consortium_access(request)
    sha256 = request.path_params["sha256"]
    with queries(request) as connection:
        document = statement_with_document(
            connection, str(access.consortium_id), sha256
        )
    path = stores(request).evidence.path_of(sha256)
    if document is None or path is None:
        raise NotFound("document", sha256)
    return FileResponse(
        path,
        media_type=document.media_type,
        headers={
            "Content-Disposition": content_disposition(
                download_name(document.filename, document.media_type)
            ),
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
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
    statement, _ = _statement(request, access)
    return _xlsx(request, access, statement.statement_id)


EXPENSES = "/consortia/{consortium_id}/expenses"
STATEMENT = EXPENSES + "/statements/{statement_id}"
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
    Route(STATEMENT, statement_page, methods=["GET"], name="expenses:statement"),
    Route(
        STATEMENT + "/lines/{statement_line_id}/refuse",
        refuse_line,
        methods=["POST"],
        name="expenses:refuse",
    ),
    Route(
        STATEMENT + "/lines/{statement_line_id}/withdraw",
        withdraw_line,
        methods=["POST"],
        name="expenses:withdraw",
    ),
    Route(STATEMENT + "/accept", accept, methods=["POST"], name="expenses:accept"),
    Route(
        EXPENSES + "/documents/{sha256}",
        document_file,
        methods=["GET"],
        name="expenses:document",
    ),
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
        STATEMENT + "/export.xlsx",
        statement_xlsx,
        methods=["GET"],
        name="expenses:statement_xlsx",
    ),
]
