"""Notifications: a person's reminders in the application and how they want them;
a consortium's reminder schedule; the scheduler's health for those who must know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.permissions import Action
from notifications.emails import Delivery
from web.auth import actor_of, form_endpoint, require_account
from web.forms.fields import FormErrors
from web.forms.notifications import parse_days_before, parse_preferences
from web.htmx import redirect, render, wants_fragment
from web.i18n import LANGUAGES
from web.identity.accounts import Account
from web.links import path_for
from web.request_state import clock, request_state
from web.routes.common import Access, consortium_access, stores
from web.routes.notification_list import (
    notice_store,
    notification_lines,
    owned,
    parse_items,
    take_in_now,
)
from web.routes.posting import run_command
from web.routes.reporting_page import calendar_context


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
    lines, older = notification_lines(
        request, account.account_id, before, preferences.notifications_seen_at
    )
    return {
        "lines": lines,
        "older": older.isoformat() if older is not None else None,
        "paged": before is not None,
        "unread": any(line.unread for line in lines),
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
    take_in_now(request)
    context = _notifications_context(request, account)
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


def _marked(request: Request, account: Account) -> Response:
    """The list again in place (htmx), or the page after a redirect (no JS)."""
    request_state(request).saved = True
    if wants_fragment(request):
        context = _notifications_context(request, account)
        return render(request, "notifications/index.html", context, block="list")
    return redirect(request, path_for(request, "notifications:index"))


@form_endpoint
def mark_read(request: Request, fields: dict[str, str]) -> Response:
    """Mark one line read (every notification it groups)."""
    account = require_account(request)
    item_ids = parse_items(fields.get("items", ""))
    if item_ids is None or not owned(request, account.account_id, item_ids):
        # Someone else's, nobody's or malformed: as if it did not exist.
        raise NotFound("notification", fields.get("items", "")[:64])
    notice_store(request).mark_read(account.account_id, item_ids, clock(request).now())
    return _marked(request, account)


@form_endpoint
def mark_all_read(request: Request, fields: dict[str, str]) -> Response:
    """Mark everything read, up to now."""
    account = require_account(request)
    stores(request).accounts.update_preferences(
        account.account_id, notifications_seen_at=clock(request).now()
    )
    return _marked(request, account)


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
        "/notifications/read",
        mark_read,
        methods=["POST"],
        name="notifications:read",
    ),
    Route(
        "/notifications/read-all",
        mark_all_read,
        methods=["POST"],
        name="notifications:read_all",
    ),
    Route(
        "/consortia/{consortium_id}/reporting/reminders",
        save_schedule,
        methods=["POST"],
        name="notifications:schedule",
    ),
]
