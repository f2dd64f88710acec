"""The partners of a consortium: table with filters, admission, changes, withdrawal.

Forms work without JavaScript (POST, then 303 back); with htmx they update their
panel in place.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.actor import Actor
from governance.application import Created, Governance
from governance.errors import NotFound
from governance.permissions import Action
from governance.values import AuthorityLevel, Paper, PartnerKind, PartnerRole
from projections.history import history_of
from projections.partners import PartnerFilter, partner, partners_of
from web.auth import actor_of, form_endpoint
from web.forms.fields import FormErrors
from web.forms.partners import (
    parse_axis,
    parse_paper,
    parse_partner,
    parse_role,
    parse_withdrawal,
)
from web.htmx import render
from web.links import path_for
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.history import names_for
from web.routes.posting import run_command


def _filter(request: Request) -> tuple[PartnerFilter, dict[str, str]]:
    params = request.query_params
    values = {k: params.get(k, "")[:100] for k in ("kind", "role", "status", "q")}
    kinds = {k.value: k for k in PartnerKind}
    roles = {r.value: r for r in PartnerRole}
    status = values["status"]
    where = PartnerFilter(
        kind=kinds.get(values["kind"]),
        role=roles.get(values["role"]),
        include_withdrawn=status != "active",
        only_withdrawn=status == "withdrawn",
        text=values["q"],
    )
    return where, values


def _list_context(request: Request, access: Access) -> dict[str, object]:
    where, filters = _filter(request)
    with queries(request) as connection:
        rows = partners_of(connection, str(access.consortium_id), where)
    return {
        "access": access,
        "can": access.abilities,
        "partners": rows,
        "filters": filters,
        "kinds": list(PartnerKind),
        "roles": list(PartnerRole),
        "levels": list(AuthorityLevel),
        "papers": list(Paper),
        "today": clock(request).now().date().isoformat(),
        "consortium_id": access.consortium_id,
    }


def partner_list(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "partners/index.html",
        {**_list_context(request, access), "values": {}, "errors": {}},
        block=_list_block(request),
    )


def _list_block(request: Request) -> str:
    # The filter form targets the table only; everything else swaps the panel.
    return (
        "partner_table"
        if request.headers.get("HX-Target") == "partner-table"
        else "partners_panel"
    )


@form_endpoint
def admit(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_PARTNERS)
    form = None

    def command() -> Created:
        nonlocal form
        form = parse_partner(fields, today=clock(request).now().date())
        return stores(request).governance.admit_partner(
            actor_of(access.account),
            access.consortium_id,
            form.identity,
            role=form.role,
            axis=form.axis,
            paper=form.paper,
            paper_signed_on=form.paper_signed_on,
            joined_on=form.joined_on,
        )

    def admitted(created: Created) -> Response | str:
        if request.headers.get("HX-Request") == "true":
            assert form is not None  # noqa: S101 - the command parsed it
            return render(
                request,
                "partners/index.html",
                {
                    **_list_context(request, access),
                    "values": {},
                    "errors": {},
                    "admitted": form.identity.name,
                },
                block="partners_panel",
                headers={"HX-Trigger": "partners-changed"},
            )
        return path_for(request, "partners:index", consortium_id=access.consortium_id)

    return run_command(
        request,
        command,
        refused=lambda errors: _admit_form(request, access, fields, errors),
        inputs=fields,
        then=admitted,
    )


def _admit_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "partners/index.html",
        {
            **_list_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
            "open_form": True,
        },
        block="partners_panel",
        status_code=422,
    )


PARTNER_HISTORY = 20
"""The latest history entries a partner's page shows; the history page, narrowed
to the partner, has them all (a partner's page showed its last 100, half the time
of the page, and none before them)."""


def _partner_context(request: Request, access: Access) -> dict[str, object]:
    partner_id = request.path_params["partner_id"]
    if len(partner_id) > 36:
        raise NotFound("partner", partner_id)
    with queries(request) as connection:
        row = partner(connection, str(access.consortium_id), partner_id)
        if row is None:
            raise NotFound("partner", partner_id)
        page = history_of(
            connection,
            str(access.consortium_id),
            subject_id=partner_id,
            limit=PARTNER_HISTORY,
        )
    return {
        "access": access,
        "can": access.abilities,
        "p": row,
        "history": page.entries,
        # The rest is on the history page, narrowed to this partner.
        "more_history": page.older_than is not None,
        "names": names_for(request, page.entries),
        "roles": list(PartnerRole),
        "papers": list(Paper),
        "today": clock(request).now().date().isoformat(),
        "consortium_id": access.consortium_id,
    }


def partner_detail(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "partners/detail.html",
        {**_partner_context(request, access), "errors": {}, "values": {}},
        block="partner_record",
    )


def withdraw_page(request: Request) -> Response:
    access = consortium_access(request)
    # Only those who may record the withdrawal see the form that asks to confirm it.
    access.require(Action.MANAGE_PARTNERS)
    return render(
        request,
        "partners/withdraw.html",
        {**_partner_context(request, access), "errors": {}, "values": {}},
        block="withdraw_form",
    )


PartnerCommand = Callable[[Governance, Actor, UUID, str], int]


def _partner_command(
    request: Request, fields: dict[str, str], action: str, command: PartnerCommand
) -> Response:
    """Run one command on a partner; answer with its record, or the form and why not.

    A refused rule shows next to the input it names, else where the form of
    ``action`` keeps its refusals (``errors[action]``).
    """
    access = consortium_access(request)
    access.require(Action.MANAGE_PARTNERS)
    partner_id = request.path_params["partner_id"]
    template, block = (
        ("partners/withdraw.html", "withdraw_form")
        if action == "withdraw"
        else ("partners/detail.html", "partner_record")
    )

    def done(position: int) -> Response | str:
        if action != "withdraw" and request.headers.get("HX-Request") == "true":
            return render(
                request,
                "partners/detail.html",
                {
                    **_partner_context(request, access),
                    "errors": {},
                    "values": {},
                    "saved": action,
                },
                block="partner_record",
                headers={"HX-Trigger": "partners-changed"},
            )
        return path_for(
            request,
            "partners:detail",
            consortium_id=access.consortium_id,
            partner_id=partner_id,
        )

    return run_command(
        request,
        lambda: command(
            stores(request).governance,
            actor_of(access.account),
            access.consortium_id,
            partner_id,
        ),
        refused=lambda errors: _partner_form(
            request, access, template, block, fields, errors
        ),
        inputs=fields,
        slot=action,
        then=done,
    )


def _partner_form(
    request: Request,
    access: Access,
    template: str,
    block: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        template,
        {
            **_partner_context(request, access),
            "errors": errors.errors,
            "error_params": errors.params,
            "values": fields,
        },
        block=block,
        status_code=422,
    )


@form_endpoint
def change_role(request: Request, fields: dict[str, str]) -> Response:
    return _partner_command(
        request,
        fields,
        "role",
        lambda g, actor, cid, pid: g.change_partner_role(
            actor, cid, pid, parse_role(fields)
        ),
    )


@form_endpoint
def change_axis(request: Request, fields: dict[str, str]) -> Response:
    return _partner_command(
        request,
        fields,
        "axis",
        lambda g, actor, cid, pid: g.change_partner_axis(
            actor, cid, pid, parse_axis(fields)
        ),
    )


@form_endpoint
def record_paper(request: Request, fields: dict[str, str]) -> Response:
    def command(g: Governance, actor: Actor, cid: UUID, pid: str) -> int:
        paper = parse_paper(fields)
        return g.record_paper(actor, cid, pid, paper.paper, paper.signed_on)

    return _partner_command(request, fields, "paper", command)


@form_endpoint
def withdraw(request: Request, fields: dict[str, str]) -> Response:
    def command(g: Governance, actor: Actor, cid: UUID, pid: str) -> int:
        withdrawal = parse_withdrawal(fields, today=clock(request).now().date())
        return g.withdraw_partner(actor, cid, pid, withdrawal.on, withdrawal.reason)

    return _partner_command(request, fields, "withdraw", command)


PARTNER = "/consortia/{consortium_id}/partners/{partner_id}"
routes = [
    Route(
        "/consortia/{consortium_id}/partners",
        partner_list,
        methods=["GET"],
        name="partners:index",
    ),
    Route(
        "/consortia/{consortium_id}/partners",
        admit,
        methods=["POST"],
        name="partners:admit",
    ),
    Route(PARTNER, partner_detail, methods=["GET"], name="partners:detail"),
    Route(PARTNER + "/role", change_role, methods=["POST"], name="partners:role"),
    Route(PARTNER + "/axis", change_axis, methods=["POST"], name="partners:axis"),
    Route(PARTNER + "/paper", record_paper, methods=["POST"], name="partners:paper"),
    Route(
        PARTNER + "/withdraw",
        withdraw_page,
        methods=["GET"],
        name="partners:withdraw_page",
    ),
    Route(PARTNER + "/withdraw", withdraw, methods=["POST"], name="partners:withdraw"),
]
