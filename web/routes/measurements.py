"""Measurements corrected or withdrawn (with a reason, kept in the history) from
each value's own page, and the plausibility warning a surprising value gets before
it is recorded.

A value far from what the indicator plans (``governance.plausibility``) is not
refused: the form comes back (422, nothing stored) with the warning in words and a
box saying the value is right; ticked, the same value is recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.permissions import Action
from governance.rules import implausible
from projections.indicators import IndicatorRow
from web.auth import actor_of, form_endpoint
from web.forms.daily import parse_correction, parse_withdrawal
from web.forms.fields import FormErrors
from web.htmx import render
from web.i18n import format_quantity
from web.links import path_for
from web.routes.common import Access, consortium_access, parse_uuid, stores
from web.routes.indicator_page import indicator_row, page_context
from web.routes.measurement_page import measured_value, value_context
from web.routes.posting import run_command


def check_plausible(
    row: IndicatorRow,
    value: Decimal,
    on: date,
    *,
    confirmed: bool,
    replacing: str | None = None,
) -> None:
    """Raise a warning on ``value`` unless it looks plausible or was confirmed.

    The previous value is the last one measured on or before ``on`` (the one being
    corrected, ``replacing``, left out).
    """
    if confirmed:
        return
    earlier = [
        m for m in row.measurements if m.on <= on and m.measurement_id != replacing
    ]
    previous = (earlier[-1].on, earlier[-1].value) if earlier else None
    found = implausible(value, row.baseline, row.target, previous)
    if found is None:
        return
    params: dict[str, Any] = {
        "value": format_quantity(value),
        "unit": row.unit,
        "baseline": format_quantity(row.baseline),
        "target": format_quantity(row.target),
    }
    if found.previous is not None:
        params["previous"] = format_quantity(found.previous)
        params["on"] = found.previous_on
    raise FormErrors({"value": found.code}, {"value": params})


def index_path(request: Request, access: Access) -> str:
    """The indicators page, where every measurement form sends its answer."""
    return path_for(request, "indicators:index", consortium_id=access.consortium_id)


def _ids(request: Request) -> tuple[str, str]:
    indicator_id = str(parse_uuid(request.path_params["indicator_id"], "indicator"))
    return indicator_id, str(request.path_params["measurement_id"])[:36]


def value_page(request: Request) -> Response:
    """A value with the forms that correct or withdraw it (for those who report)."""
    access = consortium_access(request)
    access.require(Action.REPORT)
    indicator_id, measurement_id = _ids(request)
    value = measured_value(request, access, indicator_id, measurement_id)
    if value is None:
        raise NotFound("measurement", measurement_id)
    return render(
        request, "indicators/measurement.html", value_context(request, access, value)
    )


def _refused(
    request: Request, access: Access, ids: tuple[str, str], extra: dict[str, Any]
) -> Response:
    """The value's page with why its change was refused; the indicators page when
    the value is gone meanwhile (withdrawn by someone else), with the reason."""
    value = measured_value(request, access, *ids)
    if value is None:
        template, context = "indicators/index.html", page_context(request, access)
    else:
        template = "indicators/measurement.html"
        context = value_context(request, access, value)
    return render(request, template, {**context, **extra}, status_code=422)


@form_endpoint
def correct(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    indicator_id, measurement_id = _ids(request)

    def command() -> int:
        form = parse_correction(fields)
        row = indicator_row(request, access, indicator_id)
        check_plausible(
            row,
            form.value,
            form.on,
            confirmed=form.confirmed,
            replacing=measurement_id,
        )
        return stores(request).governance.correct_measurement(
            actor_of(access.account),
            parse_uuid(indicator_id, "indicator"),
            measurement_id,
            value=form.value,
            on=form.on,
            source=form.source,
            reason=form.reason,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(
            request,
            access,
            (indicator_id, measurement_id),
            {
                "change_values": fields,
                "change_errors": errors.errors,
                "change_params": errors.params,
            },
        ),
        inputs=fields,
        slot="change",
        then=index_path(request, access),
    )


@form_endpoint
def withdraw(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    indicator_id, measurement_id = _ids(request)

    def command() -> int:
        reason = parse_withdrawal(fields)
        indicator_row(request, access, indicator_id)
        return stores(request).governance.withdraw_measurement(
            actor_of(access.account),
            parse_uuid(indicator_id, "indicator"),
            measurement_id,
            reason,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _refused(
            request,
            access,
            (indicator_id, measurement_id),
            {
                "withdraw_values": fields,
                "withdraw_errors": errors.errors,
            },
        ),
        inputs=fields,
        slot="withdraw",
        then=index_path(request, access),
    )


MEASUREMENT = (
    "/consortia/{consortium_id}/indicators/{indicator_id}/measurements/{measurement_id}"
)
routes = [
    Route(MEASUREMENT, value_page, methods=["GET"], name="indicators:value"),
    Route(
        MEASUREMENT + "/correct",
        correct,
        methods=["POST"],
        name="indicators:correct",
    ),
    Route(
        MEASUREMENT + "/withdraw",
        withdraw,
        methods=["POST"],
        name="indicators:withdraw",
    ),
]
