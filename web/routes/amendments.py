"""Amendments of the financing plan: the list, one amendment, their forms.

The coordinator drafts an amendment once the convention's plan is filed, builds its
changes (lines added, lines of the plan in force withdrawn, a later end of the
eligible period) and proposes it; the financer approves it (the plan files a new
version) or refuses it with a reason. Everyone in the consortium reads. Forms work
without JavaScript (POST, then 303); with htmx a refused form comes back in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound, RuleViolated
from governance.financing.changes import AmendmentKind, AmendmentStatus
from governance.financing.values import (
    DIRECT_CATEGORIES,
    TYPED_SOURCES,
    PublicFunder,
)
from governance.permissions import Action
from governance.voting import Outcome
from projections.amendments import AmendmentRow, amendment_of, amendments_of
from projections.budget_summary import Budget, PlanState, assess, budget_of
from projections.decisions.queries import LogFilter, decision_log
from projections.documents import documents_of
from web.auth import actor_of, form_endpoint
from web.forms.amendments import parse_draft, parse_extension, parse_reason
from web.forms.budget import parse_expense, parse_resource
from web.forms.fields import FormErrors
from web.htmx import render
from web.links import path_for
from web.presentation.budget import compare
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command

FORMS = ("draft", "expense", "resource", "period", "propose", "approve", "refuse")


def _adopted(request: Request, access: Access) -> list[tuple[str, str, str]]:
    """The consortium's adopted decisions an amendment may follow: id, title, kind."""
    with queries(request) as connection:
        rows, _ = decision_log(
            connection,
            str(access.consortium_id),
            LogFilter(outcome=Outcome.ADOPTED),
            limit=200,
        )
    return [(r.proposal_id, r.title, r.kind) for r in rows]


def _blank(context: dict[str, Any]) -> dict[str, Any]:
    return context | {
        "values": {name: {} for name in FORMS},
        "errors": {name: {} for name in FORMS},
        "error_params": {name: {} for name in FORMS},
        "open_form": "",
    }


def _list_context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = amendments_of(connection, cid)
        budget = budget_of(connection, cid)
    return _blank(
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "amendments": rows,
            "budget": budget,
            "kinds": list(AmendmentKind),
            "decisions": _adopted(request, access) if budget.locked else [],
        }
    )


def amendments_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "amendments/index.html",
        _list_context(request, access),
        block="amendments",
    )


def _proposed(budget: Budget, row: AmendmentRow) -> PlanState | None:
    """The plan the amendment proposes, or None if the plan in force moved on."""
    try:
        content = row.changes.applied_to(budget.draft.content)
    except RuleViolated:
        return None
    return assess(content, budget.partners)


def _detail_context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    amendment_id = str(parse_uuid(request.path_params["amendment_id"], "amendment"))
    with queries(request) as connection:
        row = amendment_of(connection, cid, amendment_id)
        budget = budget_of(connection, cid)
        copies = [
            d for d in documents_of(connection, cid) if d.amendment_id == amendment_id
        ]
    if row is None:
        raise NotFound("amendment", amendment_id)
    people = {row.drafted_by, row.decided_by or ""} - {""}
    names = stores(request).accounts.names(people)
    decisions = {d[0]: d for d in _adopted(request, access)}
    # Every line the plan ever filed or holds: a withdrawal names one of them, in
    # force or (once approved) in an earlier version.
    contents = (*(v.content for v in budget.versions), budget.draft.content)
    in_force = {e.line_id: e for c in contents for e in c.expenses}
    resources = {r.line_id: r for c in contents for r in c.resources}
    undecided = row.status in (AmendmentStatus.DRAFT, AmendmentStatus.PROPOSED)
    proposed = _proposed(budget, row) if undecided else None
    return _blank(
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "amendment": row,
            "budget": budget,
            "names": names,
            "decision": decisions.get(row.proposal_id or ""),
            "signed_copies": copies,
            "in_force_expenses": in_force,
            "in_force_resources": resources,
            "proposed": proposed,
            "compared": compare(budget.draft, proposed) if proposed else None,
            "active_partners": [p for p in budget.partners if p.active],
            "categories": list(DIRECT_CATEGORIES),
            "sources": list(TYPED_SOURCES),
            "public_funders": list(PublicFunder),
            "words": {p.partner_id: p.name for p in budget.partners},
        }
    )


def amendment_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "amendments/detail.html",
        _detail_context(request, access),
        block="amendment",
    )


def _amendment_id(request: Request) -> UUID:
    return parse_uuid(request.path_params["amendment_id"], "amendment")


def _line_id(request: Request) -> str:
    # A line id is a UUID; anything else is not a line of this plan.
    try:
        return str(UUID(request.path_params["line_id"]))
    except ValueError:
        return ""


def _post(
    request: Request,
    access: Access,
    action: Action,
    form: str,
    fields: dict[str, str],
    command: Callable[[], int | Created],
    *,
    then: str | Callable[[Any], str] | None = None,
) -> Response:
    """Run a command on an amendment; a refusal comes back on its form (422)."""
    access.require(action)
    on_list = form == "draft"

    def refused(errors: FormErrors) -> Response:
        context = (
            _list_context(request, access)
            if on_list
            else _detail_context(request, access)
        )
        context["values"][form] = fields
        context["errors"][form] = errors.errors
        context["error_params"][form] = errors.params
        context["open_form"] = form
        template = "amendments/index.html" if on_list else "amendments/detail.html"
        block = "amendments" if on_list else "amendment"
        return render(request, template, context, block=block, status_code=422)

    default = ""
    if not on_list:
        default = path_for(
            request,
            "amendments:detail",
            consortium_id=access.consortium_id,
            amendment_id=_amendment_id(request),
        )
    return run_command(
        request,
        command,
        refused=refused,
        inputs=fields,
        slot="",
        then=then if then is not None else default,
    )


@form_endpoint
def draft(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> Created:
        given = parse_draft(fields)
        return stores(request).governance.draft_amendment(
            actor_of(access.account),
            access.consortium_id,
            given.kind,
            given.reason,
            given.proposal_id,
        )

    def then(created: Created) -> str:
        return path_for(
            request,
            "amendments:detail",
            consortium_id=access.consortium_id,
            amendment_id=created.id,
        )

    return _post(
        request, access, Action.PROPOSE_AMENDMENT, "draft", fields, command, then=then
    )


@form_endpoint
def add_expense(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "expense",
        fields,
        lambda: stores(request).governance.add_amendment_expense(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            parse_expense(fields),
        ),
    )


@form_endpoint
def add_resource(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "resource",
        fields,
        lambda: stores(request).governance.add_amendment_resource(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            parse_resource(fields),
        ),
    )


@form_endpoint
def withdraw(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "propose",
        fields,
        lambda: stores(request).governance.withdraw_in_amendment(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            _line_id(request),
        ),
    )


@form_endpoint
def drop(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "propose",
        fields,
        lambda: stores(request).governance.drop_amendment_change(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            _line_id(request),
        ),
    )


@form_endpoint
def extend(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "period",
        fields,
        lambda: stores(request).governance.extend_amendment_period(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            parse_extension(fields),
        ),
    )


@form_endpoint
def propose(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.PROPOSE_AMENDMENT,
        "propose",
        fields,
        lambda: stores(request).governance.propose_amendment(
            actor_of(access.account), access.consortium_id, _amendment_id(request)
        ),
    )


@form_endpoint
def approve(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> int:
        reason = parse_reason(fields, required=False)
        with queries(request) as connection:
            budget = budget_of(connection, str(access.consortium_id))
        return stores(request).governance.approve_amendment(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            reason,
            [UUID(c) for c in budget.commitment_ids],
        )

    return _post(request, access, Action.DECIDE_AMENDMENT, "approve", fields, command)


@form_endpoint
def refuse(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    return _post(
        request,
        access,
        Action.DECIDE_AMENDMENT,
        "refuse",
        fields,
        lambda: stores(request).governance.refuse_amendment(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            parse_reason(fields, required=True),
        ),
    )


AMENDMENTS = "/consortia/{consortium_id}/budget/amendments"
AMENDMENT = AMENDMENTS + "/{amendment_id}"
routes = [
    Route(AMENDMENTS, amendments_page, methods=["GET"], name="amendments:index"),
    Route(AMENDMENTS, draft, methods=["POST"], name="amendments:draft"),
    Route(AMENDMENT, amendment_page, methods=["GET"], name="amendments:detail"),
    Route(
        AMENDMENT + "/expenses",
        add_expense,
        methods=["POST"],
        name="amendments:expense",
    ),
    Route(
        AMENDMENT + "/resources",
        add_resource,
        methods=["POST"],
        name="amendments:resource",
    ),
    Route(
        AMENDMENT + "/lines/{line_id}/withdraw",
        withdraw,
        methods=["POST"],
        name="amendments:withdraw",
    ),
    Route(
        AMENDMENT + "/changes/{line_id}/drop",
        drop,
        methods=["POST"],
        name="amendments:drop",
    ),
    Route(AMENDMENT + "/period", extend, methods=["POST"], name="amendments:period"),
    Route(AMENDMENT + "/propose", propose, methods=["POST"], name="amendments:propose"),
    Route(AMENDMENT + "/approve", approve, methods=["POST"], name="amendments:approve"),
    Route(AMENDMENT + "/refuse", refuse, methods=["POST"], name="amendments:refuse"),
]
