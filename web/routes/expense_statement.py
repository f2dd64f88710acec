"""An expense statement: its lines with their documents and the funder's review,
the partner's budget against realised, and the forms to refuse, accept, withdraw.

The financer refuses lines with a reason and accepts; who may declare for the
partner withdraws a draft line. Everyone in the consortium reads. A statement, a
line or a document of another consortium is not found here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.financing.realised import BY_CATEGORY, breakdown, total
from governance.financing.statement_values import RefusalReason
from governance.permissions import Action, may_declare_for
from projections.expenses import StatementRow, statement_of, statement_with_document
from projections.expenses_summary import Expenses, declared_lines, expenses_of
from web.auth import actor_of, form_endpoint
from web.evidence.download import file_response
from web.forms.expenses import parse_acceptance, parse_refusal
from web.forms.fields import FormErrors
from web.htmx import render
from web.links import path_for
from web.presentation.expense_words import expense_check
from web.presentation.expenses import category_rows
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command


def statement_and_expenses(
    request: Request, access: Access
) -> tuple[StatementRow, Expenses]:
    """The statement in the path (404 unless it is the consortium's), and the
    consortium's expenses it is read with."""
    statement_id = parse_uuid(request.path_params["statement_id"], "statement")
    with queries(request) as connection:
        found = statement_of(connection, str(access.consortium_id), str(statement_id))
        if found is None:
            raise NotFound("statement", statement_id)
        return found, expenses_of(connection, str(access.consortium_id))


def _statement_context(request: Request, access: Access) -> dict[str, Any]:
    statement, expenses = statement_and_expenses(request, access)
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
    response = (
        file_response(
            stores(request).evidence, sha256, document.media_type, document.filename
        )
        if document is not None
        else None
    )
    if response is None:
        raise NotFound("document", sha256)
    return response


STATEMENT = "/consortia/{consortium_id}/expenses/statements/{statement_id}"
routes = [
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
        "/consortia/{consortium_id}/expenses/documents/{sha256}",
        document_file,
        methods=["GET"],
        name="expenses:document",
    ),
]
