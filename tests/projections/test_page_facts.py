"""A tagged page's facts in one statement: the membership, the consortium's
position (None while the projections differ) and the portfolio flag, as the three
separate questions answer them; on every store."""

from __future__ import annotations

from sqlalchemy import update

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole
from projections.base import tracking
from projections.freshness import consortium_position
from projections.members import role_of
from projections.page_facts import PageFacts, page_facts
from projections.portfolio import funds_any
from projections.runtime import ReadSide
from tests.support.builders import (
    admitted_partner,
    founded_consortium,
    person_in_role,
)


def asked_apart(
    read_side: ReadSide, consortium_id: str, account_id: str, names: list[str]
) -> PageFacts:
    with read_side.engine.connect() as connection:
        return PageFacts(
            role_of(connection, consortium_id, account_id),
            consortium_position(connection, consortium_id, names),
            funds_any(connection, account_id),
        )


def test_one_statement_answers_as_the_three_questions(
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
        together = [page_facts(connection, str(c), a, names) for c, a in cases]
    apart = [asked_apart(read_side, str(c), a, names) for c, a in cases]

    assert together == apart
    assert [f.funds_any for f in together] == [True, True, False, False]
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
        facts = page_facts(connection, consortium_id, "acc-nobody", names)

    assert facts.position is None
    assert facts == asked_apart(read_side, consortium_id, "acc-nobody", names)
