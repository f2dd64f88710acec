"""What a consortium's reporting page shows: its reporting calendar (a list, or a
month) and the reminders panel.

The reporting routes render that page, and so does the reminder-schedule form when
it sends the page back with its errors: both build it here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from starlette.requests import Request

from governance.reminder_rules import DEFAULT_DAYS_BEFORE
from governance.values import MemberRole, ReportKind
from notifications.scheduler import JOB_NAME, TICK_SECONDS
from projections.members import members_of
from projections.reminders import days_before_of, reminder_counts
from projections.reporting import ObligationRow, obligations_of
from web.i18n import weekday_names
from web.presentation.month import month_grid, month_param, parse_month
from web.request_state import clock
from web.routes.common import Access, queries, stores

# A tick older than this means the scheduler is not running.
STALE_AFTER = timedelta(seconds=3 * TICK_SECONDS)
# Who sees the scheduler's health on a consortium's reporting page.
HEALTH_ROLES = (MemberRole.COORDINATOR, MemberRole.FINANCER)


def by_month(rows: list[ObligationRow]) -> list[tuple[Any, list[ObligationRow]]]:
    """Obligations grouped by the month they are due, earliest first."""
    months: dict[Any, list[ObligationRow]] = defaultdict(list)
    for row in rows:
        months[row.due_on.replace(day=1)].append(row)
    return sorted(months.items())


def calendar_views(
    request: Request, rows: list[ObligationRow], *, listed: bool = False
) -> dict[str, Any]:
    """The list or the month view the query string asks for (list by default).

    Raises ``BadMonth`` for a month that is not ``YYYY-MM``. A form sent back with
    its errors always shows the list (``listed``).
    """
    today = clock(request).now().date()
    if listed or request.query_params.get("view") != "month":
        return {"view": "list", "months": by_month(rows), "today": today}
    month = parse_month(request.query_params.get("month"), today)
    return {
        "view": "month",
        "months": [],
        "today": today,
        "grid": month_grid(month, rows, today),
        "weekdays": weekday_names(),
        "month_param": month_param,
    }


def calendar_context(
    request: Request, access: Access, *, listed: bool = False
) -> dict[str, Any]:
    """Everything the consortium's reporting page shows."""
    return {
        **_calendar_context(request, access, listed=listed),
        **reminder_panel(request, access),
    }


def _calendar_context(
    request: Request, access: Access, *, listed: bool = False
) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        rows = obligations_of(connection, cid)
        people = members_of(connection, cid)
    names = stores(request).accounts.names({m.account_id for m in people})
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        **calendar_views(request, rows, listed=listed),
        "kinds": list(ReportKind),
        "people": [(m.account_id, names.get(m.account_id, "?")) for m in people],
        "names": names,
        "values": {},
        "errors": {},
    }


def reminder_panel(request: Request, access: Access) -> dict[str, Any]:
    """What the reporting page shows of reminders: the schedule and, for
    coordinators and financers, the scheduler's health."""
    now = clock(request).now()
    cid = str(access.consortium_id)
    with queries(request) as connection:
        days = days_before_of(connection, cid)
        counts = reminder_counts(connection, cid, now - timedelta(days=30))
    panel: dict[str, Any] = {
        "reminder_days": days,
        "reminder_days_text": ", ".join(str(d) for d in days),
        "default_reminder_days": ", ".join(str(d) for d in DEFAULT_DAYS_BEFORE),
        "reminder_values": {},
        "reminder_errors": {},
        "show_health": access.membership.role in HEALTH_ROLES,
        # The mail server's own words are the platform administrator's to read.
        "show_mail_internals": access.account.is_admin,
    }
    if panel["show_health"]:
        s = stores(request)
        last = s.health.last(JOB_NAME)
        panel["health"] = {
            "last": last,
            "stale": last is None or now - last.started_at > STALE_AFTER,
            "counts": counts,
            "outbox": s.outbox.counts(now),
        }
    return panel
