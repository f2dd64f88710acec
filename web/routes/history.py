"""The history panel: a consortium's events in words, newest first, paged by keyset."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.history import HistoryEntry, history_of
from web.history_words import author, describe
from web.htmx import render
from web.routes.common import consortium_access, query, stores

PAGE_SIZE = 50


def names_for(request: Request, entries: Iterable[HistoryEntry]) -> dict[str, str]:
    """Display names of the authors and subjects of these entries."""
    ids = {e.actor_id for e in entries} | {
        e.subject_id for e in entries if e.subject_id
    }
    return stores(request).accounts.names({i for i in ids if i})


def history(request: Request) -> Response:
    access = consortium_access(request)
    older_than_text = request.query_params.get("older_than", "")
    valid = older_than_text.isdigit() and len(older_than_text) < 18
    older_than = int(older_than_text) if valid else None
    page = query(
        request,
        history_of,
        str(access.consortium_id),
        older_than=older_than,
        limit=PAGE_SIZE,
    )
    names = names_for(request, page.entries)
    lines = [(e, author(e, names), describe(e, names)) for e in page.entries]
    return render(
        request,
        "history/index.html",
        {
            "access": access,
            "can": access.abilities,
            "lines": lines,
            "older_than": page.older_than,
            "consortium_id": access.consortium_id,
            "paged": older_than is not None,
        },
        block="history_list",
    )


routes = [
    Route(
        "/consortia/{consortium_id}/history",
        history,
        methods=["GET"],
        name="history:index",
    ),
]
