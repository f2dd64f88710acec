"""What the indicators pages show: each indicator with its latest values (dates and
values as a table, the text alternative of its small chart) and the forms' state;
an indicator's own page, with all its values."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from governance.errors import NotFound
from projections.indicators import IndicatorRow, indicator_of, latest_values_of
from web.presentation.charts import Spark, sparkline
from web.request_state import clock
from web.routes.common import Access, query

LATEST = 12
"""Values each indicator shows on the indicators page (a year of monthly counts);
its own page lists them all."""


def _spark(row: IndicatorRow) -> Spark | None:
    return sparkline([m.value for m in row.measurements], row.baseline, row.target)


def page_context(request: Request, access: Access) -> dict[str, Any]:
    """The indicators page's context, with no form open."""
    cid = str(access.consortium_id)
    latest = query(request, latest_values_of, cid, LATEST)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "indicators": latest.rows,
        "counts": latest.counts,
        "today": clock(request).now().date().isoformat(),
        "sparks": {r.indicator_id: _spark(r) for r in latest.rows},
        "values": {},
        "errors": {},
        "measure_values": {},
        "measure_errors": {},
        "measure_params": {},
        # Why a value's change was refused, when the value is gone meanwhile.
        "change_errors": {},
        "withdraw_errors": {},
    }


def indicator_row(request: Request, access: Access, indicator_id: str) -> IndicatorRow:
    """The consortium's indicator ``indicator_id`` with all its values (``NotFound``
    if not its own)."""
    row = query(request, indicator_of, str(access.consortium_id), indicator_id)
    if row is None:
        raise NotFound("indicator", indicator_id)
    return row


def detail_context(
    request: Request, access: Access, indicator_id: str
) -> dict[str, Any]:
    """An indicator's own page: all its values."""
    row = indicator_row(request, access, indicator_id)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "i": row,
        "spark": _spark(row),
    }
