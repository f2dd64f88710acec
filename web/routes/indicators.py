"""Indicators: what the consortium measures, toward which target, and the values."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.permissions import Action
from web.auth import actor_of, form_endpoint
from web.forms.indicators import parse_indicator, parse_measurement
from web.htmx import render
from web.links import path_for
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    parse_uuid,
    stores,
)
from web.routes.indicator_page import detail_context, indicator_row, page_context
from web.routes.measurements import check_plausible
from web.routes.posting import run_command


def indicators_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "indicators/index.html",
        page_context(request, access),
        block="indicator_form",
    )


def indicator_page(request: Request) -> Response:
    """An indicator with all its values, each linked to its own page."""
    access = consortium_access(request)
    indicator_id = parse_uuid(request.path_params["indicator_id"], "indicator")
    return render(
        request,
        "indicators/detail.html",
        detail_context(request, access, str(indicator_id)),
    )


@form_endpoint
def define(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)

    def command() -> Created:
        form = parse_indicator(fields)
        return stores(request).governance.define_indicator(
            actor_of(access.account),
            access.consortium_id,
            name=form.name,
            unit=form.unit,
            baseline=form.baseline,
            target=form.target,
            target_on=form.target_on,
            measured_by=form.measured_by,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _form(
            request,
            access,
            {"values": fields, "errors": errors.errors, "open_form": True},
        ),
        inputs=fields,
        then=path_for(request, "indicators:index", consortium_id=access.consortium_id),
    )


def _form(request: Request, access: Access, extra: dict[str, Any]) -> Response:
    return render(
        request,
        "indicators/index.html",
        {**page_context(request, access), **extra},
        status_code=422,
    )


@form_endpoint
def measure(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    indicator_id = parse_uuid(request.path_params["indicator_id"], "indicator")

    def command() -> int:
        form = parse_measurement(fields, today=clock(request).now().date())
        check_plausible(
            indicator_row(request, access, str(indicator_id)),
            form.value,
            form.on,
            confirmed=bool(fields.get("confirm_value")),
        )
        return stores(request).governance.measure_indicator(
            actor_of(access.account), indicator_id, form.value, form.on, form.source
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _form(
            request,
            access,
            {
                "measure_values": fields,
                "measure_errors": errors.errors,
                "measure_params": errors.params,
                "measured": str(indicator_id),
            },
        ),
        then=path_for(request, "indicators:index", consortium_id=access.consortium_id),
    )


INDICATORS = "/consortia/{consortium_id}/indicators"
routes = [
    Route(INDICATORS, indicators_page, methods=["GET"], name="indicators:index"),
    Route(INDICATORS, define, methods=["POST"], name="indicators:define"),
    Route(
        INDICATORS + "/{indicator_id}",
        indicator_page,
        methods=["GET"],
        name="indicators:detail",
    ),
    Route(
        INDICATORS + "/{indicator_id}/measure",
        measure,
        methods=["POST"],
        name="indicators:measure",
    ),
]
