"""The capitalisation register: what the project leaves behind, and its exports.

Members, the pilot team and coordinators record, amend and withdraw entries;
financers read and export. Forms work without JavaScript (POST, then 303); with
htmx a refused form comes back in place with its errors (422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.permissions import Action
from governance.values import AssetType, CapitalisationEntry, CapitalisationKind
from projections.capitalisation import (
    EVERY,
    LIVE,
    WITHDRAWN,
    CapitalisationRow,
    capitalisation_counts,
    capitalisation_entry,
    capitalisation_of,
    steps_of_entry,
)
from projections.consortia import consortium_details
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.exports.capitalisation import (
    CapitalisationExport,
    capitalisation_csv,
    capitalisation_json,
)
from web.forms.capitalisation import parse_capitalisation, parse_reason
from web.forms.fields import FormErrors
from web.htmx import render
from web.i18n import N_
from web.links import path_for
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    page_number,
    parse_uuid,
    queries,
    stores,
)
from web.routes.posting import run_command

PAGE = 20


def _filters(request: Request) -> tuple[dict[str, str], int]:
    params = request.query_params
    values = {k: params.get(k, "")[:20] for k in ("kind", "status", "page")}
    if values["kind"] not in {k.value for k in CapitalisationKind}:
        values["kind"] = ""
    if values["status"] not in {WITHDRAWN, EVERY}:
        values["status"] = ""
    del values["page"]
    return values, page_number(request)


def _register_context(request: Request, access: Access) -> dict[str, Any]:
    filters, page = _filters(request)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows, total = capitalisation_of(
            connection,
            cid,
            kind=CapitalisationKind(filters["kind"]) if filters["kind"] else None,
            status=filters["status"] or LIVE,
            limit=PAGE,
            offset=(page - 1) * PAGE,
        )
        counts = capitalisation_counts(connection, cid)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "entries": rows,
        "total": total,
        "counts": counts,
        "page": page,
        "pages": max((total + PAGE - 1) // PAGE, 1),
        "filters": filters,
        "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        "kinds": list(CapitalisationKind),
        "asset_types": list(AssetType),
        "names": stores(request).accounts.names({r.recorded_by for r in rows}),
        "today": clock(request).now().date().isoformat(),
        "values": {},
        "errors": {},
        "open_kind": "",
    }


def register_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "capitalisation/index.html",
        _register_context(request, access),
        block="register_table"
        if request.headers.get("HX-Target") == "register-table"
        else "record_forms",
    )


@form_endpoint
def record(request: Request, fields_: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CAPITALISE)

    def command() -> Created:
        try:
            kind = CapitalisationKind(fields_.get("kind", ""))
        except ValueError:
            raise FormErrors({"": N_("Choose one of the options.")}) from None
        entry = parse_capitalisation(fields_, kind, today=clock(request).now().date())
        return stores(request).governance.record_capitalisation(
            actor_of(access.account), access.consortium_id, entry
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _record_form(request, access, fields_, errors),
        inputs=fields_,
        then=path_for(
            request, "capitalisation:index", consortium_id=access.consortium_id
        ),
    )


def _record_form(
    request: Request, access: Access, values: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "capitalisation/index.html",
        {
            **_register_context(request, access),
            "values": values,
            "errors": errors.errors,
            "open_kind": values.get("kind", ""),
        },
        block="record_forms",
        status_code=422,
    )


def entry_values(entry: CapitalisationEntry) -> dict[str, str]:
    """An entry's fields as form values, to fill the amendment form."""
    values = {}
    for f in fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        values[f.name] = str(value)
    return values


def _entry(request: Request, access: Access) -> CapitalisationRow:
    entry_id = str(parse_uuid(request.path_params["entry_id"], "capitalisation"))
    with queries(request) as connection:
        row = capitalisation_entry(connection, str(access.consortium_id), entry_id)
    if row is None:
        raise NotFound("capitalisation", entry_id)
    return row


def _entry_context(request: Request, access: Access) -> dict[str, Any]:
    row = _entry(request, access)
    with queries(request) as connection:
        history = steps_of_entry(connection, row.entry_id)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "e": row,
        "history": history,
        "names": stores(request).accounts.names({h.actor_id for h in history}),
        "asset_types": list(AssetType),
        "may_change": access.can(Action.CAPITALISE) and not row.withdrawn,
        "values": entry_values(row.entry),
        "errors": {},
    }


def entry_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "capitalisation/entry.html",
        _entry_context(request, access),
        block="entry_panel",
    )


def _entry_form(
    request: Request,
    access: Access,
    template: str,
    values: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        template,
        {**_entry_context(request, access), "values": values, "errors": errors.errors},
        block="withdraw_form" if template.endswith("withdraw.html") else "entry_panel",
        status_code=422,
    )


def _entry_command(
    request: Request,
    access: Access,
    command: Callable[[], int],
    template: str,
    fields_: dict[str, str],
) -> Response:
    """Run a command on the entry in the path; back to its page once done."""
    return run_command(
        request,
        command,
        refused=lambda errors: _entry_form(request, access, template, fields_, errors),
        inputs=fields_,
        then=path_for(
            request,
            "capitalisation:entry",
            consortium_id=access.consortium_id,
            entry_id=request.path_params["entry_id"],
        ),
    )


@form_endpoint
def amend(request: Request, fields_: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CAPITALISE)
    row = _entry(request, access)

    def command() -> int:
        entry = parse_capitalisation(
            fields_, row.kind, today=clock(request).now().date()
        )
        reason = parse_reason(fields_)
        return stores(request).governance.amend_capitalisation(
            actor_of(access.account), parse_uuid(row.entry_id), entry, reason
        )

    return _entry_command(
        request, access, command, "capitalisation/entry.html", fields_
    )


def withdraw_page(request: Request) -> Response:
    access = consortium_access(request)
    context = _entry_context(request, access)
    access.require(Action.CAPITALISE, shown=context["may_change"])
    return render(request, "capitalisation/withdraw.html", {**context, "values": {}})


@form_endpoint
def withdraw(request: Request, fields_: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CAPITALISE)
    row = _entry(request, access)

    def command() -> int:
        reason = parse_reason(fields_)
        return stores(request).governance.withdraw_capitalisation(
            actor_of(access.account), parse_uuid(row.entry_id), reason
        )

    return _entry_command(
        request, access, command, "capitalisation/withdraw.html", fields_
    )


def _export(request: Request) -> tuple[CapitalisationExport, str]:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        rows, _ = capitalisation_of(connection, cid, status=EVERY)
    stem = f"capitalisation-{(details.acronym if details else '') or cid[:8]}"
    return CapitalisationExport(cid, details, rows[::-1]), stem


def export_csv(request: Request) -> Response:
    export, stem = _export(request)
    return StreamingResponse(
        capitalisation_csv(export),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{stem}.csv")},
    )


def export_json(request: Request) -> Response:
    export, stem = _export(request)
    return Response(
        capitalisation_json(export, clock(request).now()),
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{stem}.json")},
    )


REGISTER = "/consortia/{consortium_id}/capitalisation"
ENTRY = REGISTER + "/{entry_id}"
routes = [
    Route(REGISTER, register_page, methods=["GET"], name="capitalisation:index"),
    Route(REGISTER, record, methods=["POST"], name="capitalisation:record"),
    Route(REGISTER + ".csv", export_csv, methods=["GET"], name="capitalisation:csv"),
    Route(REGISTER + ".json", export_json, methods=["GET"], name="capitalisation:json"),
    Route(ENTRY, entry_page, methods=["GET"], name="capitalisation:entry"),
    Route(ENTRY + "/amend", amend, methods=["POST"], name="capitalisation:amend"),
    Route(
        ENTRY + "/withdraw",
        withdraw_page,
        methods=["GET"],
        name="capitalisation:withdraw_page",
    ),
    Route(
        ENTRY + "/withdraw", withdraw, methods=["POST"], name="capitalisation:withdraw"
    ),
]
