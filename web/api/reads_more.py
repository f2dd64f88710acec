"""Read endpoints: reporting, indicators, capitalisation, the history, checkpoints."""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import BaseModel, Field

from projections.audit_chain import checkpoints as all_checkpoints
from projections.capitalisation import CapitalisationRow, capitalisation_of
from projections.history.queries import history_after
from projections.indicators import IndicatorRow, indicators_of
from projections.reporting import ObligationRow, obligations_of
from web.api.declare import Call
from web.api.models import Checkpoints, Event, HistoryPage
from web.api.reads import PREFIX, connection
from web.presentation.history import author, describe
from web.request_state import stores

HISTORY_PAGE = 100
MAX_HISTORY_PAGE = 500


class HistoryQuery(BaseModel):
    """Where a page of the history starts, and how long it is."""

    after: int = Field(default=0, ge=0, lt=2**62, description="A log position.")
    limit: int = Field(default=HISTORY_PAGE, ge=1, le=MAX_HISTORY_PAGE)


def obligations(call: Call) -> list[ObligationRow]:
    with connection(call) as c:
        return obligations_of(c, call.consortium.cid)


def indicators(call: Call) -> list[IndicatorRow]:
    with connection(call) as c:
        return indicators_of(c, call.consortium.cid)


def capitalisation(call: Call) -> list[CapitalisationRow]:
    with connection(call) as c:
        rows, _ = capitalisation_of(c, call.consortium.cid, status="all")
    return rows


def history(call: Call) -> HistoryPage:
    """A page of the history after a log position, each entry told in words."""
    query: HistoryQuery = call.query
    cid = call.consortium.cid
    with connection(call) as c:
        entries = history_after(c, cid, after=query.after, limit=query.limit)
    ids = {e.actor_id for e in entries} | {
        e.subject_id for e in entries if e.subject_id
    }
    names = stores(call.request).accounts.names({i for i in ids if i})
    last = entries[-1].position if entries else None
    following = None
    if last is not None and len(entries) == query.limit:
        following = f"{PREFIX}/consortia/{cid}/history?" + urlencode(
            {"after": last, "limit": query.limit}
        )
    return HistoryPage(
        events=[
            Event(entry=e, text=describe(e, names), author=author(e, names))
            for e in entries
        ],
        last_position=last,
        next=following,
    )


def checkpoints(call: Call) -> Checkpoints:
    """The platform's signed checkpoints of the log (as the audit page lists them)."""
    with connection(call) as c:
        return Checkpoints(checkpoints=all_checkpoints(c))
