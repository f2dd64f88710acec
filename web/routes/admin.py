"""The platform administrators' pages: accounts, consortia, the background work.

Only a platform administrator (``admin create``) sees them; to anyone else they do
not exist (404, like a consortium one is not a member of). Accounts are listed,
disabled (every session of the account ends at once, and a login waiting for its
code), enabled again, and erased through the erasure page (with a confirmation and
the administrator's password). The consortia are listed by name only: an
administrator who is not a member reads none of their pages. The health page says
whether the scheduler and its pollers run, how far the read models are behind the
log, and what the e-mail outbox and the webhooks' deliveries hold.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.errors import NotFound
from notifications.scheduler import JOB_NAME
from notifications.webhooks.overview import webhook_counts
from projections.consortia import all_consortia
from web.auth import form_endpoint, require_account
from web.htmx import render
from web.i18n import N_, gettext_
from web.identity.accounts import Account
from web.links import path_for
from web.ops.jobs import AUDIT_POLLER, POLLERS
from web.ops.webhooks import WEBHOOK_POLLER
from web.request_state import app_state, clock
from web.routes.common import page_number, query, stores

logger = logging.getLogger(__name__)

PAGE = 50
# The scheduler ticks every ``tick_seconds``: three missed ticks mean it is not running.
STALE_TICKS = 3
# Refused messages shown on the health page, newest first.
REFUSED_SHOWN = 20
NOTICES = {
    "disabled": N_(
        "The account is disabled: its sessions have ended and it can no longer log in."
    ),
    "enabled": N_("The account is enabled: its owner can log in again."),
}
POLLER_NAMES = {
    AUDIT_POLLER: N_("Requested audit verifications"),
    WEBHOOK_POLLER: N_("Webhook sender"),
}
NOT_YOURSELF = N_(
    "You cannot disable your own account: another administrator can, if needed."
)


def require_admin(request: Request) -> Account:
    """The logged-in platform administrator; anyone else is told the page does not
    exist (and an anonymous visitor is sent to the login page)."""
    account = require_account(request)
    if not account.is_admin:
        raise NotFound("page", request.url.path)
    return account


def index(request: Request) -> Response:
    require_admin(request)
    accounts = stores(request).accounts.listed(limit=1)[1]
    consortia = query(request, all_consortia, limit=1)[1]
    return render(
        request,
        "admin/index.html",
        {"accounts_total": accounts, "consortia_total": consortia},
    )


def accounts_page(request: Request) -> Response:
    admin = require_admin(request)
    notice = NOTICES.get(request.query_params.get("done", ""))
    return _accounts(request, admin, notice=gettext_(notice) if notice else None)


def _accounts(
    request: Request,
    admin: Account,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    search = request.query_params.get("q", "")[:254]
    page = page_number(request)
    rows, total = stores(request).accounts.listed(
        search=search, offset=(page - 1) * PAGE, limit=PAGE
    )
    return render(
        request,
        "admin/accounts.html",
        {
            "rows": rows,
            "total": total,
            "search": search,
            "page": page,
            "pages": _pages(total),
            "query": urlencode({"q": search}) if search else "",
            "me": admin.account_id,
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


def _target(request: Request) -> Account:
    """The account in the path; an unknown (or erased) one is not found."""
    account_id = request.path_params["account_id"]
    account = stores(request).accounts.by_id(account_id[:64])
    if account is None:
        raise NotFound("account", account_id)
    return account


def _back_to(request: Request, account: Account, done: str) -> Response:
    """The list narrowed to the account acted on, with what was done."""
    query_string = urlencode({"q": account.email, "done": done})
    return RedirectResponse(
        f"{path_for(request, 'admin:accounts')}?{query_string}", status_code=303
    )


@form_endpoint
def disable(request: Request, fields: dict[str, str]) -> Response:
    admin = require_admin(request)
    target = _target(request)
    if target.account_id == admin.account_id:
        return _accounts(request, admin, error=gettext_(NOT_YOURSELF), status_code=409)
    stores(request).accounts.set_disabled(
        target.account_id, True, now=clock(request).now()
    )
    logger.warning(
        "account.disabled account=%s by=%s", target.account_id, admin.account_id
    )
    return _back_to(request, target, "disabled")


@form_endpoint
def enable(request: Request, fields: dict[str, str]) -> Response:
    admin = require_admin(request)
    target = _target(request)
    stores(request).accounts.set_disabled(
        target.account_id, False, now=clock(request).now()
    )
    logger.warning(
        "account.enabled account=%s by=%s", target.account_id, admin.account_id
    )
    return _back_to(request, target, "enabled")


def consortia_page(request: Request) -> Response:
    require_admin(request)
    page = page_number(request)
    rows, total = query(request, all_consortia, offset=(page - 1) * PAGE, limit=PAGE)
    return render(
        request,
        "admin/consortia.html",
        {"rows": rows, "total": total, "page": page, "pages": _pages(total)},
    )


def health_page(request: Request) -> Response:
    require_admin(request)
    return render(request, "admin/health.html", health(request))


def health(request: Request) -> dict[str, Any]:
    """The scheduler's last tick, the read models' lag, and the outbox."""
    s = stores(request)
    settings = app_state(request).settings
    now = clock(request).now()
    last = s.health.last(JOB_NAME)
    stale_after = timedelta(seconds=STALE_TICKS * settings.tick_seconds)
    log_end = s.governance.recorder.max_notification_id() or 0
    positions = s.read_side.positions()
    reached = min(positions.values(), default=0)
    refused = [row for row in s.outbox.messages(sent=False) if row.failed]
    return {
        "last": last,
        "stale": last is None or now - last.started_at > stale_after,
        "stale_after_minutes": max(int(stale_after.total_seconds() // 60), 1),
        "scheduler_process": "consortium worker"
        if settings.uses_postgres
        else "consortium serve",
        "log_end": log_end,
        "behind": max(log_end - reached, 0),
        "lagging": sorted(
            (name, position)
            for name, position in positions.items()
            if position < log_end
        ),
        "outbox": s.outbox.counts(now),
        "refused": sorted(refused, key=lambda row: row.created_at, reverse=True)[
            :REFUSED_SHOWN
        ],
        "mail_to": "SMTP" if settings.smtp is not None else "mailbox",
        # Each poller's last run (None: never ran), stale like the tick.
        "pollers": [
            (
                POLLER_NAMES[name],
                run,
                run is not None and now - run.started_at > stale_after,
            )
            for name in POLLERS
            for run in [s.health.last(name)]
        ],
        "webhooks": webhook_counts(s.outbox.engine, now),
    }


def _pages(total: int) -> int:
    return max((total + PAGE - 1) // PAGE, 1)


routes = [
    Route("/admin", index, methods=["GET"], name="admin:index"),
    Route("/admin/accounts", accounts_page, methods=["GET"], name="admin:accounts"),
    Route(
        "/admin/accounts/{account_id}/disable",
        disable,
        methods=["POST"],
        name="admin:disable",
    ),
    Route(
        "/admin/accounts/{account_id}/enable",
        enable,
        methods=["POST"],
        name="admin:enable",
    ),
    Route("/admin/consortia", consortia_page, methods=["GET"], name="admin:consortia"),
    Route("/admin/health", health_page, methods=["GET"], name="admin:health"),
]
