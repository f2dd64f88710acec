"""The statement every page of a logged-in person begins with.

Every page's menu shows whether the person funds any consortium (the portfolio
link) and counts their unread notices and reminders: the reminders are the read
models'. A consortium's page needs besides, before anything
else, the person's membership of it (access, and the role), and a tagged page
(``web.routes.conditional``) how far the consortium's read models go
(``projections.freshness``). ``page_statement`` asks them together, with the
columns a caller adds over the same reminders: the unread count, whose notices
and read marks are the accounts' store's (``notifications.page_unread``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Label,
    Select,
    and_,
    bindparam,
    literal,
    or_,
    select,
)

from governance.values import MemberRole
from projections.freshness import position_columns, position_from
from projections.members import MembershipRow, memberships
from projections.portfolio import funds_any_query
from projections.reminders import reminders


@dataclass(frozen=True)
class LayoutFacts:
    """Whether the person funds any consortium (the menu's portfolio link); their
    reminders are counted with the notices (``notifications.page_unread``)."""

    funds_any: bool


@dataclass(frozen=True)
class PageFacts:
    """The membership (None: not a member), the consortium's position (None while
    the projections differ) and the layout's facts."""

    membership: MembershipRow | None
    position: int | None
    layout: LayoutFacts


Since = bool | ColumnElement[Any]
"""Since when a page's statement counts (``after``): not at all (False), after the
bound ``since`` (True), or after an expression, which may be NULL (never)."""


def person_or_bound(person: ColumnElement[str] | None) -> ColumnElement[str]:
    """Who a page's statement is about: ``person``, or the bound ``account_id``."""
    return bindparam("account_id") if person is None else person


def after(column: ColumnElement[Any], since: Since) -> ColumnElement[bool] | None:
    """The condition that ``column`` comes after ``since`` (None: none)."""
    if since is False:
        return None
    if since is True:
        return column > bindparam("since")
    return or_(since.is_(None), column > since)


def _reminders_since(since: Since, person: ColumnElement[str] | None) -> CTE:
    """The person's reminders (after ``since`` if asked), up to the limit: a common
    table expression, made once however many columns read it."""
    wanted = select(reminders.c.reminder_id).where(
        reminders.c.recipient_id == person_or_bound(person)
    )
    condition = after(reminders.c.requested_at, since)
    if condition is not None:
        wanted = wanted.where(condition)
    return wanted.limit(bindparam("reminder_limit", type_=Integer)).cte()


_ONE_ROW = select(literal(1).label("one")).subquery()


MoreColumns = Callable[[CTE], Sequence[Label[Any]]]
"""Columns a caller adds to a page's statement (``page_statement``), given the
person's reminders the layout counts (a common table expression of
``reminder_id``)."""


def page_statement(
    since: Since,
    dialect: str,
    *,
    position: bool,
    more: MoreColumns | None = None,
    person: ColumnElement[str] | None = None,
    source: FromClause | None = None,
) -> Select[Any]:
    """A page's statement: the membership, the consortium's position if asked
    (``page_facts_from`` reads them, else ``member_facts_from``), the portfolio
    flag and ``more``, given the person's reminders the layout counts.

    Parameters: ``consortium_id`` (None: no membership), ``account_id`` (unless
    ``person`` says who), ``since`` (if asked: reminders after it),
    ``reminder_limit`` and, with the position, ``names``, the process's tracking
    names as a ``json_list``. One row for each row of ``source`` (one row by
    default; a caller's to add its own columns, such as whom ``person`` reads).
    """
    limited = _reminders_since(since, person)
    return select(
        memberships.c.role,
        memberships.c.partner_id,
        memberships.c.since,
        *(position_columns(dialect) if position else ()),
        funds_any_query(person_or_bound(person)).exists().label("funds_any"),
        *(more(limited) if more is not None else ()),
    ).select_from(
        (_ONE_ROW if source is None else source).outerjoin(
            memberships,
            and_(
                memberships.c.consortium_id == bindparam("consortium_id"),
                memberships.c.account_id == person_or_bound(person),
            ),
        )
    )


def _layout_from(row: Any) -> LayoutFacts:
    return LayoutFacts(bool(row.funds_any))


def page_facts_from(row: Any, consortium_id: str, account_id: str) -> PageFacts:
    """The facts of a row of ``page_statement`` with the position."""
    return PageFacts(
        _membership_from(row, consortium_id, account_id),
        position_from(row.last_position, row.lowest_position, row.highest_position),
        _layout_from(row),
    )


def member_facts_from(
    row: Any, consortium_id: str | None, account_id: str
) -> tuple[MembershipRow | None, LayoutFacts]:
    """The facts of a row of ``page_statement`` without the position."""
    return _membership_from(row, consortium_id, account_id), _layout_from(row)


def _membership_from(
    row: Any, consortium_id: str | None, account_id: str
) -> MembershipRow | None:
    if row.role is None or consortium_id is None:
        return None
    return MembershipRow(
        consortium_id, account_id, MemberRole(row.role), row.partner_id, row.since
    )
