"""The unread count every page's header shows, asked with the page's facts in one
statement (``notifications.page_unread``): the notices after "all read", less those
marked read one by one, plus the reminders the layout looks at that are not marked
read, up to the badge's limit; alike for a tagged page, a consortium's page and a
page outside any, on every store. On SQLite the read models' writers never take
the accounts' database's lock."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from notifications.notice_store import Notice, NoticeStore
from notifications.page_unread import member_facts_and_unread, page_facts_and_unread
from projections.reminders import reminders
from tests.notifications.conftest import START
from web.ops.storage import Stores, open_stores
from web.settings import Settings

PERSON = "person-1"
OTHER = "person-2"
CONSORTIUM = "c-1"


def notices(account_id: str, count: int) -> list[Notice]:
    return [
        Notice(
            notice_id=f"{account_id}-notice-{n}",
            account_id=account_id,
            consortium_id=CONSORTIUM,
            kind="vote_opened",
            subject_id=f"subject-{n}",
            title="Vote",
            detail="",
            created_at=START + timedelta(hours=n),
        )
        for n in range(count)
    ]


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


def unread(
    stores: Stores,
    since: datetime | None = None,
    reminder_limit: int = 198,
    unread_limit: int = 100,
) -> int:
    """The count as each kind of page asks it, checked to agree."""
    names = stores.read_side.tracking_names()
    with stores.read_side.attached_engine.connect() as connection:
        tagged, on_tagged = page_facts_and_unread(
            connection, CONSORTIUM, PERSON, names, since, reminder_limit, unread_limit
        )
        membership, layout, on_member = member_facts_and_unread(
            connection, CONSORTIUM, PERSON, since, reminder_limit, unread_limit
        )
        nobody, alone, on_other = member_facts_and_unread(
            connection, None, PERSON, since, reminder_limit, unread_limit
        )
    assert tagged.membership is membership is nobody is None
    assert tagged.layout == layout == alone
    assert on_tagged == on_member == on_other
    return on_tagged


def test_counts_unread_notices_and_reminders(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    assert unread(stores) == 0

    store.add(notices(PERSON, 5) + notices(OTHER, 7))
    mine = add_reminders(stores, PERSON, 3)
    theirs = add_reminders(stores, OTHER, 2)
    assert unread(stores) == 8

    # Notices and reminders marked read; the other person's reads do not count.
    store.mark_read(PERSON, [f"{PERSON}-notice-0", f"{PERSON}-notice-3"], START)
    store.mark_read(PERSON, [mine[1]], START)
    store.mark_read(OTHER, [f"{PERSON}-notice-1", mine[0], *theirs], START)
    assert unread(stores) == 5

    # "All read" at hour 2: the notices of hours 3 (read) and 4, the reminder of
    # 2:30, not the one of 1:30 (read) nor of 0:30.
    assert unread(stores, START + timedelta(hours=2)) == 2
    assert unread(stores, START + timedelta(days=1)) == 0


def test_stops_at_the_limits(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 120))
    add_reminders(stores, PERSON, 30)
    assert unread(stores) == 100

    # Read notices beyond the first hundred do not hide the unread ones.
    store.mark_read(PERSON, [f"{PERSON}-notice-{n}" for n in range(100)], START)
    assert unread(stores) == 50
    assert unread(stores, unread_limit=40) == 40
    # Only the reminders the layout looks at are counted.
    assert unread(stores, reminder_limit=10) == 30


def test_the_read_models_writers_leave_the_accounts_database_free(
    tmp_path: Path,
) -> None:
    """A connection that attached ``app.db`` would take its write lock with every
    read-model write (``BEGIN IMMEDIATE`` starts a write on each attached
    database): the attached reads have a pool of their own."""
    stores = open_stores(Settings(data_dir=tmp_path, secret_key="test-secret"))
    try:
        assert unread(stores) == 0  # the attached reads' pool has a connection
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
