"""The audit page: the platform's signed checkpoints, countersigned and kept by
financers, and a verification of this consortium's events on demand.

Any member of the consortium sees it (others get 404); only its financers
countersign. A checkpoint covers the whole platform log, not one consortium: a
financer vouches for it in the name of the consortium they fund, and the page shows
only this consortium's countersignatures. "Verify now" records a request that the
scheduler's process runs in the background (``web.ops.audit_requests``); the page shows
it pending (refreshing itself with htmx, or on reload) and then its result, which
speaks only of this consortium's events and files (``web.ops.audit_scope``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.permissions import Action
from notifications.checkpoints import checkpoint_file_bytes
from projections.audit_chain import (
    checkpoint,
    checkpoints,
    countersignatures,
    countersigned_in,
)
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.htmx import redirect, render, wants_fragment
from web.i18n import gettext_
from web.links import path_for
from web.ops.audit_findings import describe
from web.ops.audit_requests import AuditVerifications, Refused
from web.ops.audit_scope import ScopedReport
from web.request_state import clock
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command

SHOWN = 50
"""Checkpoints listed, newest first (one is sealed per tick when the log grew)."""


def _requests(request: Request) -> AuditVerifications:
    return AuditVerifications(stores(request).accounts.engine)


def _verification(
    request: Request, access: Access, refused: Refused | None = None
) -> dict[str, object]:
    """The verification panel: the request under way, the last result, the limit."""
    cid = str(access.consortium_id)
    requests = _requests(request)
    pending, last = requests.latest(cid)
    report = ScopedReport.from_json(last.report) if last and last.report else None
    who = {v.requested_by for v in (pending, last) if v is not None}
    return {
        "pending": pending,
        "last": last,
        "report": report,
        "sentences": [describe(f, gettext_) for f in report.findings] if report else [],
        "requesters": stores(request).accounts.names(who),
        "next_at": requests.next_at(cid, clock(request).now()),
        "refused": refused,
    }


def _page(
    request: Request,
    access: Access,
    *,
    block: str | None = None,
    status_code: int = 200,
    refused: Refused | None = None,
) -> Response:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = checkpoints(connection)[:SHOWN]
        # This consortium's countersignatures only: another's financers are theirs.
        signers = countersigned_in(connection, cid)
    names = stores(request).accounts.names({i for ids in signers.values() for i in ids})
    return render(
        request,
        "audit/index.html",
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "checkpoints": rows,
            "signed_by_me": {
                c for c, ids in signers.items() if access.account.account_id in ids
            },
            "signers": {
                r.checkpoint_id: [
                    names.get(i, i) for i in signers.get(r.checkpoint_id, [])
                ]
                for r in rows
            },
            **_verification(request, access, refused),
        },
        block=block,
        status_code=status_code,
    )


def audit_page(request: Request) -> Response:
    access = consortium_access(request)
    # The verification panel polls for its own part while a request is under way.
    polled = request.headers.get("HX-Target") == "verification"
    return _page(request, access, block="verification" if polled else None)


@form_endpoint
def countersign(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.COUNTERSIGN)
    checkpoint_id = parse_uuid(request.path_params["checkpoint_id"], "checkpoint")
    return run_command(
        request,
        lambda: stores(request).governance.countersign_checkpoint(
            actor_of(access.account), access.consortium_id, checkpoint_id
        ),
        then=path_for(request, "audit:index", consortium_id=access.consortium_id),
    )


def download(request: Request) -> Response:
    access = consortium_access(request)  # members only: 404 for anyone else
    checkpoint_id = str(parse_uuid(request.path_params["checkpoint_id"], "checkpoint"))
    with queries(request) as connection:
        row = checkpoint(connection, checkpoint_id)
        if row is None:
            raise NotFound("checkpoint", checkpoint_id)
        signed = countersignatures(
            connection, checkpoint_id, consortium_id=str(access.consortium_id)
        )
    return Response(
        checkpoint_file_bytes(row, signed),
        media_type="application/json",
        headers={
            "Content-Disposition": content_disposition(
                f"checkpoint-{row.position}.json"
            ),
            "X-Content-Type-Options": "nosniff",
        },
    )


@form_endpoint
def verify_now(request: Request, fields: dict[str, str]) -> Response:
    """Ask for a verification of this consortium; it runs in the background."""
    access = consortium_access(request)
    access.require(Action.EXPORT)
    asked = _requests(request).request(
        str(access.consortium_id), access.account.account_id, now=clock(request).now()
    )
    if isinstance(asked, Refused):
        return _page(
            request, access, block="verification", status_code=429, refused=asked
        )
    if wants_fragment(request):
        return _page(request, access, block="verification")
    audit = path_for(request, "audit:index", consortium_id=access.consortium_id)
    return redirect(request, audit + "#verification")


AUDIT = "/consortia/{consortium_id}/audit"
routes = [
    Route(AUDIT, audit_page, methods=["GET"], name="audit:index"),
    Route(AUDIT + "/verify", verify_now, methods=["POST"], name="audit:verify"),
    Route(
        AUDIT + "/checkpoints/{checkpoint_id}.json",
        download,
        methods=["GET"],
        name="audit:download",
    ),
    Route(
        AUDIT + "/checkpoints/{checkpoint_id}/countersign",
        countersign,
        methods=["POST"],
        name="audit:countersign",
    ),
]
