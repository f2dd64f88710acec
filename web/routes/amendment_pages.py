"""Amendments of the financing plan: the list and one amendment (the pages).

Their forms' commands are in ``amendments``; a refused form comes back on the page
these contexts build.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from governance.errors import NotFound, RuleViolated
from governance.financing.changes import AmendmentKind, AmendmentStatus
from governance.financing.values import (
    DIRECT_CATEGORIES,
    TYPED_SOURCES,
    PublicFunder,
)
from governance.voting import Outcome
from projections.amendments import AmendmentRow, amendment_of, amendments_of
from projections.budget_summary import Budget, PlanState, assess, budget_of
from projections.decisions.queries import LogFilter, decision_log
from projections.documents import documents_of
from web.htmx import render
from web.presentation.budget import compare
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores

FORMS = ("draft", "expense", "resource", "period", "propose", "approve", "refuse")


def _adopted(request: Request, access: Access) -> list[tuple[str, str, str]]:
    """The consortium's adopted decisions an amendment may follow: id, title, kind."""
    with queries(request) as connection:
        rows, _ = decision_log(
            connection,
            str(access.consortium_id),
            LogFilter(outcome=Outcome.ADOPTED),
            limit=200,
        )
    return [(r.proposal_id, r.title, r.kind) for r in rows]


def _blank(context: dict[str, Any]) -> dict[str, Any]:
    return context | {
        "values": {name: {} for name in FORMS},
        "errors": {name: {} for name in FORMS},
        "error_params": {name: {} for name in FORMS},
        "open_form": "",
    }


def list_context(request: Request, access: Access) -> dict[str, Any]:
    """What the list of amendments shows, its draft form blank."""
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = amendments_of(connection, cid)
        budget = budget_of(connection, cid)
    return _blank(
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "amendments": rows,
            "budget": budget,
            "kinds": list(AmendmentKind),
            "decisions": _adopted(request, access) if budget.locked else [],
        }
    )


def amendments_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "amendments/index.html",
        list_context(request, access),
        block="amendments",
    )


def _proposed(budget: Budget, row: AmendmentRow) -> PlanState | None:
    """The plan the amendment proposes, or None if the plan in force moved on."""
    try:
        content = row.changes.applied_to(budget.draft.content)
    except RuleViolated:
        return None
    return assess(content, budget.partners)


def detail_context(request: Request, access: Access) -> dict[str, Any]:
    """What one amendment's page shows, its forms blank."""
    cid = str(access.consortium_id)
    amendment_id = str(parse_uuid(request.path_params["amendment_id"], "amendment"))
    with queries(request) as connection:
        row = amendment_of(connection, cid, amendment_id)
        budget = budget_of(connection, cid)
        copies = [
            d for d in documents_of(connection, cid) if d.amendment_id == amendment_id
        ]
    if row is None:
        raise NotFound("amendment", amendment_id)
    people = {row.drafted_by, row.decided_by or ""} - {""}
    names = stores(request).accounts.names(people)
    decisions = {d[0]: d for d in _adopted(request, access)}
    # Every line the plan ever filed or holds: a withdrawal names one of them, in
    # force or (once approved) in an earlier version.
    contents = (*(v.content for v in budget.versions), budget.draft.content)
    in_force = {e.line_id: e for c in contents for e in c.expenses}
    resources = {r.line_id: r for c in contents for r in c.resources}
    undecided = row.status in (AmendmentStatus.DRAFT, AmendmentStatus.PROPOSED)
    proposed = _proposed(budget, row) if undecided else None
    return _blank(
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "amendment": row,
            "budget": budget,
            "names": names,
            "decision": decisions.get(row.proposal_id or ""),
            "signed_copies": copies,
            "in_force_expenses": in_force,
            "in_force_resources": resources,
            "proposed": proposed,
            "compared": compare(budget.draft, proposed) if proposed else None,
            "active_partners": [p for p in budget.partners if p.active],
            "categories": list(DIRECT_CATEGORIES),
            "sources": list(TYPED_SOURCES),
            "public_funders": list(PublicFunder),
            "words": {p.partner_id: p.name for p in budget.partners},
        }
    )


def amendment_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "amendments/detail.html",
        detail_context(request, access),
        block="amendment",
    )
