"""A deliverable's page: what it is, its file, its life; its submission by the
responsible partner (or the coordinator) and its review by the financer, like a
report's. Also the download of the work plan's files (deliverables', milestones').
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.permissions import Action
from governance.values import MemberRole
from governance.workplan.values import DeliverableStatus
from projections.partners import partners_of
from projections.workplan_queries import (
    DeliverableRow,
    deliverable,
    steps_of_deliverable,
    workplan_file,
    workplan_of,
)
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.evidence.download import file_response
from web.forms.fields import FormErrors
from web.htmx import render
from web.i18n import N_, gettext_
from web.links import path_for
from web.presentation.labels import label
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    parse_uuid,
    queries,
    query,
    stores,
)
from web.routes.posting import run_command, saved_upload


def acts_for(access: Access, row: DeliverableRow) -> bool:
    """Whether this person hands deliverables in for its responsible partner."""
    membership = access.membership
    return access.can(Action.SUBMIT_DELIVERABLE) and (
        membership.role is MemberRole.COORDINATOR
        or membership.partner_id == row.responsible_id
    )


def may_submit(access: Access, row: DeliverableRow) -> bool:
    """Whether this person may hand the deliverable in now (to show the form)."""
    return row.open and acts_for(access, row)


def _deliverable_id(request: Request) -> str:
    return str(parse_uuid(request.path_params["deliverable_id"], "deliverable"))


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    deliverable_id = _deliverable_id(request)
    with queries(request) as connection:
        row = deliverable(connection, cid, deliverable_id)
        if row is None:
            raise NotFound("deliverable", deliverable_id)
        steps = steps_of_deliverable(connection, deliverable_id)
        packages = {p.package_id: p for p in workplan_of(connection, cid).packages}
        partners = {p.partner_id: p.name for p in partners_of(connection, cid)}
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "d": row,
        "package": packages.get(row.package_id),
        "partner_name": partners.get(row.responsible_id, "?"),
        "steps": steps,
        "names": stores(request).accounts.names({s.actor_id for s in steps}),
        "late": row.late_on(clock(request).now().date()),
        "may_submit": may_submit(access, row),
        "may_review": access.can(Action.REVIEW_DELIVERABLE)
        and row.status is DeliverableStatus.SUBMITTED,
        "values": {},
        "errors": {},
        "error_params": {},
    }


def deliverable_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "workplan/deliverable.html",
        _context(request, access),
        block="deliverable_panel",
    )


def _refused(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "workplan/deliverable.html",
        {
            **_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
        },
        block="deliverable_panel",
        status_code=422,
    )


def _then(request: Request, access: Access) -> str:
    return path_for(
        request,
        "workplan:deliverable",
        consortium_id=access.consortium_id,
        deliverable_id=request.path_params["deliverable_id"],
    )


@upload_endpoint
def submit(request: Request, fields: dict[str, str], files: dict[str, Any]) -> Response:
    access = consortium_access(request)
    access.require(Action.SUBMIT_DELIVERABLE)
    deliverable_id = _deliverable_id(request)
    row = query(request, deliverable, str(access.consortium_id), deliverable_id)
    if row is None:
        raise NotFound("deliverable", deliverable_id)
    # Another partner's member is refused before their file is read and stored.
    access.require(Action.SUBMIT_DELIVERABLE, shown=acts_for(access, row))

    def command() -> int:
        file = saved_upload(request, files, "file")
        if file is None:
            raise FormErrors({"file": "deliverable.file_required"})
        return stores(request).governance.submit_deliverable(
            actor_of(access.account),
            access.consortium_id,
            deliverable_id,
            file,
            fields.get("note", "")[:4000],
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, fields, errors),
        inputs=fields,
        slot="file",
        then=_then(request, access),
    )


@form_endpoint
def review(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REVIEW_DELIVERABLE)
    deliverable_id = _deliverable_id(request)
    comment = fields.get("comment", "")[:20_000]
    governance = stores(request).governance
    actor = actor_of(access.account)

    def command() -> int:
        if fields.get("decision") == "accept":
            return governance.accept_deliverable(
                actor, access.consortium_id, deliverable_id, comment
            )
        return governance.request_deliverable_changes(
            actor, access.consortium_id, deliverable_id, comment
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, fields, errors),
        inputs=fields,
        slot="comment",
        then=_then(request, access),
    )


def deliverable_event(
    row: DeliverableRow, consortia: dict[str, str], base: str, stamp: datetime
) -> Event:
    """A deliverable due, as an event of a person's calendar feed."""
    entry = Event()
    entry.add("uid", f"{row.deliverable_id}@consortium-ledger")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", row.due_on)
    entry.add(
        "summary",
        gettext_(N_("Deliverable “%(title)s” due (%(consortium)s)"))
        % {"title": row.title, "consortium": consortia.get(row.consortium_id, "")},
    )
    entry.add("description", label(row.status))
    entry.add(
        "url",
        f"{base}/consortia/{row.consortium_id}/workplan/deliverables/"
        f"{row.deliverable_id}",
    )
    return entry


def download(request: Request) -> Response:
    access = consortium_access(request)
    sha256 = request.path_params["sha256"]
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise NotFound("file", sha256[:80])
    with queries(request) as connection:
        evidence = workplan_file(connection, str(access.consortium_id), sha256)
    response = (
        file_response(
            stores(request).evidence, sha256, evidence.media_type, evidence.filename
        )
        if evidence is not None
        else None
    )
    if response is None:
        raise NotFound("file", sha256)
    return response


DELIVERABLE = "/consortia/{consortium_id}/workplan/deliverables/{deliverable_id}"
routes = [
    Route(DELIVERABLE, deliverable_page, methods=["GET"], name="workplan:deliverable"),
    Route(DELIVERABLE + "/submit", submit, methods=["POST"], name="workplan:submit"),
    Route(DELIVERABLE + "/review", review, methods=["POST"], name="workplan:review"),
    Route(
        "/consortia/{consortium_id}/workplan/files/{sha256}",
        download,
        methods=["GET"],
        name="workplan:file",
    ),
]
