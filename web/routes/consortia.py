"""My consortia, founding one, its overview, profile and phase."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.application import Created
from governance.permissions import Action
from governance.rules import next_phases
from governance.values import Phase
from projections.consortia import consortia_of, consortium_details
from projections.decisions.queries import open_vote_count
from projections.ledger_summary import summary_of
from projections.ledger_totals import totals_of
from projections.members import member_count
from projections.needs import needs_of
from projections.partners import partner_mix, partners_of
from projections.reporting import waiting_obligations_of
from web.auth import actor_of, current_account, form_endpoint, require_account
from web.forms.consortia import parse_consortium, parse_phase
from web.forms.fields import FormErrors
from web.htmx import render
from web.i18n import DISPLAY_ZONE
from web.links import path_for
from web.request_state import clock
from web.routes.common import (
    Access,
    consortium_access,
    queries,
    query,
    stores,
)
from web.routes.posting import run_command


def home(request: Request) -> Response:
    if current_account(request) is None:
        return RedirectResponse(
            path_for(request, "session:login_page"), status_code=303
        )
    return RedirectResponse(path_for(request, "consortia:index"), status_code=303)


def my_consortia(request: Request) -> Response:
    """The landing page: what needs me across my consortia, then the consortia."""
    account = require_account(request)
    today = clock(request).now().astimezone(DISPLAY_ZONE).date()
    with queries(request) as connection:
        rows = consortia_of(connection, account.account_id)
        needs = needs_of(connection, account.account_id, today)
    return render(
        request,
        "consortia/index.html",
        {"consortia": rows, "needs": needs, "today": today},
    )


def found_page(request: Request) -> Response:
    require_account(request)
    return render(request, "consortia/new.html", {"values": {}, "errors": {}})


@form_endpoint
def found(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)

    def command() -> Created:
        form = parse_consortium(fields)
        return stores(request).governance.found_consortium(
            actor_of(account),
            name=form.name,
            acronym=form.acronym,
            summary=form.summary,
            territory=form.territory,
            call=form.call,
            founded_on=clock(request).now().date(),
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _consortium_form(request, fields, errors),
        then=lambda created: path_for(
            request, "consortia:overview", consortium_id=created.id
        ),
    )


def _consortium_form(
    request: Request,
    fields: dict[str, str],
    errors: FormErrors,
    editing: Access | None = None,
) -> Response:
    context: dict[str, object] = {"values": fields, "errors": errors.errors}
    if editing is not None:
        context["editing"] = editing.consortium_id
    return render(
        request,
        "consortia/new.html",
        context,
        block="consortium_form",
        status_code=422,
    )


def _overview_context(request: Request, access: Access) -> dict[str, object]:
    cid = str(access.consortium_id)
    today = clock(request).now().astimezone(DISPLAY_ZONE).date()
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        partners = partners_of(connection, cid)
        member_total = member_count(connection, cid)
        open_votes = open_vote_count(connection, cid)
        waiting = waiting_obligations_of(connection, cid)
        money = summary_of(partners, totals_of(connection, cid), []).totals
    assert details is not None  # noqa: S101 - a membership implies the consortium
    active = [p for p in partners if p.active]
    lead = next((p for p in active if p.role.value == "lead"), None)
    return {
        "c": details,
        "access": access,
        "can": access.abilities,
        "lead": lead,
        "active_partners": active,
        "withdrawn_count": len(partners) - len(active),
        "mix": partner_mix(partners),
        "member_count": member_total,
        # In the project's order, so that closing is never the preselected choice.
        "next_phases": sorted(next_phases(details.phase), key=list(Phase).index),
        "today": clock(request).now().date().isoformat(),
        "open_votes": open_votes,
        "overdue_reports": sum(1 for r in waiting if r.overdue_on(today)),
        "next_report": next((r for r in waiting if r.due_on >= today), None),
        "money": money,
    }


def overview(request: Request) -> Response:
    access = consortium_access(request)
    context = _overview_context(request, access)
    return render(
        request,
        "consortia/overview.html",
        {**context, "errors": {}, "values": {}},
        block="phase_panel",
    )


@form_endpoint
def change_phase(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CHANGE_PHASE)

    def command() -> int:
        form = parse_phase(fields)
        return stores(request).governance.change_phase(
            actor_of(access.account), access.consortium_id, form.phase, form.on
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _phase_form(request, access, fields, errors),
        then=path_for(
            request, "consortia:overview", consortium_id=access.consortium_id
        ),
    )


def _phase_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    context = _overview_context(request, access)
    return render(
        request,
        "consortia/overview.html",
        {**context, "errors": errors.errors, "values": fields},
        block="phase_panel",
        status_code=422,
    )


def profile_page(request: Request) -> Response:
    access = consortium_access(request)
    # The form is shown only to those who may send it; the service decides on it.
    access.require(Action.CHANGE_PROFILE)
    details = query(request, consortium_details, str(access.consortium_id))
    assert details is not None  # noqa: S101 - a membership implies the consortium
    values = {
        "name": details.name,
        "acronym": details.acronym,
        "summary": details.summary,
        "territory": details.territory,
        "call_name": details.call.name,
        "call_funder": details.call.funder,
        "call_reference": details.call.reference,
        "call_opens_on": details.call.opens_on.isoformat()
        if details.call.opens_on
        else "",
        "call_closing_dates": "\n".join(
            d.isoformat() for d in details.call.closing_dates
        ),
        "call_url": details.call.url,
    }
    return render(
        request,
        "consortia/new.html",
        {"values": values, "errors": {}, "editing": access.consortium_id},
    )


@form_endpoint
def revise_profile(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CHANGE_PROFILE)

    def command() -> int:
        form = parse_consortium(fields)
        return stores(request).governance.revise_profile(
            actor_of(access.account),
            access.consortium_id,
            name=form.name,
            acronym=form.acronym,
            summary=form.summary,
            territory=form.territory,
            call=form.call,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _consortium_form(request, fields, errors, access),
        then=path_for(
            request, "consortia:overview", consortium_id=access.consortium_id
        ),
    )


routes = [
    Route("/", home, methods=["GET"], name="consortia:home"),
    Route("/consortia", my_consortia, methods=["GET"], name="consortia:index"),
    Route("/consortia/new", found_page, methods=["GET"], name="consortia:new"),
    Route("/consortia/new", found, methods=["POST"], name="consortia:found"),
    Route(
        "/consortia/{consortium_id}",
        overview,
        methods=["GET"],
        name="consortia:overview",
    ),
    Route(
        "/consortia/{consortium_id}/phase",
        change_phase,
        methods=["POST"],
        name="consortia:phase",
    ),
    Route(
        "/consortia/{consortium_id}/profile",
        profile_page,
        methods=["GET"],
        name="consortia:profile_page",
    ),
    Route(
        "/consortia/{consortium_id}/profile",
        revise_profile,
        methods=["POST"],
        name="consortia:profile",
    ),
]
