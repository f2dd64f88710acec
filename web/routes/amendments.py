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
from governance.permissions import Action
from projections.ledger import commitment_ids_of
from web.auth import actor_of, form_endpoint
from web.forms.amendments import parse_draft, parse_extension, parse_reason
from web.forms.budget import parse_expense, parse_resource
from web.forms.fields import FormErrors
from web.htmx import render
from web.links import path_for
from web.routes.amendment_pages import (
    amendment_page,
    amendments_page,
    detail_context,
    list_context,
)
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command


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
            list_context(request, access)
            if on_list
            else detail_context(request, access)
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
            ids = commitment_ids_of(connection, str(access.consortium_id))
        return stores(request).governance.approve_amendment(
            actor_of(access.account),
            access.consortium_id,
            _amendment_id(request),
            reason,
            [UUID(c) for c in ids],
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
