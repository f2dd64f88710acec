"""A batch learns what its handlers look up before it begins, in one statement per
table, not one per event: whether a body replaces another, whether its consortium
has a steering body yet, whether a call's closing dates are known. On PostgreSQL
each statement saved is a round trip, hundreds in a rebuild."""

from __future__ import annotations

from sqlalchemy import select

from governance.actor import Actor
from governance.application import Governance
from projections.application_deadlines import application_deadlines
from projections.decisions import bodies
from projections.reminders import steering_bodies
from projections.runtime import ReadSide
from tests.support.builders import (
    a_call,
    a_partner_identity,
    a_rule,
    admitted_partner,
    founded_consortium,
)
from tests.support.statements import statements_sent

LOOKED_UP = ("bodies", "steering_bodies", "application_deadlines")


def lookups_of_one_batch(read_side: ReadSide) -> list[str]:
    """The statements of one catching up that read or delete rows of those tables
    (the rows they insert are written together, at the end)."""
    with statements_sent(read_side.writer) as sent:
        read_side.catch_up()
    return [
        s
        for s in sent
        if s.split()[0].upper() in {"SELECT", "DELETE"}
        and any(table in s.split() for table in LOOKED_UP)
    ]


def consortia_with_bodies(app: Governance, coordinator: Actor, count: int) -> None:
    for n in range(count):
        cid = founded_consortium(app, coordinator, name=f"Consortium {n}")
        partner = admitted_partner(app, coordinator, cid)
        for name in ("COPIL", "Comité technique"):
            app.establish_body(
                coordinator, cid, name=name, members={partner: 1}, rule=a_rule()
            )


def test_a_batch_looks_up_bodies_and_closing_dates_once_per_table(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    consortia_with_bodies(app, coordinator, 2)
    few = lookups_of_one_batch(read_side)
    consortia_with_bodies(app, coordinator, 6)
    many = lookups_of_one_batch(read_side)

    assert len(many) == len(few) <= len(LOOKED_UP)
    with read_side.engine.connect() as connection:
        assert len(connection.execute(select(bodies)).all()) == 16
        # The first body of each consortium steers it.
        steering = connection.execute(select(steering_bodies.c.body_id)).scalars()
        names = dict(connection.execute(select(bodies.c.body_id, bodies.c.name)).all())
        assert sorted(names[b] for b in steering) == ["COPIL"] * 8
        deadlines = connection.execute(select(application_deadlines)).all()
        assert len(deadlines) == 8 * len(a_call().closing_dates)


def test_a_commands_own_batch_asks_for_the_label_it_names_alone(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    cid = founded_consortium(app, coordinator)
    partners = [
        admitted_partner(app, coordinator, cid, a_partner_identity(name=f"P{n}"))
        for n in range(5)
    ]
    read_side.catch_up()
    app.change_partner_axis(coordinator, cid, partners[2], "Évaluation")
    with statements_sent(read_side.writer) as sent:
        read_side.catch_up()  # one event: its batch loads nothing before it
    seen = [s for s in sent if "history_labels" in s.split()]

    # Not every label of the consortium: the one the line names.
    assert len(seen) == 1
    assert "history_labels.subject_id =" in seen[0]
