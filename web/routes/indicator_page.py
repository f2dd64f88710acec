"""What the indicators page shows: each indicator with its values (dates and values
as a table, the text alternative of its small chart) and the forms' state."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from governance.errors import NotFound
from projections.indicators import IndicatorRow, indicators_of
from web.presentation.charts import sparkline
from web.request_state import clock
from web.routes.common import Access, queries


def page_context(request: Request, access: Access) -> dict[str, Any]:
    """The indicators page's context, with no form open."""
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
        "measure_params": {},
        "change_values": {},
        "change_errors": {},
        "change_params": {},
        "withdraw_values": {},
        "withdraw_errors": {},
    }


def indicator_row(request: Request, access: Access, indicator_id: str) -> IndicatorRow:
    """The consortium's indicator ``indicator_id`` (``NotFound`` if not its own)."""
    with queries(request) as connection:
        rows = indicators_of(connection, str(access.consortium_id))
    for row in rows:
        if row.indicator_id == indicator_id:
            return row
    raise NotFound("indicator", indicator_id)
