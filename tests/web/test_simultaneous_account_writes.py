"""Two requests writing the same person's row at once: the second one waits for the
first, then does what it was asked, never an error page.

A double click, two tabs or a retried request reach the accounts store together. On
PostgreSQL (read committed) both see the row absent, and the second's insert meets
the first's when it commits; SQLite's writers queue for its write lock. Each test
holds the first write open in a transaction of its own, starts the second through the
store, waits until it is blocked on that write, then commits the first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.support.builders import T0
from web.identity.accounts import EmailTaken
from web.identity.erasure import erase_person
from web.identity.tables import (
    accounts,
    calendar_feeds,
    pending_logins,
    preferences,
    totp_factors,
)
from web.identity.tokens import digest
from web.identity.transactions import (
    ATTEMPTS,
    is_duplicate,
    write_rerunning_duplicates,
)
from web.stores import Stores

T = TypeVar("T")
PERSON = "00000000-0000-4000-8000-000000000001"


def _blocked(connection: Connection, worker: threading.Thread) -> None:
    """Return once the worker waits on the open transaction's write."""
    deadline = time.monotonic() + 10
    if connection.dialect.name != "postgresql":
        # SQLite shows no waiters: the worker queues for the write lock, and
        # whether it got there yet or not, it runs after the commit.
        worker.join(0.3)
        return
    while time.monotonic() < deadline:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        ).scalar()
        connection.rollback()  # the next look takes a new snapshot of the activity
        if waiting:
            return
        worker.join(0.01)
    raise AssertionError("the second write never waited on the first")


def second_of_two(
    stores: Stores, first: Callable[[Connection], Any], second: Callable[[], T]
) -> T:
    """Run ``first`` in an open transaction, ``second`` meanwhile, then commit the
    first; what ``second`` returned (or the exception it raised, raised here)."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(second())
        except BaseException as error:
            failure.append(error)

    engine = stores.accounts.engine
    with engine.connect() as holder:
        with holder.begin():
            first(holder)
            worker = threading.Thread(target=run)
            worker.start()
            with engine.connect() as watcher:
                _blocked(watcher, worker)
        worker.join(30)
    assert not worker.is_alive()
    if failure:
        raise failure[0]
    result: T = outcome[0]
    return result


def test_a_first_preference_set_twice_at_once(stores: Stores) -> None:
    people = stores.accounts

    def first(connection: Connection) -> None:
        connection.execute(insert(preferences).values(account_id=PERSON, language="fr"))

    second_of_two(
        stores, first, lambda: people.prefs.update_preferences(PERSON, language="en")
    )
    assert people.prefs.preferences(PERSON).language == "en"


def test_a_calendar_link_made_twice_at_once(stores: Stores) -> None:
    people = stores.accounts

    def first(connection: Connection) -> None:
        connection.execute(
            insert(calendar_feeds).values(
                token_hash=digest("the first link"), account_id=PERSON, created_at=T0
            )
        )

    token = second_of_two(
        stores, first, lambda: people.feeds.new_calendar_token(PERSON, now=T0)
    )
    with people.engine.connect() as connection:
        kept = connection.scalars(
            select(calendar_feeds.c.token_hash).where(
                calendar_feeds.c.account_id == PERSON
            )
        ).all()
    # The second link replaced the first: only the one the person was shown works.
    assert kept == [digest(token)]


def test_a_second_factor_started_twice_at_once(stores: Stores) -> None:
    people = stores.accounts

    def first(connection: Connection) -> None:
        connection.execute(
            insert(totp_factors).values(
                account_id=PERSON,
                sealed_secret="sealed elsewhere",
                created_at=T0,
                enabled_at=None,
                last_step=0,
            )
        )

    secret = second_of_two(
        stores, first, lambda: people.factors.start_second_factor(PERSON)
    )
    factor = people.factors.second_factor(PERSON)
    assert factor is not None
    assert factor.secret == secret  # the second start's secret, awaiting its code
    assert not people.factors.has_second_factor(PERSON)


def test_a_password_given_twice_at_once_before_the_code(stores: Stores) -> None:
    people = stores.accounts

    def first(connection: Connection) -> None:
        connection.execute(
            insert(pending_logins).values(
                session_hash=digest("session"),
                account_id=PERSON,
                next_path="/first",
                expires_at=T0 + timedelta(minutes=5),
            )
        )

    second_of_two(
        stores,
        first,
        lambda: people.pending.begin_pending_login("session", PERSON, "/second"),
    )
    pending = people.pending.pending_login("session")
    assert pending is not None
    assert pending.next_path == "/second"


def test_one_address_signed_up_twice_at_once(stores: Stores) -> None:
    people = stores.accounts

    def first(connection: Connection) -> None:
        connection.execute(
            insert(accounts).values(
                account_id=PERSON,
                email="camille@example.org",
                display_name="Camille",
                password_hash="hashed elsewhere",
                is_admin=False,
                disabled=False,
                sessions_valid_after=T0,
                created_at=T0,
            )
        )

    with pytest.raises(EmailTaken):
        second_of_two(
            stores,
            first,
            lambda: people.create_account(
                "Camille@example.org", "Camille B.", "a long enough password", now=T0
            ),
        )
    assert people.count() == 1


def test_one_account_erased_twice_at_once(stores: Stores) -> None:
    people = stores.accounts
    camille = people.create_account(
        "camille@example.org", "Camille", "a long enough password", now=T0
    )
    people.prefs.update_preferences(camille.account_id, language="fr")

    def first(connection: Connection) -> None:
        assert erase_person(connection, camille.account_id, now=T0)

    # The second request finds the account erased by the first: nothing to do.
    erased = second_of_two(
        stores, first, lambda: stores.usecases.erasure.erase(camille.account_id)
    )
    assert erased is False
    assert people.is_erased(camille.account_id)
    assert people.by_id(camille.account_id) is None


def test_a_conflict_that_stays_is_not_hidden(stores: Stores) -> None:
    """A row that was there all along is no simultaneous write: the error stands
    after the few runs a simultaneous write would need."""
    engine = stores.accounts.engine
    with engine.begin() as connection:
        connection.execute(insert(preferences).values(account_id=PERSON))
    runs: list[int] = []

    def write(connection: Connection) -> None:
        runs.append(1)
        connection.execute(insert(preferences).values(account_id=PERSON))

    with pytest.raises(IntegrityError) as raised:
        write_rerunning_duplicates(engine, write)
    assert is_duplicate(raised.value)
    assert len(runs) == ATTEMPTS


def test_only_a_duplicate_is_run_again(stores: Stores) -> None:
    """A write that misses a required value fails the same way each time: it runs
    once, and its error reaches the caller as it was."""
    runs: list[int] = []

    def write(connection: Connection) -> None:
        runs.append(1)
        connection.execute(
            insert(calendar_feeds).values(token_hash="t" * 64, account_id=PERSON)
        )

    with pytest.raises(IntegrityError) as raised:
        write_rerunning_duplicates(stores.accounts.engine, write)
    assert not is_duplicate(raised.value)
    assert len(runs) == 1
    with stores.accounts.engine.connect() as connection:
        assert connection.execute(select(calendar_feeds)).first() is None
