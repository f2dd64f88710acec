"""A tagged page's facts and the unread count in one statement answer as the page's
facts and ``NoticeStore.unread`` asked apart, on every store: notices and
reminders, some marked read, "all read" at a moment, and past the limits. On
SQLite the read models' writers never take the accounts' database's lock."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from notifications.notice_store import NoticeStore
from notifications.page_unread import page_facts_and_unread
from projections.page_facts import layout_facts, page_facts
from projections.reminders import reminders
from tests.notifications.conftest import START
from tests.notifications.test_unread_count import OTHER, PERSON, notices
from web.ops.storage import Stores, open_stores
from web.settings import Settings

CONSORTIUM = "c-1"


def a_reminder(reminder_id: str, hour: int, account_id: str = PERSON) -> dict[str, Any]:
    return {
        "reminder_id": reminder_id,
        "consortium_id": CONSORTIUM,
        "obligation_id": "report-1",
        "due_on": date(2026, 9, 30),
        "stage": 1,
        "recipient_id": account_id,
        "escalation": 0,
        "requested_at": START + timedelta(hours=hour, minutes=30),
    }


def add_reminders(stores: Stores, account_id: str, count: int) -> list[str]:
    ids = [f"{account_id}-reminder-{n}" for n in range(count)]
    rows = [a_reminder(reminder_id, n, account_id) for n, reminder_id in enumerate(ids)]
    with stores.read_side.writer.begin() as connection:
        connection.execute(insert(reminders), rows)
    return ids


def asked_apart(
    stores: Stores, since: datetime | None, reminder_limit: int, unread_limit: int
) -> int:
    names = list(stores.read_side.projections)
    with stores.read_side.attached_engine.connect() as connection:
        facts, unread = page_facts_and_unread(
            connection, CONSORTIUM, PERSON, names, since, reminder_limit, unread_limit
        )
        apart = page_facts(connection, CONSORTIUM, PERSON, names, since, reminder_limit)
        layout = layout_facts(connection, PERSON, since, reminder_limit)
    assert facts == apart
    assert sorted(facts.layout.reminder_ids) == sorted(layout.reminder_ids)
    counted = NoticeStore(stores.outbox.engine).unread(
        PERSON, since, layout.reminder_ids, unread_limit
    )
    assert unread == counted, (since, reminder_limit, unread_limit)
    return unread


def test_the_count_is_the_notice_stores(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    assert asked_apart(stores, None, 198, 100) == 0

    store.add(notices(PERSON, 5) + notices(OTHER, 7))
    mine = add_reminders(stores, PERSON, 3)
    theirs = add_reminders(stores, OTHER, 2)
    assert asked_apart(stores, None, 198, 100) == 8

    # Notices and reminders marked read, and the other person's reads.
    store.mark_read(PERSON, [f"{PERSON}-notice-0", f"{PERSON}-notice-3"], START)
    store.mark_read(PERSON, [mine[1]], START)
    store.mark_read(OTHER, [f"{PERSON}-notice-1", mine[0], *theirs], START)
    assert asked_apart(stores, None, 198, 100) == 5

    # "All read" at hour 2: the notices of hours 3 (read) and 4, the reminder of
    # 2:30, not the one of 1:30 (read) nor of 0:30.
    assert asked_apart(stores, START + timedelta(hours=2), 198, 100) == 2
    assert asked_apart(stores, START + timedelta(days=1), 198, 100) == 0


def test_past_the_limits(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 120))
    add_reminders(stores, PERSON, 30)
    assert asked_apart(stores, None, 198, 100) == 100

    store.mark_read(PERSON, [f"{PERSON}-notice-{n}" for n in range(100)], START)
    assert asked_apart(stores, None, 198, 100) == 50
    assert asked_apart(stores, None, 198, 40) == 40
    # Only the reminders the layout looks at are counted.
    assert asked_apart(stores, None, 10, 100) == 30


def test_the_read_models_writers_leave_the_accounts_database_free(
    tmp_path: Path,
) -> None:
    """A connection that attached ``app.db`` would take its write lock with every
    read-model write (``BEGIN IMMEDIATE`` starts a write on each attached
    database): the attached reads have a pool of their own."""
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="test-secret"))
    try:
        assert asked_apart(stores, None, 198, 100) == 0  # the attached pool is used
        accounts = sqlite3.connect(tmp_path / "app.db", isolation_level=None, timeout=0)
        try:
            with stores.read_side.writer.begin() as connection:
                connection.execute(insert(reminders), [a_reminder("r-1", 0)])
                accounts.execute("BEGIN IMMEDIATE")  # "database is locked" if taken
                accounts.execute("ROLLBACK")
        finally:
            accounts.close()
    finally:
        stores.close()
