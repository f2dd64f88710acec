"""The contributions ledger: dashboard, commitments, deliveries with evidence.

Members pledge and deliver for the partner they represent, coordinators for any
partner, everyone else reads. Evidence files are stored by their SHA-256 outside the
web root and served as attachments only to members of the consortium.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.permissions import Action, may_act_for_partner
from governance.values import ContributionKind, Funding, Phase
from governance.warnings import ledger_warnings
from projections.consortia import consortium_details
from projections.decisions import document_of
from projections.ledger import (
    changes_of,
    commitment,
    commitments_page,
    contribution_with_evidence,
    contributions_of,
)
from projections.ledger_summary import facts_of, summary_of
from projections.ledger_totals import months_of, totals_of
from projections.partners import partners_of
from projections.reporting import attachment_of
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.evidence.download import file_response
from web.evidence.names import content_disposition
from web.exports.ledger_stream import LedgerStream, ledger_stream
from web.forms.commitments import parse_amendment, parse_delivery, parse_pledge
from web.forms.fields import FormErrors
from web.forms.partners import parse_withdrawal
from web.htmx import render
from web.links import path_for
from web.ops.audit_requests import AuditVerifications
from web.presentation.charts import bars, cumulative_line
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    page_number,
    parse_uuid,
    queries,
    stores,
)
from web.routes.evidence_state import audit_flagged, file_states
from web.routes.posting import run_command, saved_upload

logger = logging.getLogger(__name__)

COMMITMENTS_PER_PAGE = 50


def _pledge_partners(access: Access, partners: list[Any]) -> list[Any]:
    """The active partners this person may pledge for."""
    return [
        p
        for p in partners
        if p.active
        and may_act_for_partner(
            access.membership.role, access.membership.partner_id, p.partner_id
        )
    ]


def _ledger_context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    # The totals are kept by the projection (a line per partner and kind) and the
    # table reads one page of commitments, so the page costs the same after years
    # of pledges (the exports hold them all).
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        partners = partners_of(connection, cid)
        lines = totals_of(connection, cid)
        count = sum(line.commitment_count for line in lines)
        pages = max((count + COMMITMENTS_PER_PAGE - 1) // COMMITMENTS_PER_PAGE, 1)
        page = min(page_number(request), pages)
        rows = commitments_page(
            connection,
            cid,
            limit=COMMITMENTS_PER_PAGE,
            offset=(page - 1) * COMMITMENTS_PER_PAGE,
        )
        summary = summary_of(partners, lines, months_of(connection, cid))
    assert details is not None  # noqa: S101 - a membership implies the consortium
    today = clock(request).now().date()
    warnings = ledger_warnings(facts_of(partners, lines), details.phase, today)
    names = {p.partner_id: p.name for p in partners}
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "commitment_prefix": _commitment_prefix(request, cid),
        "summary": summary,
        "warnings": warnings,
        "commitments": rows,
        "commitment_count": count,
        "page": page,
        "pages": pages,
        "partner_names": names,
        "withdrawn_partners": {p.partner_id for p in partners if not p.active},
        # A closed project takes no new commitments: no form, what it still allows.
        "closed": details.phase is Phase.CLOSED,
        "pledge_partners": []
        if details.phase is Phase.CLOSED
        else _pledge_partners(access, partners),
        "kinds": list(ContributionKind),
        "fundings": list(Funding),
        "partner_bars": bars(
            [
                (line.name, line.totals.pledged_eur, line.totals.delivered_eur)
                for line in summary.partners
                if line.commitment_count
            ]
        ),
        "kind_bars": bars(
            [(kind.kind.value, kind.pledged, kind.delivered) for kind in summary.kinds]
        ),
        "line": cumulative_line(summary.over_time, summary.totals.pledged_eur),
        "today": today.isoformat(),
        "year_end": (today + timedelta(days=365)).isoformat(),
    }


def _commitment_prefix(request: Request, cid: str) -> str:
    """The address of the consortium's commitments, without the id.

    The table links each row to its commitment: one route lookup for the page
    rather than one a row (Starlette tries every route each time, and those
    lookups were half of the page's rendering).
    """
    path = path_for(request, "ledger:commitment", consortium_id=cid, commitment_id="_")
    return path.removesuffix("_")


def ledger_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "ledger/index.html",
        {**_ledger_context(request, access), "values": {}, "errors": {}},
        block="pledge_panel",
    )


@form_endpoint
def pledge(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.PLEDGE)

    def command() -> Created:
        # The service decides for which partner this person may pledge.
        form = parse_pledge(fields)
        return stores(request).governance.pledge(
            actor_of(access.account), access.consortium_id, form.partner_id, form.pledge
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _pledge_form(request, access, fields, errors),
        inputs=fields,
        slot="partner_id",
        then=lambda created: path_for(
            request,
            "ledger:commitment",
            consortium_id=access.consortium_id,
            commitment_id=created.id,
        ),
    )


def _pledge_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "ledger/index.html",
        {
            **_ledger_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
            "open_form": True,
        },
        block="pledge_panel",
        status_code=422,
    )


def _commitment_context(request: Request, access: Access) -> dict[str, Any]:
    commitment_id = str(parse_uuid(request.path_params["commitment_id"], "commitment"))
    cid = str(access.consortium_id)
    with queries(request) as connection:
        row = commitment(connection, cid, commitment_id)
        if row is None:
            raise NotFound("commitment", commitment_id)
        history = changes_of(connection, commitment_id)
        delivered = contributions_of(connection, cid, commitment_id)
        partners = {p.partner_id: p for p in partners_of(connection, cid)}
    partner = partners.get(row.partner_id)
    may_act = may_act_for_partner(
        access.membership.role, access.membership.partner_id, row.partner_id
    )
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "c": row,
        "partner": partner,
        "history": history,
        "contributions": delivered,
        "names": stores(request).accounts.names({h.actor_id for h in history}),
        # From the store's index and the last audit, never the files' content: a
        # view costs the same whatever they weigh (``evidence_state``).
        "file_states": file_states(
            stores(request).evidence,
            [d.evidence for d in delivered if d.evidence is not None],
            audit_flagged(AuditVerifications(stores(request).accounts.engine), cid),
        ),
        "may_act": may_act
        and not row.withdrawn
        and partner is not None
        and partner.active,
        "today": clock(request).now().date().isoformat(),
    }


def commitment_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "ledger/commitment.html",
        {**_commitment_context(request, access), "values": {}, "errors": {}},
        block="commitment_panel",
    )


def withdraw_page(request: Request) -> Response:
    access = consortium_access(request)
    context = _commitment_context(request, access)
    access.require(Action.PLEDGE, shown=context["may_act"])
    return render(
        request, "ledger/withdraw.html", {**context, "values": {}, "errors": {}}
    )


def _commitment_form(
    request: Request,
    access: Access,
    template: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        template,
        {
            **_commitment_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
        },
        block="withdraw_form"
        if template.endswith("withdraw.html")
        else "commitment_panel",
        status_code=422,
    )


def _commitment_command(
    request: Request,
    access: Access,
    command: Callable[[], int | Created],
    *,
    template: str,
    values: dict[str, str],
) -> Response:
    """Run a command on the commitment in the path; back to its page once done."""
    return run_command(
        request,
        command,
        refused=lambda errors: _commitment_form(
            request, access, template, values, errors
        ),
        inputs=values,
        then=path_for(
            request,
            "ledger:commitment",
            consortium_id=access.consortium_id,
            commitment_id=request.path_params["commitment_id"],
        ),
    )


@form_endpoint
def amend(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.PLEDGE)
    commitment_id = parse_uuid(request.path_params["commitment_id"], "commitment")

    def command() -> int:
        form = parse_amendment(fields)
        return stores(request).governance.amend_commitment(
            actor_of(access.account),
            commitment_id,
            amount=form.amount,
            starts_on=form.starts_on,
            ends_on=form.ends_on,
            reason=form.reason,
        )

    return _commitment_command(
        request,
        access,
        command,
        template="ledger/commitment.html",
        values={**fields, "form": "amend"},
    )


@form_endpoint
def withdraw(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.PLEDGE)
    commitment_id = parse_uuid(request.path_params["commitment_id"], "commitment")

    def command() -> int:
        form = parse_withdrawal(fields, today=clock(request).now().date())
        return stores(request).governance.withdraw_commitment(
            actor_of(access.account), commitment_id, form.on, form.reason
        )

    return _commitment_command(
        request, access, command, template="ledger/withdraw.html", values=fields
    )


@upload_endpoint
def deliver(
    request: Request, fields: dict[str, str], files: dict[str, Any]
) -> Response:
    access = consortium_access(request)
    access.require(Action.PLEDGE)
    commitment_id = parse_uuid(request.path_params["commitment_id"], "commitment")

    def command() -> Created:
        form = parse_delivery(fields, today=clock(request).now().date())
        # A refused delivery leaves its upload: the same bytes may be another
        # record's file. The sweep (web.ops.evidence_sweep) removes files no event
        # refers to.
        evidence = saved_upload(request, files, "evidence")
        return stores(request).governance.deliver(
            actor_of(access.account),
            commitment_id,
            delivered_on=form.delivered_on,
            amount=form.amount,
            description=form.description,
            evidence=evidence,
        )

    return _commitment_command(
        request,
        access,
        command,
        template="ledger/commitment.html",
        values={**fields, "form": "deliver"},
    )


def evidence_file(request: Request) -> Response:
    access = consortium_access(request)
    sha256 = request.path_params["sha256"]
    with queries(request) as connection:
        contribution = contribution_with_evidence(
            connection, str(access.consortium_id), sha256
        )
        evidence = (
            contribution.evidence
            if contribution is not None
            else document_of(connection, str(access.consortium_id), sha256)
            or attachment_of(connection, str(access.consortium_id), sha256)
        )
    response = (
        file_response(
            stores(request).evidence, sha256, evidence.media_type, evidence.filename
        )
        if evidence is not None
        else None
    )
    if response is None:
        raise NotFound("evidence", sha256)
    return response


def _export(request: Request) -> LedgerStream:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    # Every line, read part by part as it is written (``ledger_stream``).
    return ledger_stream(lambda: queries(request), str(access.consortium_id))


def export_csv(request: Request) -> Response:
    export = _export(request)
    return StreamingResponse(
        export.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{export.stem}.csv")},
    )


def export_xlsx(request: Request) -> Response:
    export = _export(request)
    return Response(
        export.xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"{export.stem}.xlsx")},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMMITMENT = "/consortia/{consortium_id}/commitments/{commitment_id}"
routes = [
    Route(
        "/consortia/{consortium_id}/ledger",
        ledger_page,
        methods=["GET"],
        name="ledger:index",
    ),
    Route(
        "/consortia/{consortium_id}/commitments",
        pledge,
        methods=["POST"],
        name="ledger:pledge",
    ),
    Route(COMMITMENT, commitment_page, methods=["GET"], name="ledger:commitment"),
    Route(COMMITMENT + "/amend", amend, methods=["POST"], name="ledger:amend"),
    Route(
        COMMITMENT + "/withdraw",
        withdraw_page,
        methods=["GET"],
        name="ledger:withdraw_page",
    ),
    Route(COMMITMENT + "/withdraw", withdraw, methods=["POST"], name="ledger:withdraw"),
    Route(COMMITMENT + "/deliver", deliver, methods=["POST"], name="ledger:deliver"),
    Route(
        "/consortia/{consortium_id}/ledger.csv",
        export_csv,
        methods=["GET"],
        name="ledger:csv",
    ),
    Route(
        "/consortia/{consortium_id}/ledger.xlsx",
        export_xlsx,
        methods=["GET"],
        name="ledger:xlsx",
    ),
    Route(
        "/consortia/{consortium_id}/evidence/{sha256}",
        evidence_file,
        methods=["GET"],
        name="ledger:evidence",
    ),
]
