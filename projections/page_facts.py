"""What a consortium page's tag asks of the read models, in one statement.

A tagged page (``web.routes.conditional``) needs, before anything else, the
person's membership of the consortium (access, and the role its tag names), how far
the consortium's read models go (``projections.freshness``), and whether the person
funds any consortium (the menu's portfolio link). Asked together: one statement on
SQLite, one round trip on PostgreSQL, instead of three.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, literal, select

from governance.values import MemberRole
from projections.base import ReadConnection
from projections.freshness import POSITION_COLUMNS, position_from
from projections.members import MembershipRow, memberships
from projections.portfolio import FUNDS_ANY


@dataclass(frozen=True)
class PageFacts:
    """The membership (None: not a member), the consortium's position (None while
    the projections differ) and the portfolio flag."""

    membership: MembershipRow | None
    position: int | None
    funds_any: bool


_ONE_ROW = select(literal(1).label("one")).subquery()
# Built once: every tagged page asks it.
_FACTS = select(
    memberships.c.role,
    memberships.c.partner_id,
    memberships.c.since,
    *POSITION_COLUMNS,
    FUNDS_ANY.exists().label("funds_any"),
).select_from(
    _ONE_ROW.outerjoin(
        memberships,
        and_(
            memberships.c.consortium_id == bindparam("consortium_id"),
            memberships.c.account_id == bindparam("account_id"),
        ),
    )
)


def page_facts(
    connection: ReadConnection,
    consortium_id: str,
    account_id: str,
    projections: Collection[str],
) -> PageFacts:
    """The facts a tagged page of ``consortium_id`` needs for ``account_id``, with
    ``projections`` the process's projection (tracking) names."""
    row = connection.execute(
        _FACTS,
        {
            "consortium_id": consortium_id,
            "account_id": account_id,
            "names": list(projections),
        },
    ).one()
    membership = (
        None
        if row.role is None
        else MembershipRow(
            consortium_id,
            account_id,
            MemberRole(row.role),
            row.partner_id,
            row.since,
        )
    )
    return PageFacts(
        membership,
        position_from(row.last_position, row.lowest_position, row.highest_position),
        bool(row.funds_any),
    )
