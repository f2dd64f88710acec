"""Notifications: a person's reminders in the application and how they want them;
a consortium's reminder schedule; the scheduler's health for those who must know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.permissions import Action
from notifications.emails import Delivery
from projections.application_deadlines import application_notifications_of
from projections.reminders import notifications_of
from projections.reminders import unread_count as count_unread
from projections.workplan_reminders import deliverable_notifications_of
from web.auth import actor_of, current_account, form_endpoint, require_account
from web.forms.fields import FormErrors
from web.forms.notifications import parse_days_before, parse_preferences
from web.htmx import render, wants_fragment
from web.i18n import LANGUAGES
from web.identity.accounts import Account
from web.links import path_for
from web.request_state import clock, request_state
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command
from web.routes.reporting_page import calendar_context

PAGE_SIZE = 20


def unread_count(request: Request) -> int:
    """How many reminders the logged-in person has not seen (for the header)."""
    account = current_account(request)
    if account is None:
        return 0
    seen = stores(request).accounts.preferences(account.account_id)
    with queries(request) as connection:
        return count_unread(connection, account.account_id, seen.notifications_seen_at)


def _parse_before(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _notifications_context(
    request: Request, account: Account, values: dict[str, str] | None = None
) -> dict[str, Any]:
    before = _parse_before(request.query_params.get("before"))
    preferences = stores(request).accounts.preferences(account.account_id)
    with queries(request) as connection:
        # Reminders of reports, deliverables and closing dates, newest first, one page.
        rows = sorted(
            notifications_of(
                connection, account.account_id, before=before, limit=PAGE_SIZE + 1
            )
            + deliverable_notifications_of(
                connection, account.account_id, before=before, limit=PAGE_SIZE + 1
            )
            + application_notifications_of(
                connection, account.account_id, before=before, limit=PAGE_SIZE + 1
            ),
            key=lambda n: (n.reminder.requested_at, n.reminder.reminder_id),
            reverse=True,
        )[: PAGE_SIZE + 1]
    return {
        "rows": rows[:PAGE_SIZE],
        "older": rows[PAGE_SIZE - 1].reminder.requested_at.isoformat()
        if len(rows) > PAGE_SIZE
        else None,
        "paged": before is not None,
        "seen_at": preferences.notifications_seen_at,
        "today": clock(request).now().date(),
        "deliveries": list(Delivery),
        "languages": LANGUAGES,
        "values": values
        or {
            "delivery": preferences.delivery,
            "language": preferences.language or request_state(request).language,
        },
        "errors": {},
        "saved": False,
    }


def notifications_page(request: Request) -> Response:
    account = require_account(request)
    context = _notifications_context(request, account)
    # Looking at the list is what marks the reminders seen.
    stores(request).accounts.update_preferences(
        account.account_id, notifications_seen_at=clock(request).now()
    )
    return render(request, "notifications/index.html", context, block="preferences")


@form_endpoint
def save_preferences(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    try:
        form = parse_preferences(fields, LANGUAGES)
    except FormErrors as errors:
        context = _notifications_context(request, account, fields)
        context["errors"] = errors.errors
        return render(
            request,
            "notifications/index.html",
            context,
            block="preferences",
            status_code=422,
        )
    stores(request).accounts.update_preferences(
        account.account_id, delivery=form.delivery.value, language=form.language
    )
    context = _notifications_context(request, account)
    context["saved"] = True
    return render(request, "notifications/index.html", context, block="preferences")


@form_endpoint
def save_schedule(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_CALENDAR)
    # ``None`` when the schedule is unchanged: nothing to wait for.
    return run_command(
        request,
        lambda: stores(request).governance.set_reminder_schedule(
            actor_of(access.account), access.consortium_id, parse_days_before(fields)
        ),
        refused=lambda errors: _schedule_form(request, access, fields, errors),
        slot="days_before",
        then=path_for(request, "reporting:index", consortium_id=access.consortium_id),
    )


def _schedule_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    context = calendar_context(request, access, listed=True)
    context["reminder_values"] = fields
    context["reminder_errors"] = errors.errors
    context["reminder_params"] = errors.params
    # The settings are an included template: htmx gets it whole, others the page.
    template = (
        "reporting/_reminder_settings.html"
        if wants_fragment(request)
        else "reporting/index.html"
    )
    return render(request, template, context, status_code=422)


routes = [
    Route(
        "/notifications",
        notifications_page,
        methods=["GET"],
        name="notifications:index",
    ),
    Route(
        "/notifications/preferences",
        save_preferences,
        methods=["POST"],
        name="notifications:preferences",
    ),
    Route(
        "/consortia/{consortium_id}/reporting/reminders",
        save_schedule,
        methods=["POST"],
        name="notifications:schedule",
    ),
]
