"""Governance bodies and proxies: who decides, by which rule, who votes for whom."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.permissions import Action, may_act_for_partner
from governance.voting import Majority, rule_can_be_met
from projections.decisions import bodies_of, proxies_of
from projections.partners import partners_of
from web.auth import actor_of, form_endpoint
from web.forms.decisions import parse_body, parse_proxy
from web.forms.fields import FormErrors, portion_text
from web.htmx import render
from web.links import path_for
from web.presentation.decisions import rule_sentence
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        bodies = bodies_of(connection, cid)
        proxies = proxies_of(connection, cid)
        partners = partners_of(connection, cid)
    active = [p for p in partners if p.active]
    today = clock(request).now().date()
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "bodies": bodies,
        "proxies": proxies,
        "partners": active,
        "partner_names": {p.partner_id: p.name for p in partners},
        "rules": {b.body_id: rule_sentence(b.rule) for b in bodies},
        "unmeetable": {
            b.body_id for b in bodies if not rule_can_be_met(b.rule, b.members)
        },
        "majorities": list(Majority),
        "today": today.isoformat(),
        "in_a_year": (today + timedelta(days=365)).isoformat(),
        "delegators": [
            p
            for p in active
            if may_act_for_partner(
                access.membership.role, access.membership.partner_id, p.partner_id
            )
        ],
        "values": {},
        "errors": {},
    }


def bodies_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "bodies/index.html", _context(request, access), block="body_form"
    )


@form_endpoint
def establish(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_BODIES)
    context = _context(request, access)

    def command() -> Created:
        form = parse_body(fields, [p.partner_id for p in context["partners"]])
        return stores(request).governance.establish_body(
            actor_of(access.account),
            access.consortium_id,
            name=form.name,
            members=form.members,
            rule=form.rule,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _form(request, context, fields, errors),
        inputs=_body_inputs(fields),
        then=path_for(request, "bodies:index", consortium_id=access.consortium_id),
    )


def _body_inputs(fields: dict[str, str]) -> set[str]:
    # The member partners are ticks, sent only when ticked: the list has its place.
    return {*fields, "members"}


def _form(
    request: Request,
    context: dict[str, Any],
    fields: dict[str, str],
    errors: FormErrors,
    template: str = "bodies/index.html",
) -> Response:
    return render(
        request,
        template,
        {**context, "values": fields, "errors": errors.errors, "open_form": True},
        block="body_form",
        status_code=422,
    )


def body_page(request: Request) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_BODIES)
    context = _context(request, access)
    body = _body(context, request.path_params["body_id"])
    values = {
        "name": body.name,
        "quorum": portion_text(body.rule.share),
        "majority": body.rule.majority.value,
        "veto_days": str(body.rule.veto_days),
        "by_weight": "on" if body.rule.quorum_by_weight else "",
    }
    for partner_id, weight in body.members.items():
        values[f"member-{partner_id}"] = "on"
        values[f"weight-{partner_id}"] = str(weight)
    return render(
        request, "bodies/edit.html", {**context, "body": body, "values": values}
    )


def _body(context: dict[str, Any], body_id: str) -> Any:
    body = next((b for b in context["bodies"] if b.body_id == body_id), None)
    if body is None:
        raise NotFound("body", body_id)
    return body


@form_endpoint
def change(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_BODIES)
    context = _context(request, access)
    body = _body(context, request.path_params["body_id"])

    def command() -> int:
        form = parse_body(fields, [p.partner_id for p in context["partners"]])
        return stores(request).governance.change_body(
            actor_of(access.account),
            access.consortium_id,
            body.body_id,
            name=form.name,
            members=form.members,
            rule=form.rule,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _form(
            request, {**context, "body": body}, fields, errors, "bodies/edit.html"
        ),
        inputs=_body_inputs(fields),
        then=path_for(request, "bodies:index", consortium_id=access.consortium_id),
    )


@form_endpoint
def delegate(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.PLEDGE)
    context = _context(request, access)

    def command() -> Created:
        form = parse_proxy(fields)
        return stores(request).governance.delegate_proxy(
            actor_of(access.account),
            access.consortium_id,
            from_partner=form.from_partner,
            to_partner=form.to_partner,
            valid_from=form.valid_from,
            valid_until=form.valid_until,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _proxy_form(request, context, fields, errors),
        inputs=fields,
        slot="proxy",
        then=path_for(request, "bodies:index", consortium_id=access.consortium_id),
    )


def _proxy_form(
    request: Request,
    context: dict[str, Any],
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        "bodies/index.html",
        {**context, "proxy_values": fields, "proxy_errors": errors.errors},
        block="proxy_form",
        status_code=422,
    )


@form_endpoint
def revoke(request: Request, fields: dict[str, str]) -> Response:
    # The service decides who may end a delegation (its partner's member, or a
    # coordinator), and refuses anyone else.
    access = consortium_access(request)
    return run_command(
        request,
        lambda: stores(request).governance.revoke_proxy(
            actor_of(access.account),
            access.consortium_id,
            request.path_params["proxy_id"][:36],
        ),
        then=path_for(request, "bodies:index", consortium_id=access.consortium_id),
    )


BODIES = "/consortia/{consortium_id}/bodies"
routes = [
    Route(BODIES, bodies_page, methods=["GET"], name="bodies:index"),
    Route(BODIES, establish, methods=["POST"], name="bodies:establish"),
    Route(BODIES + "/{body_id}", body_page, methods=["GET"], name="bodies:edit_page"),
    Route(BODIES + "/{body_id}", change, methods=["POST"], name="bodies:change"),
    Route(
        "/consortia/{consortium_id}/proxies",
        delegate,
        methods=["POST"],
        name="bodies:delegate",
    ),
    Route(
        "/consortia/{consortium_id}/proxies/{proxy_id}/revoke",
        revoke,
        methods=["POST"],
        name="bodies:revoke_proxy",
    ),
]
