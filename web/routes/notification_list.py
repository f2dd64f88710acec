"""A person's list of notifications: reminders and notices in lines, what is
unread, and marking one line or everything read.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.requests import Request

from notifications.notice_store import NoticeStore
from notifications.notices import take_in
from projections.application_deadlines import application_notifications_of
from projections.money_reminders import money_notifications_of
from projections.notice_subjects import own_reminders
from projections.reminders import notifications_of
from projections.workplan_reminders import deliverable_notifications_of
from web.faults import classify
from web.links import paths
from web.presentation.notifications import (
    Line,
    grouped,
    notice_lines,
    reminder_lines,
)
from web.routes.common import queries, stores

logger = logging.getLogger(__name__)

# Items read per page and source: grouping turns them into fewer lines.
PAGE_ITEMS = 60
# The most items a "mark read" form may name (a line's group).
MAX_ITEMS = PAGE_ITEMS * 3


def notice_store(request: Request) -> NoticeStore:
    """The notices, in the accounts' database."""
    return stores(request).notices


def take_in_now(request: Request) -> None:
    """Take the latest steps in as notices (one batch), so the page is current.

    A database fault here leaves the page as it is: the scheduler's tick takes
    them in anyway.
    """
    try:
        take_in(stores(request).read_side, notice_store(request), batches=1)
    except Exception as error:
        if classify(error) is None:
            raise
        logger.warning("notices.take_in_failed error=%s", error)


def notification_lines(
    request: Request, account_id: str, before: datetime | None, seen: datetime | None
) -> tuple[list[Line], datetime | None]:
    """A page of a person's notifications as lines, and where the next page starts."""
    found = notice_store(request).of_account(
        account_id, before=before, limit=PAGE_ITEMS + 1
    )
    with queries(request) as connection:
        rows = (
            notifications_of(
                connection, account_id, before=before, limit=PAGE_ITEMS + 1
            )
            + deliverable_notifications_of(
                connection, account_id, before=before, limit=PAGE_ITEMS + 1
            )
            + application_notifications_of(
                connection, account_id, before=before, limit=PAGE_ITEMS + 1
            )
            + money_notifications_of(
                connection, account_id, before=before, limit=PAGE_ITEMS + 1
            )
        )
        names = stores(request).accounts.names(
            {n.subject_id for n in found if n.kind == "invitation_accepted"}
        )
        lines = reminder_lines(rows, paths(request)) + notice_lines(
            connection, found, paths(request), names
        )
    lines.sort(key=lambda line: (line.at, line.ids[0]), reverse=True)
    older = lines[PAGE_ITEMS - 1].at if len(lines) > PAGE_ITEMS else None
    lines = lines[:PAGE_ITEMS]
    read = notice_store(request).read_ids(
        account_id, [i for line in lines for i in line.ids]
    )
    return grouped(lines, seen, read), older


def owned(request: Request, account_id: str, item_ids: list[str]) -> bool:
    """Whether every item is one of the person's notices or reminders."""
    mine = notice_store(request).owned_ids(account_id, item_ids)
    with queries(request) as connection:
        mine |= own_reminders(connection, account_id, item_ids)
    return mine == set(item_ids)


def parse_items(text: str) -> list[str] | None:
    """The ids a "mark read" form names (comma-separated), or None if malformed."""
    item_ids = [i for i in text.split(",") if i]
    if not item_ids or len(item_ids) > MAX_ITEMS:
        return None
    if not all(0 < len(i) <= 64 and i.isascii() for i in item_ids):
        return None
    return item_ids
