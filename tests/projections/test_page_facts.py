"""A page's facts in one statement: the membership, the consortium's position (None
while the projections differ), the portfolio flag and the person's reminders, as
the separate questions answer them; the membership and the layout's facts alone
(an untagged page's); on every store."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Label, event, func, insert, literal_column, select, update

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole
from projections.base import ReadConnection, tracking
from projections.driver_reads import DriverRead
from projections.history.tables import history
from projections.json_list import json_list
from projections.members import MembershipRow, role_of
from projections.page_facts import (
    LayoutFacts,
    PageFacts,
    member_facts_from,
    page_facts_from,
    page_statement,
)
from projections.portfolio import funds_any
from projections.reminders import reminders
from projections.runtime import ReadSide
from tests.support.builders import (
    admitted_partner,
    founded_consortium,
    person_in_role,
)

NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)
_BUILT: dict[tuple[str, bool, bool], DriverRead] = {}


def asked(
    connection: ReadConnection,
    consortium_id: str | None,
    account_id: str,
    since: datetime | None,
    limit: int,
    names: list[str] | None = None,
) -> Any:
    """The row of ``page_statement``, with the position if ``names`` are given; each
    statement built once, as the application builds them."""
    key = (connection.dialect.name, since is not None, names is not None)
    if key not in _BUILT:
        statement = page_statement(
            key[1], key[0], position=key[2], more=functools.partial(_ids, key[0])
        )
        _BUILT[key] = DriverRead(statement)
    return _BUILT[key].one(
        connection,
        {
            "consortium_id": consortium_id,
            "account_id": account_id,
            "names": json_list(names or []),
            "since": since,
            "reminder_limit": limit,
        },
    )


def _ids(dialect: str, limited: CTE) -> list[Label[Any]]:
    """The reminders the statement gives its callers' columns, joined (the test's
    own column: the application counts them, ``notifications.page_unread``)."""
    comma = literal_column("','")
    joined = (
        func.string_agg(limited.c.reminder_id, comma)
        if dialect == "postgresql"
        else func.group_concat(limited.c.reminder_id, comma)
    )
    return [select(joined).scalar_subquery().label("reminder_ids")]


def reminded(row: Any) -> list[str]:
    """The reminder ids of a row of ``asked``, sorted."""
    return sorted(row.reminder_ids.split(",")) if row.reminder_ids else []


def page_facts(
    connection: ReadConnection,
    consortium_id: str,
    account_id: str,
    names: list[str],
    since: datetime | None,
    limit: int,
) -> PageFacts:
    row = asked(connection, consortium_id, account_id, since, limit, names)
    return page_facts_from(row, consortium_id, account_id)


def member_facts(
    connection: ReadConnection,
    consortium_id: str,
    account_id: str,
    since: datetime | None,
    limit: int,
) -> tuple[MembershipRow | None, LayoutFacts]:
    row = asked(connection, consortium_id, account_id, since, limit)
    return member_facts_from(row, consortium_id, account_id)


def layout_facts(
    connection: ReadConnection, account_id: str, since: datetime | None, limit: int
) -> LayoutFacts:
    """A page outside any consortium: no membership, the layout's facts."""
    row = asked(connection, None, account_id, since, limit)
    membership, layout = member_facts_from(row, None, account_id)
    assert membership is None
    return layout


def asked_apart(
    read_side: ReadSide, consortium_id: str, account_id: str, names: list[str]
) -> PageFacts:
    with read_side.engine.connect() as connection:
        last = connection.scalar(
            select(func.max(history.c.position)).where(
                history.c.consortium_id == consortium_id
            )
        )
        reached = set(
            connection.scalars(
                select(tracking.c.position).where(tracking.c.name.in_(names))
            )
        )
        return PageFacts(
            role_of(connection, consortium_id, account_id),
            (last or 0) if len(reached) == 1 else None,
            LayoutFacts(funds_any(connection, account_id)),
        )


def test_one_statement_answers_as_the_questions_asked_apart(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    funded = founded_consortium(app, coordinator)
    other = founded_consortium(app, coordinator)
    person_in_role(app, coordinator, funded, "acc-funder", MemberRole.FINANCER)
    partner = admitted_partner(app, coordinator, other)
    person_in_role(app, coordinator, other, "acc-member", MemberRole.MEMBER, partner)
    read_side.catch_up()
    names = list(read_side.projections)

    cases = [
        (funded, "acc-funder"),  # a financer here
        (other, "acc-funder"),  # not a member here, funds another consortium
        (other, "acc-member"),  # a member, funds none
        (funded, "acc-nobody"),  # no role anywhere
    ]
    with read_side.engine.connect() as connection:
        together = [
            page_facts(connection, str(c), a, names, None, 10) for c, a in cases
        ]
        members = [member_facts(connection, str(c), a, None, 10) for c, a in cases]
    apart = [asked_apart(read_side, str(c), a, names) for c, a in cases]

    assert together == apart
    assert members == [(f.membership, f.layout) for f in apart]
    assert [f.layout.funds_any for f in together] == [True, True, False, False]
    assert together[0].membership is not None
    assert together[0].membership.role is MemberRole.FINANCER
    assert together[1].membership is None
    assert together[2].membership is not None
    assert together[2].membership.partner_id == partner
    assert together[0].position == together[3].position
    assert together[0].position is not None


def test_no_position_while_the_projections_differ(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    consortium_id = str(founded_consortium(app, coordinator))
    read_side.catch_up()
    names = list(read_side.projections)
    with read_side.engine.begin() as connection:
        connection.execute(
            update(tracking).where(tracking.c.name == names[0]).values(position=0)
        )
    with read_side.engine.connect() as connection:
        facts = page_facts(connection, consortium_id, "acc-nobody", names, None, 10)

    assert facts.position is None
    assert facts == asked_apart(read_side, consortium_id, "acc-nobody", names)


def a_reminder(number: int, recipient: str, hours: int) -> dict[str, object]:
    return {
        "reminder_id": f"00000000-0000-0000-0000-{number:012d}",
        "consortium_id": "c",
        "obligation_id": "o",
        "due_on": date(2026, 12, 1),
        "stage": 1,
        "recipient_id": recipient,
        "escalation": 0,
        "requested_at": NOON + timedelta(hours=hours),
    }


def test_the_reminders_since_a_moment_up_to_a_limit(read_side: ReadSide) -> None:
    rows = [a_reminder(n, "acc-pilot", hours=n) for n in range(5)]
    with read_side.engine.begin() as connection:
        connection.execute(insert(reminders), [*rows, a_reminder(9, "acc-other", 9)])
    ids = [str(r["reminder_id"]) for r in rows]
    names = list(read_side.projections)

    with read_side.engine.connect() as connection:
        everything = reminded(asked(connection, None, "acc-pilot", None, 10))
        since = reminded(
            asked(connection, None, "acc-pilot", NOON + timedelta(hours=2), 10)
        )
        limited = reminded(asked(connection, None, "acc-pilot", None, 3))
        nothing = asked(connection, None, "acc-nobody", None, 10)
        on_a_page = reminded(
            asked(connection, "c", "acc-pilot", NOON + timedelta(hours=2), 10, names)
        )
        with_membership = reminded(
            asked(connection, "c", "acc-pilot", NOON + timedelta(hours=2), 10)
        )

    assert everything == ids
    assert since == ids[3:]
    assert len(limited) == 3
    assert set(limited) <= set(ids)
    assert reminded(nothing) == []
    assert member_facts_from(nothing, None, "acc-nobody") == (
        None,
        LayoutFacts(funds_any=False),
    )
    assert on_a_page == since
    assert with_membership == since


def test_the_statements_render_nothing_per_call(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    # Every page asks one of them: an expanding IN (the tracking names) or a string
    # argument (the reminders' separator) would be rendered into the statement on
    # every call; one JSON array and a separator written in it keep one statement.
    consortium_id = str(founded_consortium(app, coordinator))
    read_side.catch_up()
    names = list(read_side.projections)
    seen: list[str] = []
    rendered: list[object] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))
        # Statements run on the driver's cursor (``DriverRead``) have no execution
        # context: compiled once, they refuse such parameters when built.
        compiled = args[4].compiled if args[4] is not None else None
        if compiled is not None:
            rendered.extend(compiled.literal_execute_params)
            rendered.extend(compiled.post_compile_params)

    event.listen(read_side.engine, "before_cursor_execute", record)
    try:
        with read_side.engine.connect() as connection:
            facts = [
                page_facts(connection, consortium_id, "acc-nobody", asked, None, 10)
                for asked in (names, names[:1], [*names, "a projection not here"])
            ]
            member_facts(connection, consortium_id, "acc-nobody", NOON, 10)
            layout_facts(connection, "acc-nobody", None, 10)
    finally:
        event.remove(read_side.engine, "before_cursor_execute", record)

    asked = [s for s in seen if s.strip().upper() not in {"BEGIN", "ROLLBACK"}]
    assert len(asked) == 5
    assert asked[0] == asked[1] == asked[2]
    assert rendered == []
    assert facts[0].position is not None
    assert facts[0] == facts[1] == facts[2]
    assert facts[0] == asked_apart(read_side, consortium_id, "acc-nobody", names)
