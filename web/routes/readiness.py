"""Funder-readiness: the consortium checked against what funders look for.

Computed on each view from the read models (always up to date), shown the same to
everyone in the consortium, financers included. Coordinators answer, on this page,
the two questions only they can: does the project handle personal data (and which
partner is competent in data protection), and how are end beneficiaries involved.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.permissions import Action
from governance.readiness import assess
from projections.call_view import call_view
from projections.partners import PartnerFilter, partners_of
from projections.readiness import readiness_facts, readiness_settings
from web.auth import actor_of, form_endpoint
from web.forms.readiness import parse_involvement, parse_personal_data
from web.htmx import render
from web.links import path_for, paths
from web.presentation.readiness import lines
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        readiness = assess(
            readiness_facts(connection, cid), clock(request).now().date()
        )
        answers = readiness_settings(connection, cid)
        partners = partners_of(connection, cid, PartnerFilter(include_withdrawn=False))
        call = call_view(connection, cid)
    handles = answers.handles_personal_data
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "readiness": readiness,
        "items": lines(readiness, cid, paths(request)),
        "answers": answers,
        "partners": partners,
        "data_values": {
            "handles_personal_data": ""
            if handles is None
            else "yes"
            if handles
            else "no",
            "data_protection_partner_id": answers.data_protection_partner_id or "",
        },
        "data_errors": {},
        "involvement_values": {
            "beneficiary_involvement": answers.beneficiary_involvement
        },
        "involvement_errors": {},
        "call": call,
    }


def readiness_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(request, "readiness/index.html", _context(request, access))


def _refused(request: Request, access: Access, extra: dict[str, Any]) -> Response:
    return render(
        request,
        "readiness/index.html",
        {**_context(request, access), **extra},
        block="settings",
        status_code=422,
    )


@form_endpoint
def personal_data(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CHANGE_PROFILE)
    context = _context(request, access)

    def command() -> int:
        form = parse_personal_data(fields, [p.partner_id for p in context["partners"]])
        return stores(request).governance.declare_personal_data(
            actor_of(access.account),
            access.consortium_id,
            form.handles_personal_data,
            form.data_protection_partner_id,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(
            request, access, {"data_values": fields, "data_errors": errors.errors}
        ),
        then=path_for(request, "readiness:index", consortium_id=access.consortium_id),
    )


@form_endpoint
def involvement(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CHANGE_PROFILE)
    return run_command(
        request,
        lambda: stores(request).governance.describe_beneficiary_involvement(
            actor_of(access.account), access.consortium_id, parse_involvement(fields)
        ),
        refused=lambda errors: _refused(
            request,
            access,
            {"involvement_values": fields, "involvement_errors": errors.errors},
        ),
        then=path_for(request, "readiness:index", consortium_id=access.consortium_id),
    )


READINESS = "/consortia/{consortium_id}/readiness"
routes = [
    Route(READINESS, readiness_page, methods=["GET"], name="readiness:index"),
    Route(
        READINESS + "/personal-data",
        personal_data,
        methods=["POST"],
        name="readiness:personal_data",
    ),
    Route(
        READINESS + "/beneficiaries",
        involvement,
        methods=["POST"],
        name="readiness:beneficiaries",
    ),
]
