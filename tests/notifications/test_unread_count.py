"""The unread count every page's header shows, counted by the accounts' database:
notices after "all read", less those marked read one by one, plus the reminders
given that are not marked read, up to the badge's limit; on both backends."""

from __future__ import annotations

from datetime import timedelta

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
    assert store.unread(PERSON, None, lambda: [], 100) == 5

    # Two notices and one reminder marked read; the reminders are counted too.
    store.mark_read(PERSON, [f"{PERSON}-notice-0", f"{PERSON}-notice-3"], START)
    store.mark_read(PERSON, ["reminder-a"], START)
    assert store.unread(PERSON, None, lambda: ["reminder-a", "reminder-b"], 100) == 4

    # "All read" at hour 2: only the notices after it, still less those read.
    seen = START + timedelta(hours=2)
    assert store.unread(PERSON, seen, lambda: [], 100) == 1  # hour 4 (hour 3 is read)

    # Another person's reads do not count for this one.
    store.mark_read(OTHER, [f"{PERSON}-notice-4"], START)
    assert store.unread(PERSON, seen, lambda: [], 100) == 1


def test_stops_at_the_limit(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 120))
    reminders = [f"reminder-{n}" for n in range(30)]
    assert store.unread(PERSON, None, lambda: [], 100) == 100
    assert store.unread(PERSON, None, lambda: reminders, 100) == 100

    # Read notices beyond the first hundred do not hide the unread ones.
    store.mark_read(PERSON, [f"{PERSON}-notice-{n}" for n in range(100)], START)
    assert store.unread(PERSON, None, lambda: [], 100) == 20
    assert store.unread(PERSON, None, lambda: reminders, 100) == 50
    assert store.unread(PERSON, None, lambda: reminders, 40) == 40


def test_the_reminders_are_asked_only_below_the_limit(stores: Stores) -> None:
    """Notices that fill the count already spare the reminders' look-up."""
    store = NoticeStore(stores.outbox.engine)
    store.add(notices(PERSON, 30))
    asked: list[int] = []

    def reminders() -> list[str]:
        asked.append(1)
        return ["reminder-a"]

    assert store.unread(PERSON, None, reminders, 21) == 21
    assert asked == []
    assert store.unread(PERSON, None, reminders, 40) == 31
    assert asked == [1]
