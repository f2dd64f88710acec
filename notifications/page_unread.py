"""A consortium page's facts and the person's unread count, in one statement.

The menu of every page counts the person's unread notices and reminders
(``NoticeStore.unread``): the reminders are the read models', the notices and what
the person marked read are the accounts' store's. Counted apart, that is a
statement of its own after the page's facts (``projections.page_facts``): on
PostgreSQL a round trip of a tagged page's three (a third of its 304), on SQLite a
statement of three on another database. Here the count is two more columns of the
page's statement, the reminders it counts being the statement's own.

On PostgreSQL every table is in the one database. On SQLite the statement runs on
a connection of ``ReadSide.attached_engine``, which attaches ``app.db`` as
``ATTACHED`` (``web.ops.storage.attached_reads``: its own pool, never written
through).

The count is the same as ``NoticeStore.unread``'s: the notices created after
``since`` not marked read (counted up to the limit), and the reminders the layout
looks at not marked read (the tests compare the two on every store).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Integer,
    Label,
    MetaData,
    Table,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.sql.elements import BindParameter

from notifications.notice_store import notices, notification_reads
from projections.base import ReadConnection
from projections.driver_reads import DriverRead
from projections.json_list import DIALECTS, json_list
from projections.page_facts import PageFacts, page_facts_from, page_statement

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


def _unread_columns(since: bool, dialect: str, reminders: CTE) -> Sequence[Label[Any]]:
    """The unread notices (up to ``unread_limit``) and the unread ones of
    ``reminders``."""
    notice, read = _tables(dialect)
    person: BindParameter[str] = bindparam("account_id")
    unread = select(notice.c.notice_id).where(
        notice.c.account_id == person,
        ~exists().where(
            read.c.account_id == person, read.c.item_id == notice.c.notice_id
        ),
    )
    if since:
        unread = unread.where(notice.c.created_at > bindparam("since"))
    limited = unread.limit(bindparam("unread_limit", type_=Integer)).subquery()
    reminders_unread = (
        select(func.count())
        .select_from(reminders)
        .where(
            ~exists().where(
                read.c.account_id == person,
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


def _statement(since: bool, dialect: str) -> DriverRead:
    def more(reminders: CTE) -> Sequence[Label[Any]]:
        return _unread_columns(since, dialect, reminders)

    return DriverRead(page_statement(since, dialect, position=True, more=more))


# Asked by every tagged page and its 304s: built once, run on the driver's cursor.
_PAGE = {
    (dialect, since): _statement(since, dialect)
    for dialect in DIALECTS
    for since in (False, True)
}


def page_facts_and_unread(
    connection: ReadConnection,
    consortium_id: str,
    account_id: str,
    projections: Collection[str],
    since: datetime | None,
    reminder_limit: int,
    unread_limit: int,
) -> tuple[PageFacts, int]:
    """``projections.page_facts.page_facts``, and the person's unread count as
    ``NoticeStore.unread`` gives it for the layout's reminders (up to
    ``unread_limit``), through a connection of ``ReadSide.attached_engine``."""
    row = _PAGE[connection.dialect.name, since is not None].one(
        connection,
        {
            "consortium_id": consortium_id,
            "account_id": account_id,
            "names": json_list(projections),
            "since": since,
            "reminder_limit": reminder_limit,
            "unread_limit": unread_limit,
        },
    )
    unread = int(row.notices_unread) + int(row.reminders_unread)
    return page_facts_from(row, consortium_id, account_id), min(unread, unread_limit)
