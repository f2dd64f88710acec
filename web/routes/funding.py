"""The funder's grant: its tranches, what each waits on, payments and recoveries.

Everyone in the consortium reads the page; the financer sets up the grant and
records payments and recoveries (the service checks the role and that the tranche's
condition holds in the log). Forms work without JavaScript (POST, then 303); a
refused form comes back on its page (422), each under its own tranche.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.financing.grant_values import TrancheKind
from governance.permissions import Action
from projections.consortia import consortium_details
from projections.funding_status import Funding, funding_of, report_ids
from projections.reporting import obligations_of
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.exports.funding import funding_xlsx
from web.forms.fields import FormErrors
from web.forms.funding import INTERIM_ROWS, parse_grant, parse_payment, parse_recovery
from web.htmx import render
from web.links import path_for
from web.presentation.funding_words import released_by, tranche_name, waits_on
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRANT_INPUTS = (
    "amount",
    "rate",
    "eligible_from",
    "eligible_until",
    "advance",
    *(
        f"interim_{row}_{part}"
        for row in range(1, INTERIM_ROWS + 1)
        for part in ("report", "amount")
    ),
    "balance_report",
)


def _rows(funding: Funding | None) -> list[dict[str, Any]]:
    """Each tranche with its name, condition, state and the words of its payments."""
    if funding is None:
        return []
    rows, interim = [], 0
    for view in funding.tranches:
        if view.tranche.kind is TrancheKind.INTERIM:
            interim += 1
        rows.append(
            {
                "view": view,
                "name": tranche_name(view, interim),
                "waits_on": waits_on(view),
                "payments": [(m, released_by(m.release)) for m in view.payments],
            }
        )
    return rows


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        funding = funding_of(connection, cid)
        reports = obligations_of(connection, cid)
    recoveries = (
        [(m, released_by(m.release)) for m in funding.grant.movements if m.is_recovery]
        if funding
        else []
    )
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "funding": funding,
        "rows": _rows(funding),
        "recoveries": recoveries,
        "reports": reports,
        "interim_rows": range(1, INTERIM_ROWS + 1),
        "today": clock(request).now().date().isoformat(),
        "values": {},
        "errors": {},
        "error_params": {},
        "open_form": "",
    }


def funding_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "funding/index.html", _context(request, access), block="funding"
    )


def _refused(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    context = _context(request, access)
    context["values"] = {form: fields}
    context["errors"] = {form: errors.errors}
    context["error_params"] = {form: errors.params}
    context["open_form"] = form
    return render(
        request, "funding/index.html", context, block="funding", status_code=422
    )


def _index(request: Request, access: Access) -> str:
    return path_for(request, "funding:index", consortium_id=access.consortium_id)


def _counted(request: Request, access: Access) -> list[UUID]:
    """Every report of the consortium: the service counts their accepted statements."""
    with queries(request) as connection:
        funding = funding_of(connection, str(access.consortium_id))
    return [UUID(r) for r in report_ids(funding)] if funding else []


@form_endpoint
def set_grant(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_GRANT)
    with queries(request) as connection:
        reports = {
            r.obligation_id: r.title
            for r in obligations_of(connection, str(access.consortium_id))
        }

    def command() -> Created:
        form = parse_grant(fields, reports)
        return stores(request).governance.set_grant(
            actor_of(access.account), access.consortium_id, form.terms, form.tranches
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, "grant", fields, errors),
        inputs=GRANT_INPUTS,
        then=_index(request, access),
    )


@form_endpoint
def record_payment(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.RECORD_PAYMENT)
    tranche_id = request.path_params["tranche_id"]
    counted = _counted(request, access)

    def command() -> Created:
        amount, paid_on = parse_payment(fields)
        return stores(request).governance.record_payment(
            actor_of(access.account),
            access.consortium_id,
            tranche_id,
            amount,
            paid_on,
            counted,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(
            request, access, f"pay-{tranche_id}", fields, errors
        ),
        inputs=("amount", "paid_on"),
        then=_index(request, access),
    )


@form_endpoint
def record_recovery(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.RECORD_PAYMENT)
    counted = _counted(request, access)

    def command() -> Created:
        amount, recovered_on, reason = parse_recovery(fields)
        return stores(request).governance.record_recovery(
            actor_of(access.account),
            access.consortium_id,
            amount,
            recovered_on,
            reason,
            counted,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, "recover", fields, errors),
        inputs=("amount", "recovered_on", "reason"),
        then=_index(request, access),
    )


def export_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        funding = funding_of(connection, cid)
    stem = f"funding-{(details.acronym if details else '') or cid[:8]}"
    return Response(
        funding_xlsx(details.name if details else "", funding, _rows(funding)),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"{stem}.xlsx")},
    )


FUNDING = "/consortia/{consortium_id}/funding"
routes = [
    Route(FUNDING, funding_page, methods=["GET"], name="funding:index"),
    Route(FUNDING + "/grant", set_grant, methods=["POST"], name="funding:set_grant"),
    Route(
        FUNDING + "/tranches/{tranche_id}/payments",
        record_payment,
        methods=["POST"],
        name="funding:pay",
    ),
    Route(
        FUNDING + "/recoveries",
        record_recovery,
        methods=["POST"],
        name="funding:recover",
    ),
    Route(
        "/consortia/{consortium_id}/funding.xlsx",
        export_xlsx,
        methods=["GET"],
        name="funding:xlsx",
    ),
]
