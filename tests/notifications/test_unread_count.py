"""The unread count every page's header shows, counted by the accounts' database:
notices after "all read", less those marked read one by one, plus the reminders
given that are not marked read, up to the badge's limit; on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event

from notifications.notice_store import Notice, NoticeStore
from tests.notifications.conftest import START
from web.ops.storage import Stores

PERSON = "person-1"
OTHER = "person-2"


def notices(account_id: str, count: int, first: int = 0) -> list[Notice]:
    return [
        Notice(
            notice_id=f"{account_id}-notice-{n}",
            account_id=account_id,
            consortium_id="c-1",
            kind="vote_opened",
            subject_id=f"subject-{n}",
            title="Vote",
            detail="",
            created_at=START + timedelta(hours=n),
        )
        for n in range(first, first + count)
    ]


def test_counts_unread_notices_and_reminders(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 5) + notices(OTHER, 7))
    assert store.unread(PERSON, None, [], 100) == 5

    # Two notices and one reminder marked read; the reminders are counted too.
    store.mark_read(PERSON, [f"{PERSON}-notice-0", f"{PERSON}-notice-3"], START)
    store.mark_read(PERSON, ["reminder-a"], START)
    assert store.unread(PERSON, None, ["reminder-a", "reminder-b"], 100) == 4

    # "All read" at hour 2: only the notices after it, still less those read.
    seen = START + timedelta(hours=2)
    assert store.unread(PERSON, seen, [], 100) == 1  # hour 4 (hour 3 is read)

    # Another person's reads do not count for this one.
    store.mark_read(OTHER, [f"{PERSON}-notice-4"], START)
    assert store.unread(PERSON, seen, [], 100) == 1


def test_stops_at_the_limit(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 120))
    reminders = [f"reminder-{n}" for n in range(30)]
    assert store.unread(PERSON, None, [], 100) == 100
    assert store.unread(PERSON, None, reminders, 100) == 100

    # Read notices beyond the first hundred do not hide the unread ones.
    store.mark_read(PERSON, [f"{PERSON}-notice-{n}" for n in range(100)], START)
    assert store.unread(PERSON, None, [], 100) == 20
    assert store.unread(PERSON, None, reminders, 100) == 50
    assert store.unread(PERSON, None, reminders, 40) == 40


def test_the_count_is_one_statement_whatever_the_reminders(stores: Stores) -> None:
    """Every page's header asks it: the notices and the reminders' reads are counted
    together (on PostgreSQL, one round trip)."""
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 3))
    store.mark_read(PERSON, ["reminder-a", f"{PERSON}-notice-1"], START)
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(stores.outbox.engine, "before_cursor_execute", record)
    try:
        counts = [
            store.unread(PERSON, None, [], 100),
            store.unread(PERSON, None, ["reminder-a", "reminder-b", "reminder-a"], 100),
            store.unread(PERSON, START, ["reminder-b"], 100),
        ]
    finally:
        event.remove(stores.outbox.engine, "before_cursor_execute", record)

    assert counts == [2, 3, 2]  # notices 0 and 2, reminder b; after START: 2 and b
    asked = [s for s in seen if s.strip().upper() not in {"BEGIN", "ROLLBACK"}]
    assert len(asked) == 3
    # The reminders are one parameter: the same statement for none and for two (an
    # expanding IN would render one parameter per id on every page).
    assert asked[0] == asked[1]


def test_many_reminders_in_one_parameter(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    reminders = [f"reminder-{n:04d}" for n in range(1500)]
    store.mark_read(PERSON, reminders[::3], START)

    assert store.unread(PERSON, None, reminders, 2000) == 1000
    assert store.unread(PERSON, None, reminders, 99) == 99
