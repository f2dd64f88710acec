"""Reporting to funders: the calendar, each report's life, and the iCalendar feed.

The feed is opened by a secret in its address (calendar applications send no
cookie); the secret is stored hashed and can be renewed, which ends the old one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from icalendar import Calendar, Event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.errors import NotFound
from governance.permissions import Action
from governance.values import ReportStatus
from projections.application_deadlines import application_deadlines_of_account
from projections.consortia import consortia_of
from projections.expenses import statements_of_report
from projections.indicators import indicators_of, period_values
from projections.partners import partners_of
from projections.reporting import (
    indicators_of_report,
    obligation,
    obligations_of_account,
    steps_of_report,
)
from projections.workplan_queries import deliverables_due_to
from web.auth import actor_of, form_endpoint, require_account, upload_endpoint
from web.errors import error_response
from web.forms.fields import FormErrors
from web.forms.reporting import parse_schedule
from web.htmx import redirect, render
from web.i18n import N_, gettext_
from web.links import path_for
from web.presentation.labels import label
from web.presentation.month import BadMonth
from web.request_state import clock
from web.routes.call import application_event
from web.routes.common import (
    Access,
    consortium_access,
    parse_uuid,
    queries,
    query,
    stores,
)
from web.routes.deliverables import deliverable_event
from web.routes.posting import run_command, saved_upload
from web.routes.public_address import public_base
from web.routes.reporting_page import calendar_context, calendar_views

BAD_MONTH = N_("Choose a month written as year-month, for example 2026-11.")


def _bad_month(request: Request) -> Response:
    return error_response(request, 400, gettext_(BAD_MONTH))


def calendar_page(request: Request) -> Response:
    access = consortium_access(request)
    try:
        context = calendar_context(request, access)
    except BadMonth:
        return _bad_month(request)
    return render(request, "reporting/index.html", context, block="schedule_form")


@form_endpoint
def schedule(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_CALENDAR)
    governance = stores(request).governance
    actor = actor_of(access.account)

    def command() -> Created:
        form = parse_schedule(fields)
        if form.periodic:
            assert form.first_period_start is not None  # noqa: S101 - parsed above
            return governance.schedule_periodic_reports(
                actor,
                access.consortium_id,
                funder=form.funder,
                title=form.title,
                kind=form.kind,
                responsible_id=form.responsible_id,
                first_period_start=form.first_period_start,
                every_months=form.every_months,
                due_days=form.due_days,
                count=form.count,
            )
        assert form.due_on is not None  # noqa: S101 - parsed above
        return governance.schedule_report(
            actor,
            access.consortium_id,
            funder=form.funder,
            title=form.title,
            kind=form.kind,
            responsible_id=form.responsible_id,
            due_on=form.due_on,
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _schedule_form(request, access, fields, errors),
        then=path_for(request, "reporting:index", consortium_id=access.consortium_id),
    )


def _schedule_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "reporting/index.html",
        {
            **calendar_context(request, access, listed=True),
            "values": fields,
            "errors": errors.errors,
            "open_form": True,
        },
        block="schedule_form",
        status_code=422,
    )


def _report_context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    obligation_id = str(parse_uuid(request.path_params["obligation_id"], "report"))
    with queries(request) as connection:
        row = obligation(connection, cid, obligation_id)
        if row is None:
            raise NotFound("report", obligation_id)
        steps = steps_of_report(connection, obligation_id)
        included = indicators_of_report(connection, obligation_id)
        # The consortium's indicators over the report's period, as recorded now:
        # what a draft would include, and context for a report that includes none.
        live = period_values(
            indicators_of(connection, cid), row.period_start, row.period_end, row.due_on
        )
        # The partners' expense statements that go with this report.
        statements = statements_of_report(connection, cid, obligation_id)
        partner_names = {p.partner_id: p.name for p in partners_of(connection, cid)}
    ids = {s.actor_id for s in steps} | (
        {row.responsible_id} if row.responsible_id else set()
    )
    writable = row.status in (
        ReportStatus.DUE,
        ReportStatus.DRAFTED,
        ReportStatus.CHANGES_REQUESTED,
    )
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "r": row,
        "steps": steps,
        "included": included,
        "live": live,
        "statements": statements,
        "partner_names": partner_names,
        "names": stores(request).accounts.names(ids),
        "overdue": row.overdue_on(clock(request).now().date()),
        "may_write": access.can(Action.REPORT) and writable,
        "may_submit": access.can(Action.REPORT) and row.status is ReportStatus.DRAFTED,
        "may_review": access.can(Action.REVIEW_REPORT)
        and row.status is ReportStatus.SUBMITTED,
        "values": {},
        "errors": {},
    }


def report_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "reporting/report.html",
        _report_context(request, access),
        block="report_panel",
    )


def _report_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "reporting/report.html",
        {
            **_report_context(request, access),
            "values": fields,
            "errors": errors.errors,
        },
        block="report_panel",
        status_code=422,
    )


def _report_command(
    request: Request,
    access: Access,
    command: Callable[[], int],
    fields: dict[str, str],
    slot: str = "",
) -> Response:
    """Run a command on the report in the path; back to its page once done."""
    return run_command(
        request,
        command,
        refused=lambda errors: _report_form(request, access, fields, errors),
        slot=slot,
        then=path_for(
            request,
            "reporting:report",
            consortium_id=access.consortium_id,
            obligation_id=request.path_params["obligation_id"],
        ),
    )


@upload_endpoint
def draft(request: Request, fields: dict[str, str], files: dict[str, Any]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    obligation_id = parse_uuid(request.path_params["obligation_id"], "report")

    def command() -> int:
        attachment = saved_upload(request, files, "attachment")
        indicators: list[UUID] = []
        if fields.get("include_indicators") == "yes":
            rows = query(request, indicators_of, str(access.consortium_id))
            indicators = [UUID(i.indicator_id) for i in rows]
        return stores(request).governance.draft_report(
            actor_of(access.account),
            obligation_id,
            fields.get("text", "")[:50_000],
            (attachment,) if attachment is not None else (),
            indicators,
        )

    return _report_command(request, access, command, fields, slot="text")


@form_endpoint
def submit(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REPORT)
    obligation_id = parse_uuid(request.path_params["obligation_id"], "report")
    # A refused submission goes to the error handler (422), as it always has.
    return run_command(
        request,
        lambda: stores(request).governance.submit_report(
            actor_of(access.account), obligation_id
        ),
        then=path_for(
            request,
            "reporting:report",
            consortium_id=access.consortium_id,
            obligation_id=request.path_params["obligation_id"],
        ),
    )


@form_endpoint
def review(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.REVIEW_REPORT)
    obligation_id = parse_uuid(request.path_params["obligation_id"], "report")
    comment = fields.get("comment", "")[:20_000]
    governance = stores(request).governance

    def command() -> int:
        if fields.get("decision") == "accept":
            return governance.accept_report(
                actor_of(access.account), obligation_id, comment
            )
        return governance.request_report_changes(
            actor_of(access.account), obligation_id, comment
        )

    return _report_command(request, access, command, fields, slot="comment")


def my_calendar(request: Request) -> Response:
    account = require_account(request)
    with queries(request) as connection:
        rows = obligations_of_account(connection, account.account_id)
        deliverables = deliverables_due_to(connection, account.account_id)
        applications = application_deadlines_of_account(
            connection, account.account_id, clock(request).now().date()
        )
        consortia = {
            c.consortium_id: c.name
            for c in consortia_of(connection, account.account_id)
        }
    try:
        views = calendar_views(request, rows)
    except BadMonth:
        return _bad_month(request)
    token = request.cookies.get(NEW_FEED_COOKIE, "")
    response = render(
        request,
        "reporting/calendar.html",
        {
            **views,
            "consortia": consortia,
            "has_feed": stores(request).accounts.has_calendar_feed(account.account_id),
            "deliverables": deliverables,
            "feed_url": f"{public_base(request)}/calendar/{token}.ics"
            if FEED_TOKEN.fullmatch(token)
            else "",
            "applications": applications,
        },
    )
    if token:
        response.delete_cookie(NEW_FEED_COOKIE, path="/calendar")
    return response


NEW_FEED_COOKIE = "new_calendar_feed"
"""Carries a new feed address's secret from its POST to the next page, once."""
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


@form_endpoint
def new_feed(request: Request, fields: dict[str, str]) -> Response:
    """Make a new feed address, then redirect: a refresh no longer replaces it.

    The address's secret is kept only as a hash, so the next page shows it once,
    from a short-lived cookie of its own (read, then deleted).
    """
    account = require_account(request)
    token = stores(request).accounts.new_calendar_token(
        account.account_id, now=clock(request).now()
    )
    response = redirect(request, path_for(request, "reporting:calendar"))
    response.set_cookie(
        NEW_FEED_COOKIE,
        token,
        max_age=120,
        path="/calendar",
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
    return response


def feed(request: Request) -> Response:
    token = request.path_params["token"]
    account = (
        stores(request).accounts.calendar_account(token) if len(token) < 100 else None
    )
    if account is None:
        raise NotFound("calendar", "")
    with queries(request) as connection:
        rows = obligations_of_account(connection, account.account_id)
        deliverables = deliverables_due_to(connection, account.account_id)
        applications = application_deadlines_of_account(
            connection, account.account_id, clock(request).now().date()
        )
        consortia = {
            c.consortium_id: c.name
            for c in consortia_of(connection, account.account_id)
        }
    base = public_base(request)
    calendar = Calendar()
    calendar.add("prodid", "-//Consortium Ledger//Reporting calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", gettext_(N_("Reporting deadlines")))
    stamp = clock(request).now()
    for row in rows:
        entry = Event()
        entry.add("uid", f"{row.obligation_id}@consortium-ledger")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", row.due_on)
        entry.add(
            "summary",
            gettext_(N_("%(title)s due to %(funder)s (%(consortium)s)"))
            % {
                "title": row.title,
                "funder": row.funder,
                "consortium": consortia.get(row.consortium_id, ""),
            },
        )
        entry.add("description", f"{label(row.kind)} — {label(row.status)}")
        entry.add(
            "url", f"{base}/consortia/{row.consortium_id}/reports/{row.obligation_id}"
        )
        calendar.add_component(entry)
    for due in deliverables:
        calendar.add_component(deliverable_event(due, consortia, base, stamp))
    for closing in applications:
        calendar.add_component(application_event(closing, base, stamp))
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )


REPORT = "/consortia/{consortium_id}/reports/{obligation_id}"
routes = [
    Route(
        "/consortia/{consortium_id}/reporting",
        calendar_page,
        methods=["GET"],
        name="reporting:index",
    ),
    Route(
        "/consortia/{consortium_id}/reporting",
        schedule,
        methods=["POST"],
        name="reporting:schedule",
    ),
    Route(REPORT, report_page, methods=["GET"], name="reporting:report"),
    Route(REPORT + "/draft", draft, methods=["POST"], name="reporting:draft"),
    Route(REPORT + "/submit", submit, methods=["POST"], name="reporting:submit"),
    Route(REPORT + "/review", review, methods=["POST"], name="reporting:review"),
    Route("/calendar", my_calendar, methods=["GET"], name="reporting:calendar"),
    Route("/calendar/feed", new_feed, methods=["POST"], name="reporting:new_feed"),
    Route("/calendar/{token}.ics", feed, methods=["GET"], name="reporting:feed"),
]
