"""A page's facts and the person's unread count, in one statement.

The menu of every page counts the person's unread notices and reminders: the
notices created after they last marked everything read and not marked read one by
one, and the reminders the layout looks at (``projections.page_facts``) not marked
read, up to the badge's limit. The reminders are the read models'; the notices and
the read marks are the accounts' store's. Counted apart, that was a statement of
its own after the page's facts: on PostgreSQL a round trip of a tagged page's
three (a third of its 304), on SQLite a statement of three on another database.
Here the count is two more columns of the page's statement
(``projections.page_facts.page_statement``), the reminders it counts being the
statement's own.

On PostgreSQL every table is in the one database. On SQLite the statement runs on
a connection of ``ReadSide.attached_engine``, which attaches ``app.db`` as
``ATTACHED`` (``web.ops.storage.attached_reads``: its own pool, never written
through).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Label,
    MetaData,
    Select,
    Table,
    bindparam,
    exists,
    func,
    select,
)

from notifications.notice_store import notices, notification_reads
from projections.base import ReadConnection
from projections.driver_reads import DriverRead
from projections.json_list import DIALECTS
from projections.members import MembershipRow
from projections.page_facts import (
    LayoutFacts,
    PageFacts,
    Since,
    after,
    member_facts_from,
    page_facts_from,
    page_statement,
    person_or_bound,
)

ATTACHED = "accounts"
"""The name under which SQLite's attached reads see ``app.db``."""


def _tables(dialect: str) -> tuple[Table, Table]:
    """The notices and the read marks, as the statement's connection reaches them."""
    if dialect == "postgresql":
        return notices, notification_reads
    attached = MetaData()
    return (
        notices.to_metadata(attached, schema=ATTACHED),
        notification_reads.to_metadata(attached, schema=ATTACHED),
    )


def _unread_columns(
    since: Since, dialect: str, reminders: CTE, person: ColumnElement[str] | None
) -> Sequence[Label[Any]]:
    """The unread notices (up to ``unread_limit``) and the unread ones of
    ``reminders``."""
    notice, read = _tables(dialect)
    who = person_or_bound(person)
    unread = select(notice.c.notice_id).where(
        notice.c.account_id == who,
        ~exists().where(read.c.account_id == who, read.c.item_id == notice.c.notice_id),
    )
    condition = after(notice.c.created_at, since)
    if condition is not None:
        unread = unread.where(condition)
    limited = unread.limit(bindparam("unread_limit", type_=Integer)).subquery()
    reminders_unread = (
        select(func.count())
        .select_from(reminders)
        .where(
            ~exists().where(
                read.c.account_id == who,
                read.c.item_id == reminders.c.reminder_id,
            )
        )
    )
    return (
        select(func.count())
        .select_from(limited)
        .scalar_subquery()
        .label("notices_unread"),
        reminders_unread.scalar_subquery().label("reminders_unread"),
    )


def statement_with_unread(
    since: Since,
    dialect: str,
    *,
    position: bool,
    person: ColumnElement[str] | None = None,
    source: FromClause | None = None,
) -> Select[Any]:
    """``projections.page_facts.page_statement`` with the unread count's columns
    (``counted`` reads them), for a connection that reaches the notices (see the
    module's text)."""

    def more(reminders: CTE) -> Sequence[Label[Any]]:
        return _unread_columns(since, dialect, reminders, person)

    return page_statement(
        since,
        dialect,
        position=position,
        more=more,
        person=person,
        source=source,
    )


def _statement(since: bool, dialect: str, position: bool) -> DriverRead:
    return DriverRead(statement_with_unread(since, dialect, position=position))


# Every page asks one, a tagged page and its 304s with the position: built once,
# run on the driver's cursor.
_KEYS = [(dialect, since) for dialect in DIALECTS for since in (False, True)]
_PAGE = {(d, since): _statement(since, d, position=True) for d, since in _KEYS}
_MEMBER = {(d, since): _statement(since, d, position=False) for d, since in _KEYS}


def counted(row: Any, unread_limit: int) -> int:
    """The unread count of a row of ``statement_with_unread``, up to the limit."""
    return min(int(row.notices_unread) + int(row.reminders_unread), unread_limit)


def page_facts_and_unread(
    connection: ReadConnection,
    consortium_id: str,
    account_id: str,
    tracking: str,
    since: datetime | None,
    reminder_limit: int,
    unread_limit: int,
) -> tuple[PageFacts, int]:
    """A tagged page's facts (``projections.page_facts.page_facts_from``) and the
    person's unread count (up to ``unread_limit``), through a connection of
    ``ReadSide.attached_engine``; ``tracking`` is the process's tracking names
    (``ReadSide.tracking_names``) and ``since`` when the person last marked
    everything read."""
    row = _PAGE[connection.dialect.name, since is not None].one(
        connection,
        {
            "consortium_id": consortium_id,
            "account_id": account_id,
            "names": tracking,
            "since": since,
            "reminder_limit": reminder_limit,
            "unread_limit": unread_limit,
        },
    )
    facts = page_facts_from(row, consortium_id, account_id)
    return facts, counted(row, unread_limit)


def member_facts_and_unread(
    connection: ReadConnection,
    consortium_id: str | None,
    account_id: str,
    since: datetime | None,
    reminder_limit: int,
    unread_limit: int,
) -> tuple[MembershipRow | None, LayoutFacts, int]:
    """The membership (``projections.page_facts.member_facts_from``), the
    layout's facts and the unread count, as ``page_facts_and_unread``: an untagged
    page's first question; with no consortium (a page outside any), no
    membership."""
    row = _MEMBER[connection.dialect.name, since is not None].one(
        connection,
        {
            "consortium_id": consortium_id,
            "account_id": account_id,
            "since": since,
            "reminder_limit": reminder_limit,
            "unread_limit": unread_limit,
        },
    )
    membership, layout = member_facts_from(row, consortium_id, account_id)
    return membership, layout, counted(row, unread_limit)
