"""The log read through the catching up's own connection, where the read models
share the log's PostgreSQL database (``projections.log_in_database``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, event

from governance.actor import Actor
from governance.application import Governance
from projections.catalogue import all_projections
from projections.event_log import LibraryEventLog
from projections.log_in_database import events_table
from projections.runtime import ReadSide
from tests.projections.test_audit_chain import chain_rows, expected_chain
from tests.support.builders import a_lived_consortium
from tests.support.fakes import FixedClock
from web.ops.storage import sqlalchemy_url, sqlite_engine


@pytest.fixture
def shared(
    store: str, app: Governance, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """The read models' engine: on PostgreSQL the log's own database."""
    if store == "postgres":
        engine = create_engine(sqlalchemy_url(request.getfixturevalue("postgres_url")))
    else:
        engine = sqlite_engine(request.getfixturevalue("tmp_path") / "read.db")
    yield engine
    engine.dispose()


def statements_of(engine: Engine) -> list[str]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_the_log_read_through_the_connection_gives_what_the_library_reads(
    app: Governance, coordinator: Actor, clock: FixedClock, shared: Engine
) -> None:
    a_lived_consortium(app, coordinator, clock)
    library = LibraryEventLog(app.recorder, app.mapper)
    through = LibraryEventLog(app.recorder, app.mapper, shares_database=True)
    last = library.last_position()

    with shared.connect() as connection:
        for after, limit in [(0, 1_000), (0, 7), (5, 3), (last - 2, 10), (last, 5)]:
            read = through.read(after, limit, connection)
            expected = library.read(after, limit)
            assert [(e.position, e.stored) for e in read] == [
                (e.position, e.stored) for e in expected
            ]
            assert [e.event for e in read] == [e.event for e in expected]
    assert len(expected) == 0  # the last read was past the end


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_a_catch_up_reads_the_log_in_its_own_transaction(
    app: Governance,
    coordinator: Actor,
    clock: FixedClock,
    shared: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_lived_consortium(app, coordinator, clock)

    def not_through_the_library(*args: object, **kwargs: object) -> None:
        raise AssertionError("the log was read through a connection of its own")

    read_side = ReadSide(
        shared,
        LibraryEventLog(app.recorder, app.mapper, shares_database=True),
        all_projections(),
    )
    read_side.create_tables()
    seen = statements_of(read_side.writer)
    monkeypatch.setattr(app.recorder, "select_notifications", not_through_the_library)

    read_side.catch_up(batch_size=4)

    log_reads = [s for s in seen if "governance_events" in s]
    # Each full batch, then the one that found fewer than four (or none).
    assert len(log_reads) == app.recorder.max_notification_id() // 4 + 1
    monkeypatch.undo()
    assert chain_rows(read_side) == expected_chain(app)


def test_a_log_kept_apart_is_read_by_the_library(
    store: str, app: Governance, coordinator: Actor, clock: FixedClock, shared: Engine
) -> None:
    # SQLite keeps its log in a file of its own; in memory there is no database.
    if store == "postgres":
        assert events_table(app.recorder) == ("public", "governance_events")
        return
    assert events_table(app.recorder) is None
    a_lived_consortium(app, coordinator, clock)
    log = LibraryEventLog(app.recorder, app.mapper, shares_database=True)
    with shared.connect() as connection:
        assert [e.position for e in log.read(0, 1_000, connection)] == list(
            range(1, app.recorder.max_notification_id() + 1)
        )
