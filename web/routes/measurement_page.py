"""What a value's own page shows: the value, with the forms that correct or withdraw
it. The indicators page links each value here, so that it lists values, not two
forms per value."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from projections.indicators import MeasuredValue, measured_value_of
from web.routes.common import Access, query


def measured_value(
    request: Request, access: Access, indicator_id: str, measurement_id: str
) -> MeasuredValue | None:
    """The consortium's value ``measurement_id``, or ``None`` if it has none such."""
    return query(
        request,
        measured_value_of,
        str(access.consortium_id),
        indicator_id,
        measurement_id,
    )


def value_context(
    request: Request, access: Access, value: MeasuredValue
) -> dict[str, Any]:
    """The value page's context, with no error."""
    return {
        "access": access,
        "consortium_id": str(access.consortium_id),
        "v": value,
        "m": value.measurement,
        "change_values": {},
        "change_errors": {},
        "change_params": {},
        "withdraw_values": {},
        "withdraw_errors": {},
    }
