"""The financing plan: the draft with its checks, the coordinator's forms, versions
compared side by side, and the Excel export.

Coordinators plan and withdraw lines and file the application's and the
convention's versions (the funding rules are the call's: ``web.routes.call``);
everyone else in the consortium reads (a financer too, and is refused any change:
403). Forms work without JavaScript
(POST, then 303); with htmx a refused form comes back in place (422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.financing.values import (
    DIRECT_CATEGORIES,
    TYPED_SOURCES,
    CostCategory,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
)
from governance.permissions import Action
from projections.budget_summary import Budget, budget_of, itemised_budget_of
from projections.consortia import consortium_details
from projections.ledger import commitment_ids_of
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.exports.budget import BudgetExport, budget_xlsx
from web.forms.budget import (
    category_field,
    parse_expense,
    parse_resource,
    parse_version_kind,
)
from web.forms.fields import FormErrors, is_whole_number
from web.htmx import render
from web.i18n import N_, gettext_
from web.links import path_for
from web.presentation.budget import comparison, plan_tables
from web.presentation.labels import label
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command

FORMS = ("expense", "resource", "version")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _budget(request: Request, access: Access) -> Budget:
    with queries(request) as connection:
        return budget_of(connection, str(access.consortium_id))


def _context(request: Request, access: Access) -> dict[str, Any]:
    budget = _budget(request, access)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "budget": budget,
        "tables": plan_tables(budget.draft, budget.names),
        "active_partners": [p for p in budget.partners if p.active],
        "categories": list(DIRECT_CATEGORIES),
        "sources": list(TYPED_SOURCES),
        "public_funders": list(PublicFunder),
        "category_field": category_field,
        "kinds": (PlanVersionKind.APPLICATION, PlanVersionKind.CONVENTION),
        "values": {name: {} for name in FORMS},
        "errors": {name: {} for name in FORMS},
        "error_params": {name: {} for name in FORMS},
        "open_form": "",
    }


def budget_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "budget/index.html", _context(request, access), block="budget"
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
        request, "budget/index.html", context, block="budget", status_code=422
    )


def _post(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    command: Callable[[], int | Created | None],
) -> Response:
    """Run a command of the plan's; a refusal comes back on its form (422)."""
    access.require(Action.PLAN_BUDGET)
    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, form, fields, errors),
        inputs=fields,
        then=path_for(request, "budget:index", consortium_id=access.consortium_id),
    )


@form_endpoint
def plan_expense(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        "expense",
        fields,
        lambda: stores(request).governance.plan_expense(
            actor_of(access.account), access.consortium_id, parse_expense(fields)
        ),
    )


@form_endpoint
def plan_resource(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        "resource",
        fields,
        lambda: stores(request).governance.plan_resource(
            actor_of(access.account), access.consortium_id, parse_resource(fields)
        ),
    )


def _line_id(request: Request) -> str:
    # A line id is a UUID; anything else is not a line of this plan.
    text = request.path_params["line_id"]
    try:
        return str(UUID(text))
    except ValueError:
        return ""


@form_endpoint
def withdraw_expense(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        "expense",
        fields,
        lambda: stores(request).governance.withdraw_expense(
            actor_of(access.account), access.consortium_id, _line_id(request)
        ),
    )


@form_endpoint
def withdraw_resource(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        "resource",
        fields,
        lambda: stores(request).governance.withdraw_resource(
            actor_of(access.account), access.consortium_id, _line_id(request)
        ),
    )


@form_endpoint
def file_version(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> int:
        kind = parse_version_kind(fields)
        with queries(request) as connection:
            ids = commitment_ids_of(connection, str(access.consortium_id))
        return stores(request).governance.file_plan_version(
            actor_of(access.account),
            access.consortium_id,
            kind,
            [UUID(c) for c in ids],
        )

    return _post(request, access, "version", fields, command)


def _chosen(budget: Budget, text: str, default: str) -> str:
    """A side of the comparison: a filed version's number, or "draft"."""
    # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
    if text == "draft" or (is_whole_number(text) and budget.version(int(text))):
        return text
    return default


def _words(budget: Budget) -> dict[str, str]:
    """The name of each line a comparison may hold: categories, sources, partners,
    totals."""
    words = {member.value: label(member) for member in (*CostCategory, *ResourceSource)}
    words.update(budget.names)
    words.update(
        expenses=gettext_(N_("Expenses")),
        resources=gettext_(N_("Resources")),
        requested=gettext_(N_("Grant requested")),
    )
    return words


def versions_page(request: Request) -> Response:
    access = consortium_access(request)
    budget = _budget(request, access)
    numbers = [str(v.number) for v in budget.versions]
    left = _chosen(
        budget,
        request.query_params.get("left", "")[:6],
        numbers[0] if numbers else "draft",
    )
    right = _chosen(budget, request.query_params.get("right", "")[:6], "draft")
    return render(
        request,
        "budget/versions.html",
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": str(access.consortium_id),
            "budget": budget,
            "left": left,
            "right": right,
            "compared": comparison(budget, left, right),
            "words": _words(budget),
        },
        block="comparison",
    )


def export_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        budget = itemised_budget_of(connection, cid)
    name = details.name if details else ""
    stem = f"financing-plan-{(details.acronym if details else '') or cid[:8]}"
    return Response(
        budget_xlsx(BudgetExport(name, budget)),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"{stem}.xlsx")},
    )


BUDGET = "/consortia/{consortium_id}/budget"
routes = [
    Route(BUDGET, budget_page, methods=["GET"], name="budget:index"),
    Route(BUDGET + "/expenses", plan_expense, methods=["POST"], name="budget:expense"),
    Route(
        BUDGET + "/expenses/{line_id}/withdraw",
        withdraw_expense,
        methods=["POST"],
        name="budget:withdraw_expense",
    ),
    Route(
        BUDGET + "/resources", plan_resource, methods=["POST"], name="budget:resource"
    ),
    Route(
        BUDGET + "/resources/{line_id}/withdraw",
        withdraw_resource,
        methods=["POST"],
        name="budget:withdraw_resource",
    ),
    Route(BUDGET + "/versions", file_version, methods=["POST"], name="budget:file"),
    Route(BUDGET + "/versions", versions_page, methods=["GET"], name="budget:versions"),
    Route(
        "/consortia/{consortium_id}/budget.xlsx",
        export_xlsx,
        methods=["GET"],
        name="budget:xlsx",
    ),
]
