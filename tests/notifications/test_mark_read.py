"""Marking notices and reminders read: what is marked already stays as it was, an
iterable read once is enough, and two requests marking the same items at once both
succeed (two tabs, a double click); on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from notifications.notice_store import NoticeStore
from tests.notifications.conftest import START
from web.ops.storage import Stores

PERSON = "person-1"


class StaleReads(NoticeStore):
    """A store whose read of the marks ran just before another request marked the
    same items: it sees none of them, as the second of two simultaneous requests
    does."""

    def read_ids(self, account_id: str, item_ids: Iterable[str]) -> set[str]:
        list(item_ids)
        return set()


def test_marks_each_item_once(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    assert store.mark_read(PERSON, ["a", "b"], START) == 2
    assert store.mark_read(PERSON, ["b", "c", "c"], START) == 1
    assert store.read_ids(PERSON, ["a", "b", "c", "d"]) == {"a", "b", "c"}
    assert store.read_ids("someone-else", ["a", "b", "c"]) == set()


def test_reads_a_generator_of_ids_once(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    store.mark_read(PERSON, ["a"], START)
    # The ids come from a generator: the marks already there are still recognised.
    assert store.mark_read(PERSON, (i for i in ["a", "b"]), START) == 1
    assert store.read_ids(PERSON, iter(["a", "b", "z"])) == {"a", "b"}


def test_marks_more_items_than_one_statement_binds(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    ids = [f"item-{n:04}" for n in range(1_234)]
    assert store.mark_read(PERSON, ids[::2], START) == 617
    assert store.mark_read(PERSON, ids, START) == 617
    assert store.read_ids(PERSON, ids) == set(ids)


def test_a_simultaneous_mark_of_the_same_items_is_no_error(stores: Stores) -> None:
    NoticeStore(stores.outbox.engine).mark_read(PERSON, ["a", "b"], START)
    # The second request believes nothing is marked: its insert meets the rows the
    # first one wrote, and every item ends marked once.
    later = START.replace(year=START.year + 1)
    assert StaleReads(stores.outbox.engine).mark_read(PERSON, ["a", "b", "c"], later)
    assert NoticeStore(stores.outbox.engine).read_ids(PERSON, ["a", "b", "c"]) == {
        "a",
        "b",
        "c",
    }


def test_threads_marking_the_same_items_all_succeed(stores: Stores) -> None:
    store = NoticeStore(stores.outbox.engine)
    ids = [f"item-{n}" for n in range(50)]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def mark() -> None:
        start.wait()
        try:
            store.mark_read(PERSON, ids, START)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=mark) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.read_ids(PERSON, ids) == set(ids)
