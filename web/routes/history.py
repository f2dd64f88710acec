"""The history, which is the audit trail: a consortium's events in words, newest
first, narrowed by area, partner, person and period, paged by keyset, each entry
linking to what it changed; exported as CSV, JSON Lines or Excel, streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from projections.consortia import consortium_details
from projections.history import (
    AREAS,
    HistoryEntry,
    HistoryFilter,
    authors_of,
    history_in_order,
    history_of,
)
from projections.partners import partners_of
from web.exports.audit_pack import PackRequest, build_pack
from web.exports.trail import TrailLine, file_chunks, trail_csv, trail_jsonl, trail_xlsx
from web.htmx import render
from web.i18n import DISPLAY_ZONE, N_, gettext_
from web.links import PathFor, paths
from web.presentation.history import (
    AREA_LABELS,
    actor_name,
    author,
    describe,
    link,
    link_in_consortium,
)
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.financial_report import certified_report_files

PAGE_SIZE = 50
BASE = "/consortia/{consortium_id}/history"


def names_for(
    request: Request, entries: Iterable[HistoryEntry], others: Iterable[str] = ()
) -> dict[str, str]:
    """Display names of the authors and subjects of these entries (and of the
    ``others`` account ids)."""
    ids = {e.actor_id for e in entries} | {
        e.subject_id for e in entries if e.subject_id
    }
    return stores(request).accounts.names({i for i in ids if i} | set(others))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filter(request: Request) -> tuple[HistoryFilter, dict[str, str]]:
    """The filter the query string asks for; unknown values are ignored."""
    params = request.query_params
    area = params.get("area") or None
    since = _day(params.get("since"))
    until = _day(params.get("until"))
    chosen = {
        "area": area if area in AREAS else "",
        "partner": (params.get("partner") or "")[:64],
        "person": (params.get("person") or "")[:64],
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=DISPLAY_ZONE).astimezone(UTC)

    # The first and last days a date holds leave nothing out, and bounding on them
    # overflows: midnight of year 1 in Paris is before year 1 in UTC, and the day
    # after 9999-12-31 does not exist. They mean "no bound".
    narrowed = HistoryFilter(
        area=chosen["area"] or None,
        subject_id=chosen["partner"] or None,
        actor_id=chosen["person"] or None,
        since=start_of(since) if since and since > date.min else None,
        until=start_of(until + timedelta(days=1))
        if until and until < date.max
        else None,
    )
    return narrowed, chosen


def history(request: Request) -> Response:
    access = consortium_access(request)
    older_than_text = request.query_params.get("older_than", "")
    valid = (
        older_than_text.isascii()
        and older_than_text.isdigit()
        and len(older_than_text) < 18
    )
    older_than = int(older_than_text) if valid else None
    narrowed, chosen = _filter(request)
    # The scheduler's reminders are hidden unless asked for: they drowned what
    # people did. Exports keep them (the record is whole).
    automatic = request.query_params.get("automatic") == "1"
    narrowed = replace(narrowed, without_reminders=not automatic)
    export_query = urlencode({k: v for k, v in chosen.items() if v})
    chosen = {**chosen, "automatic": "1" if automatic else ""}
    cid = str(access.consortium_id)
    with queries(request) as connection:
        page = history_of(
            connection, cid, older_than=older_than, narrowed=narrowed, limit=PAGE_SIZE
        )
        partners = partners_of(connection, cid)
        people = authors_of(connection, cid)
    # One question for the entries' people and the person filter's.
    names = names_for(
        request, page.entries, {p for p in people if not p.startswith("system:")}
    )
    path_for = paths(request)
    lines = [
        (e, author(e, names), describe(e, names), link(e, path_for))
        for e in page.entries
    ]
    query_string = urlencode({k: v for k, v in chosen.items() if v})
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
            "chosen": chosen,
            "query_string": query_string,
            "export_query": export_query,
            "areas": [(a, AREA_LABELS[a]) for a in AREAS],
            "partners": [(p.partner_id, p.name) for p in partners],
            "people": sorted(
                ((p, actor_name(p, names)) for p in people), key=lambda x: x[1]
            ),
        },
        block="history_list",
    )


def _lines(request: Request, access: Access) -> Any:
    """A function giving the narrowed trail, oldest first, read lazily in batches."""
    narrowed, _ = _filter(request)
    cid = str(access.consortium_id)
    accounts = stores(request).accounts
    path_for = paths(request)

    engine = stores(request).read_side.engine

    def lines() -> Iterator[TrailLine]:
        batch: list[HistoryEntry] = []
        for entry in history_in_order(engine, cid, narrowed):
            batch.append(entry)
            if len(batch) == 500:
                yield from _words(batch, accounts, path_for)
                batch = []
        yield from _words(batch, accounts, path_for)

    return lines


def _words(
    batch: list[HistoryEntry], accounts: Any, path_for: PathFor
) -> Iterator[TrailLine]:
    ids = {e.actor_id for e in batch} | {e.subject_id for e in batch if e.subject_id}
    names = accounts.names({i for i in ids if i})
    for entry in batch:
        yield TrailLine(
            entry,
            author(entry, names),
            describe(entry, names),
            link_in_consortium(entry, path_for),
        )


def _attachment(
    access: Access, extension: str, stem: str = "audit-trail"
) -> dict[str, str]:
    name = f"{stem}-{access.consortium_id}.{extension}"
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    }


def export_csv(request: Request) -> Response:
    access = consortium_access(request)
    return StreamingResponse(
        trail_csv(_lines(request, access)),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(access, "csv"),
    )


def export_jsonl(request: Request) -> Response:
    access = consortium_access(request)
    return StreamingResponse(
        trail_jsonl(_lines(request, access)),
        media_type="application/jsonl; charset=utf-8",
        headers=_attachment(access, "jsonl"),
    )


def export_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    path = trail_xlsx(_lines(request, access), "Audit trail")
    return StreamingResponse(
        file_chunks(path),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(access, "xlsx"),
    )


def audit_pack(request: Request) -> Response:
    access = consortium_access(request)
    narrowed, chosen = _filter(request)
    s = stores(request)
    with queries(request) as connection:
        details = consortium_details(connection, str(access.consortium_id))
    accounts = s.accounts
    path_for = paths(request)

    def describe_all(
        entries: list[HistoryEntry],
    ) -> list[tuple[HistoryEntry, str, str]]:
        return [
            (line.entry, line.author, line.sentence)
            for line in _words(entries, accounts, path_for)
        ]

    period = " – ".join(x for x in (chosen["since"], chosen["until"]) if x) or gettext_(
        N_("the whole life of the consortium")
    )
    path = build_pack(
        s.governance,
        s.read_side.engine,
        PackRequest(
            str(access.consortium_id),
            details.name if details else "",
            narrowed,
            period,
        ),
        describe_all,
        clock(request).now(),
        certified_report_files(request, access),
    )
    return StreamingResponse(
        file_chunks(path),
        media_type="application/zip",
        headers=_attachment(access, "zip", "audit-pack"),
    )


routes = [
    Route(BASE, history, methods=["GET"], name="history:index"),
    Route(BASE + ".csv", export_csv, methods=["GET"], name="history:csv"),
    Route(BASE + ".jsonl", export_jsonl, methods=["GET"], name="history:jsonl"),
    Route(BASE + ".xlsx", export_xlsx, methods=["GET"], name="history:xlsx"),
    Route(
        "/consortia/{consortium_id}/audit-pack.zip",
        audit_pack,
        methods=["GET"],
        name="history:audit_pack",
    ),
]
