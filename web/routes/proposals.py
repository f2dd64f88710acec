"""Proposals and the decision log: table, vote, close, veto, record, look back.

The tally panel of an open vote refreshes itself through htmx; every form also works
without JavaScript. The outcome is computed by the pure rules of
``governance.voting`` from the votes in the read model.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.permissions import Action
from governance.values import Motion, Phase
from governance.voting import Outcome, can_still_reach_quorum, tally
from projections.consortia import consortium_details, phase_of
from projections.decisions import (
    LogFilter,
    bodies_of,
    decision_log,
    open_proposals,
    proposal,
    proxies_of,
    steps_of,
    votes_of,
)
from projections.partners import partners_of
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.evidence.names import content_disposition
from web.exports.decisions import DecisionRecord, decisions_csv
from web.exports.decisions_pdf import decisions_pdf
from web.forms.decisions import parse_motion, parse_recorded_decision, parse_vote
from web.forms.fields import FormErrors, parse_day
from web.htmx import render
from web.i18n import DISPLAY_ZONE
from web.links import path_for
from web.presentation.decisions import rule_sentence, tally_sentence
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    page_number,
    parse_uuid,
    queries,
    stores,
)
from web.routes.meeting_panel import meeting_panel
from web.routes.posting import run_command, saved_upload

PAGE = 25


def _names(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        bodies = bodies_of(connection, cid)
        partners = partners_of(connection, cid)
        # Closed, its pages draw what it still allows in place of the forms it no
        # longer takes (the service refuses those commands anyway).
        closed = phase_of(connection, cid) is Phase.CLOSED
    return {
        "bodies": bodies,
        "body_names": {b.body_id: b.name for b in bodies},
        "partner_names": {p.partner_id: p.name for p in partners},
        "active_partners": [p for p in partners if p.active],
        "closed": closed,
    }


def proposals_page(request: Request) -> Response:
    access = consortium_access(request)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = open_proposals(connection, cid)
    local_now = clock(request).now().astimezone(DISPLAY_ZONE)
    return render(
        request,
        "proposals/index.html",
        {
            **_names(request, access),
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "proposals": rows,
            "values": {},
            "errors": {},
            "in_a_week": (local_now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "today": local_now.date().isoformat(),
        },
        block="table_form",
    )


@upload_endpoint
def table(request: Request, fields: dict[str, str], files: dict[str, Any]) -> Response:
    access = consortium_access(request)
    access.require(Action.TABLE)

    def command() -> Created:
        form = parse_motion(fields, zone=DISPLAY_ZONE)
        motion = Motion(
            form.title,
            form.text,
            form.options,
            form.mode,
            form.closes_at,
            form.meeting_on,
            saved_upload(request, files, "document"),
        )
        return stores(request).governance.table_proposal(
            actor_of(access.account), access.consortium_id, form.body_id, motion
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _table_form(request, access, fields, errors),
        inputs=fields,
        then=lambda created: _proposal_path(request, access, created.id),
    )


def _proposal_path(request: Request, access: Access, proposal_id: str) -> str:
    return path_for(
        request,
        "proposals:detail",
        consortium_id=access.consortium_id,
        proposal_id=proposal_id,
    )


def _table_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = open_proposals(connection, cid)
    return render(
        request,
        "proposals/index.html",
        {
            **_names(request, access),
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "proposals": rows,
            "values": fields,
            "errors": errors.errors,
            "open_form": True,
            "in_a_week": fields.get("closes_at", ""),
            "today": clock(request).now().date().isoformat(),
        },
        block="table_form",
        status_code=422,
    )


def _proposal_context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    proposal_id = request.path_params["proposal_id"][:36]
    with queries(request) as connection:
        row = proposal(connection, cid, proposal_id)
        if row is None:
            raise NotFound("proposal", proposal_id)
        ballots = votes_of(connection, proposal_id)
        steps = steps_of(connection, proposal_id)
        proxies = proxies_of(connection, cid)
    names = _names(request, access)
    now = clock(request).now()
    counted = (
        tally(
            row.rule,
            row.members,
            {v.partner_id: v.option for v in ballots},
            row.options,
        )
        if row.kind == "vote"
        else None
    )
    own = access.membership.partner_id
    today = now.date()
    voting_for = []
    if access.can(Action.VOTE) and own is not None and row.is_open:
        represented = {own} | {
            p.from_partner
            for p in proxies
            if p.to_partner == own and p.valid_from <= today <= p.valid_until
        }
        voting_for = [
            p
            for p in row.members
            if p in represented
            and p in {a.partner_id for a in names["active_partners"]}
        ]
    deadline_passed = row.closes_at is not None and now >= row.closes_at
    context = {
        **names,
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "p": row,
        "votes": ballots,
        "steps": steps,
        "tally": counted,
        "tally_text": tally_sentence(counted, row.rule, closed=not row.is_open)
        if counted
        else "",
        "rule_text": rule_sentence(row.rule),
        "voting_for": voting_for,
        "own_vote": {v.partner_id: v for v in ballots},
        "quorum_lost": counted is not None
        and row.is_open
        and not can_still_reach_quorum(
            row.rule,
            row.members,
            {v.partner_id: v.option for v in ballots},
            row.options,
            {a.partner_id for a in names["active_partners"]},
        ),
        "may_close": access.can(Action.CLOSE_VOTE)
        and row.is_open
        and (row.mode == "meeting" or deadline_passed),
        "may_veto": own in row.members
        and row.outcome is Outcome.ADOPTED
        and row.veto_until is not None
        and now <= row.veto_until
        and access.can(Action.VOTE),
        "actors": stores(request).accounts.names({s.actor_id for s in steps}),
        "values": {},
        "errors": {},
    }
    return {**context, **meeting_panel(context, proxies, access)}


def proposal_page(request: Request) -> Response:
    access = consortium_access(request)
    block = (
        "tally_panel"
        if request.headers.get("HX-Target") == "tally-panel"
        else "vote_panel"
    )
    return render(
        request,
        "proposals/detail.html",
        _proposal_context(request, access),
        block=block,
    )


@form_endpoint
def vote(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.VOTE)
    proposal_id = request.path_params["proposal_id"][:36]

    def command() -> int:
        form = parse_vote(fields)
        return stores(request).governance.cast_vote(
            actor_of(access.account),
            _uuid(proposal_id),
            form.partner_id,
            form.option,
            form.reason,
        )

    def voted(position: int) -> Response | str:
        if request.headers.get("HX-Request") == "true":
            return render(
                request,
                "proposals/detail.html",
                {**_proposal_context(request, access), "saved": True},
                block="vote_panel",
                headers={"HX-Trigger": "vote-changed"},
            )
        return _proposal_path(request, access, proposal_id)

    return run_command(
        request,
        command,
        refused=lambda errors: _vote_form(request, access, fields, errors),
        then=voted,
    )


def _vote_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "proposals/detail.html",
        {
            **_proposal_context(request, access),
            "values": fields,
            "errors": errors.errors,
        },
        block="vote_panel",
        status_code=422,
    )


def _uuid(value: str) -> UUID:
    return parse_uuid(value, "proposal")


@form_endpoint
def veto(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.VOTE)
    proposal_id = request.path_params["proposal_id"][:36]
    # For the partner this person represents; the service refuses anyone else.
    return run_command(
        request,
        lambda: stores(request).governance.veto(
            actor_of(access.account),
            _uuid(proposal_id),
            access.membership.partner_id,
            fields.get("reason", "")[:4000],
        ),
        refused=lambda errors: _vote_form(request, access, fields, errors),
        slot="veto",
        then=_proposal_path(request, access, proposal_id),
    )


def _log_filter(request: Request) -> tuple[LogFilter, dict[str, str], int]:
    params = request.query_params
    values = {
        k: params.get(k, "")[:100]
        for k in ("body", "outcome", "since", "until", "q", "page")
    }
    outcomes = {o.value: o for o in Outcome}
    where = LogFilter(
        body_id=values["body"] or None,
        outcome=outcomes.get(values["outcome"]),
        since=parse_day(values["since"]),
        until=parse_day(values["until"]),
        text=values["q"],
    )
    return where, values, page_number(request)


def log_page(request: Request) -> Response:
    access = consortium_access(request)
    where, filters, page = _log_filter(request)
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows, total = decision_log(
            connection, cid, where, limit=PAGE, offset=(page - 1) * PAGE
        )
    return render(
        request,
        "decisions/index.html",
        {
            **_names(request, access),
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "decisions": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1),
            "filters": filters,
            "outcomes": list(Outcome),
            "values": {},
            "errors": {},
            "today": clock(request).now().date().isoformat(),
            "query": "&".join(
                f"{k}={v}" for k, v in filters.items() if v and k != "page"
            ),
        },
        block="log_table"
        if request.headers.get("HX-Target") == "log-table"
        else "record_form",
    )


@upload_endpoint
def record(request: Request, fields: dict[str, str], files: dict[str, Any]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_BODIES)
    names = _names(request, access)

    def command() -> Created:
        form = parse_recorded_decision(
            fields, [p.partner_id for p in names["active_partners"]]
        )
        return stores(request).governance.record_decision(
            actor_of(access.account),
            access.consortium_id,
            form.body_id,
            title=form.title,
            text=form.text,
            outcome=form.outcome,
            decided_on=form.decided_on,
            present=form.present,
            minutes=saved_upload(request, files, "minutes"),
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _record_form(request, access, fields, errors),
        then=lambda created: _proposal_path(request, access, created.id),
    )


def _record_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows, total = decision_log(connection, cid, LogFilter(), limit=PAGE)
    return render(
        request,
        "decisions/index.html",
        {
            **_names(request, access),
            "access": access,
            "can": access.abilities,
            "consortium_id": cid,
            "decisions": rows,
            "total": total,
            "page": 1,
            "pages": max((total + PAGE - 1) // PAGE, 1),
            "filters": {},
            "outcomes": list(Outcome),
            "values": fields,
            "errors": errors.errors,
            "open_form": True,
            "today": clock(request).now().date().isoformat(),
            "query": "",
        },
        block="record_form",
        status_code=422,
    )


def _records(request: Request) -> tuple[list[DecisionRecord], str, str]:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    where, _, _ = _log_filter(request)
    cid = str(access.consortium_id)
    names = _names(request, access)
    with queries(request) as connection:
        rows, _ = decision_log(connection, cid, where, limit=10_000)
        details = consortium_details(connection, cid)
        records = [
            DecisionRecord(
                row,
                names["body_names"].get(row.body_id, ""),
                votes_of(connection, row.proposal_id),
                names["partner_names"],
            )
            for row in rows
        ]
    name = details.name if details else ""
    stem = f"decisions-{(details.acronym if details else '') or cid[:8]}"
    return records, name, stem


def export_csv(request: Request) -> Response:
    records, _, stem = _records(request)
    return StreamingResponse(
        decisions_csv(records),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{stem}.csv")},
    )


def export_pdf(request: Request) -> Response:
    records, name, stem = _records(request)
    pdf = decisions_pdf(
        records, consortium_name=name, generated_at=clock(request).now()
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"{stem}.pdf")},
    )


PROPOSAL = "/consortia/{consortium_id}/proposals/{proposal_id}"
routes = [
    Route(
        "/consortia/{consortium_id}/proposals",
        proposals_page,
        methods=["GET"],
        name="proposals:index",
    ),
    Route(
        "/consortia/{consortium_id}/proposals",
        table,
        methods=["POST"],
        name="proposals:table",
    ),
    Route(PROPOSAL, proposal_page, methods=["GET"], name="proposals:detail"),
    Route(PROPOSAL + "/vote", vote, methods=["POST"], name="proposals:vote"),
    Route(PROPOSAL + "/veto", veto, methods=["POST"], name="proposals:veto"),
    Route(
        "/consortia/{consortium_id}/decisions",
        log_page,
        methods=["GET"],
        name="decisions:index",
    ),
    Route(
        "/consortia/{consortium_id}/decisions",
        record,
        methods=["POST"],
        name="decisions:record",
    ),
    Route(
        "/consortia/{consortium_id}/decisions.csv",
        export_csv,
        methods=["GET"],
        name="decisions:csv",
    ),
    Route(
        "/consortia/{consortium_id}/decisions.pdf",
        export_pdf,
        methods=["GET"],
        name="decisions:pdf",
    ),
]
