"""A prebuilt read run on the driver's cursor answers as SQLAlchemy's execution
does (the same columns, converted alike, parameters converted alike), is seen by
the engine's events, raises SQLAlchemy's errors, and refuses what it cannot run; on
every store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    Select,
    bindparam,
    column,
    event,
    func,
    insert,
    literal,
    select,
    table,
)
from sqlalchemy.exc import DBAPIError

from projections.driver_reads import DriverRead
from projections.json_list import json_list, json_values
from projections.reminders import reminders
from projections.runtime import ReadSide

NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
SECOND = "00000000-0000-0000-0000-000000000002"
FOURTH = "00000000-0000-0000-0000-000000000003"


def a_reminder(number: int, hours: int, sent: bool) -> dict[str, object]:
    return {
        "reminder_id": f"00000000-0000-0000-0000-{number:012d}",
        "consortium_id": "c",
        "obligation_id": "o",
        "due_on": date(2026, 12, 1) + timedelta(days=number),
        "stage": number,
        "recipient_id": "acc-pilot",
        "escalation": 0,
        "requested_at": NOON + timedelta(hours=hours, microseconds=number),
        "sent_at": NOON + timedelta(hours=hours + 1) if sent else None,
    }


def statements(dialect: str) -> list[Select[Any]]:
    """Dates and moments (a type of our own), counts, a literal, a JSON list, a
    moment as parameter, a labelled column, a scalar subquery."""
    since = bindparam("since", type_=reminders.c.requested_at.type)
    return [
        select(reminders).where(reminders.c.reminder_id == bindparam("id")),
        select(
            func.count().label("many"),
            func.max(reminders.c.requested_at).label("latest"),
            literal(7).label("seven"),
        ).where(
            reminders.c.requested_at > since,
            reminders.c.reminder_id.in_(json_values("ids", dialect)),
        ),
        select(
            reminders.c.due_on.label("day"),
            select(func.count())
            .select_from(reminders)
            .where(reminders.c.sent_at.is_not(None))
            .scalar_subquery()
            .label("sent"),
        )
        .order_by(reminders.c.due_on.desc())
        .limit(1),
    ]


@pytest.fixture
def filled(read_side: ReadSide) -> ReadSide:
    rows = [a_reminder(n, hours=n, sent=n % 2 == 0) for n in range(4)]
    with read_side.engine.begin() as connection:
        connection.execute(insert(reminders), rows)
    return read_side


def test_the_rows_are_sqlalchemys_rows(filled: ReadSide) -> None:
    dialect = filled.engine.dialect.name
    chosen = ["00000000-0000-0000-0000-000000000001", SECOND, FOURTH]
    parameters: list[dict[str, Any]] = [
        {"id": SECOND},
        # A moment in Paris: made the stored UTC by its type, as SQLAlchemy does.
        {
            "since": (NOON + timedelta(minutes=90)).astimezone(PARIS),
            "ids": json_list(chosen),
        },
        {},
    ]
    with filled.engine.connect() as connection:
        for statement, asked in zip(statements(dialect), parameters, strict=True):
            expected = connection.execute(statement, asked).one()
            read = DriverRead(statement)
            for _ in range(2):  # compiled, then reused
                found = read.one(connection, asked)
                assert found == tuple(expected)
                assert found._fields == tuple(expected._fields)
                assert [type(v) for v in found] == [type(v) for v in expected]
        moment = DriverRead(statements(dialect)[0]).one(connection, {"id": SECOND})
        counted = DriverRead(statements(dialect)[1]).one(connection, parameters[1])
    assert moment.requested_at == NOON + timedelta(hours=2, microseconds=2)
    assert moment.requested_at.tzinfo is not None
    assert moment.due_on == date(2026, 12, 3)
    # Two of the three chosen were requested after the moment given.
    assert (counted.many, counted.seven) == (2, 7)
    assert counted.latest == NOON + timedelta(hours=3, microseconds=3)


def test_no_row_is_none_and_one_raises(filled: ReadSide) -> None:
    read = DriverRead(statements(filled.engine.dialect.name)[0])
    with filled.engine.connect() as connection:
        assert read.first(connection, {"id": "nobody"}) is None
        with pytest.raises(LookupError):
            read.one(connection, {"id": "nobody"})


def test_the_engines_events_see_the_statement(filled: ReadSide) -> None:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    read = DriverRead(statements(filled.engine.dialect.name)[0])
    event.listen(filled.engine, "before_cursor_execute", record)
    try:
        with filled.engine.connect() as connection:
            read.first(connection, {"id": "nobody"})
    finally:
        event.remove(filled.engine, "before_cursor_execute", record)

    assert len(seen) == 1
    assert "reminders" in seen[0]


def test_a_database_error_is_sqlalchemys(filled: ReadSide) -> None:
    missing = DriverRead(select(column("x")).select_from(table("no_such_table")))
    with filled.engine.connect() as connection:
        with pytest.raises(DBAPIError):
            missing.first(connection, {})
        connection.rollback()
        # The connection is still usable.
        assert DriverRead(select(literal(1).label("one"))).one(connection, {}) == (1,)


def test_an_expanding_parameter_is_refused(filled: ReadSide) -> None:
    expanding = DriverRead(
        select(reminders.c.stage).where(reminders.c.reminder_id.in_(["a", "b"]))
    )
    with (
        filled.engine.connect() as connection,
        pytest.raises(ValueError, match="expanding"),
    ):
        expanding.first(connection, {})
