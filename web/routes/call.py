"""The call's page: the call, its rules as data, the consortium checked against
them in words, the coordinator's form, and the application file (PDF).

Everyone in the consortium reads (a financer too); coordinators record the rules,
which also set the draft financing plan's funding rules (typed once, here). Forms
work without JavaScript (POST, then 303); a refused form comes back with its errors
(422) and nothing stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.financing.values import DIRECT_CATEGORIES, IndirectBase
from governance.permissions import Action
from projections.application_deadlines import ApplicationDeadline
from projections.application_file import application_file
from projections.call_view import call_view
from projections.consortia import consortium_details
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.exports.application_pdf import application_pdf
from web.forms.budget import category_field
from web.forms.call import CALL_KINDS, call_rules_values, kind_field, parse_call_rules
from web.htmx import render
from web.i18n import N_, gettext_
from web.links import path_for
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        view = call_view(connection, cid)
        details = consortium_details(connection, cid)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "view": view,
        "call": details.call if details else None,
        "kinds": CALL_KINDS,
        "kind_field": kind_field,
        "categories": list(DIRECT_CATEGORIES),
        "category_field": category_field,
        "bases": list(IndirectBase),
        "values": call_rules_values(view.rules),
        "errors": {},
        "error_params": {},
    }


def call_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(request, "call/index.html", _context(request, access))


@form_endpoint
def record_rules(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CHANGE_PROFILE)

    def refused(errors: Any) -> Response:
        context = _context(request, access)
        context.update(values=fields, errors=errors.errors, error_params=errors.params)
        return render(request, "call/index.html", context, status_code=422)

    return run_command(
        request,
        lambda: stores(request).governance.record_call_rules(
            actor_of(access.account), access.consortium_id, parse_call_rules(fields)
        ),
        refused=refused,
        inputs=fields,
        slot="",
        then=path_for(request, "call:index", consortium_id=access.consortium_id),
    )


def application_file_pdf(request: Request) -> Response:
    access = consortium_access(request)
    with queries(request) as connection:
        file = application_file(connection, str(access.consortium_id))
    if file is None:  # pragma: no cover - access found the consortium
        raise NotFound("consortium", access.consortium_id)
    stem = f"application-file-{file.details.acronym or file.details.consortium_id[:8]}"
    return Response(
        application_pdf(file, clock(request).now()),
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"{stem}.pdf")},
    )


def application_event(row: ApplicationDeadline, base: str, stamp: datetime) -> Event:
    """An application's closing date, as an event of a person's calendar feed."""
    entry = Event()
    entry.add("uid", f"{row.deadline_id}@consortium-ledger")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", row.closing_on)
    entry.add(
        "summary",
        gettext_(N_("Application to “%(call)s” closes (%(consortium)s)"))
        % {"call": row.call_name, "consortium": row.consortium_name},
    )
    entry.add("description", row.funder)
    entry.add("url", f"{base}/consortia/{row.consortium_id}/call")
    return entry


CALL = "/consortia/{consortium_id}/call"
routes = [
    Route(CALL, call_page, methods=["GET"], name="call:index"),
    Route(CALL + "/rules", record_rules, methods=["POST"], name="call:rules"),
    Route(
        CALL + "/application-file.pdf",
        application_file_pdf,
        methods=["GET"],
        name="call:application_pdf",
    ),
]
