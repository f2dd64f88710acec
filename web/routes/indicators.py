"""Indicators: what the consortium measures, toward which target, and the values."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import RuleViolated
from governance.permissions import Action
from projections.indicators import indicators_of
from web.auth import actor_of, form_endpoint
from web.forms.fields import FormErrors
from web.forms.indicators import parse_indicator, parse_measurement
from web.htmx import redirect, render
from web.presentation.charts import sparkline
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    parse_uuid,
    queries,
    stores,
    wait_for,
)


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = indicators_of(connection, cid)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "indicators": rows,
        "today": clock(request).now().date().isoformat(),
        "sparks": {
            r.indicator_id: sparkline(
                [m.value for m in r.measurements], r.baseline, r.target
            )
            for r in rows
        },
        "values": {},
        "errors": {},
        "measure_values": {},
        "measure_errors": {},
    }


def indicators_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "indicators/index.html",
        _context(request, access),
        block="indicator_form",
    )


@form_endpoint
def define(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    try:
        form = parse_indicator(fields)
        created = stores(request).governance.define_indicator(
            actor_of(access.account),
            access.consortium_id,
            name=form.name,
            unit=form.unit,
            baseline=form.baseline,
            target=form.target,
            target_on=form.target_on,
            measured_by=form.measured_by,
        )
    except FormErrors as errors:
        return _form(
            request,
            access,
            {"values": fields, "errors": errors.errors, "open_form": True},
        )
    except RuleViolated as error:
        return _form(
            request,
            access,
            {"values": fields, "errors": {"": error.code}, "open_form": True},
        )
    wait_for(request, created.position)
    return redirect(request, f"/consortia/{access.consortium_id}/indicators")


def _form(request: Request, access: Access, extra: dict[str, Any]) -> Response:
    return render(
        request,
        "indicators/index.html",
        {**_context(request, access), **extra},
        status_code=422,
    )


@form_endpoint
def measure(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    indicator_id = parse_uuid(request.path_params["indicator_id"], "indicator")
    try:
        form = parse_measurement(fields, today=clock(request).now().date())
        position = stores(request).governance.measure_indicator(
            actor_of(access.account), indicator_id, form.value, form.on, form.source
        )
    except FormErrors as errors:
        return _form(
            request,
            access,
            {
                "measure_values": fields,
                "measure_errors": errors.errors,
                "measured": str(indicator_id),
            },
        )
    except RuleViolated as error:
        return _form(
            request,
            access,
            {
                "measure_values": fields,
                "measure_errors": {"": error.code},
                "measured": str(indicator_id),
            },
        )
    wait_for(request, position)
    return redirect(request, f"/consortia/{access.consortium_id}/indicators")


INDICATORS = "/consortia/{consortium_id}/indicators"
routes = [
    Route(INDICATORS, indicators_page, methods=["GET"], name="indicators:index"),
    Route(INDICATORS, define, methods=["POST"], name="indicators:define"),
    Route(
        INDICATORS + "/{indicator_id}/measure",
        measure,
        methods=["POST"],
        name="indicators:measure",
    ),
]
