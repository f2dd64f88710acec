"""A tagged page's one statement: the browser's session, and the page's facts with
the unread count of the session's person.

A tagged page (``web.routes.conditional``) needs, before it can answer 304, who
asks (the session of the cookie: live, its account, its preferences) and then
that person's membership, the consortium's position and the layout's facts with
the unread count (``notifications.page_unread``). Asked in turn, that was two
statements: on PostgreSQL two round trips, the whole of a 304's waiting. Here the
session is a common table expression of the page's statement, which reads the
person and the time they last marked everything read from it: one statement,
one round trip. A cookie that names no session gives no row; a session that is no
longer live (expired, revoked, its account disabled) is refused by the same
``web.identity.sessions.session_from_row`` as every other request's.

On PostgreSQL every table is in the one database. On SQLite the statement runs on
the read side's attached connection, which reaches ``app.db`` as
``notifications.page_unread.ATTACHED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import MetaData, Table, select

from notifications.page_unread import ATTACHED, counted, statement_with_unread
from projections.base import ReadConnection
from projections.driver_reads import DriverRead
from projections.json_list import DIALECTS
from projections.page_facts import PageFacts, page_facts_from
from web.identity.sessions import Session, session_from_row, session_query
from web.identity.tables import accounts, preferences, sessions
from web.identity.tokens import digest

_TABLES = (sessions, accounts, preferences)


def _tables(dialect: str) -> tuple[Table, Table, Table]:
    """The sessions, accounts and preferences, as the statement's connection
    reaches them."""
    if dialect == "postgresql":
        return _TABLES
    attached = MetaData()
    session, account, preference = (
        table.to_metadata(attached, schema=ATTACHED) for table in _TABLES
    )
    return session, account, preference


def _statement(dialect: str) -> DriverRead:
    who = session_query(_tables(dialect)).cte("who")
    person = select(who.c.account_id).scalar_subquery()
    seen = select(who.c.notifications_seen_at).scalar_subquery()
    page = statement_with_unread(
        seen, dialect, position=True, person=person, source=who
    )
    return DriverRead(page.add_columns(*who.c))


# Every tagged page and every 304 asks it: built once, run on the driver's cursor.
_STATEMENTS = {dialect: _statement(dialect) for dialect in DIALECTS}


@dataclass(frozen=True)
class TaggedFacts:
    """A person's live session, the page's facts and their unread count."""

    session: Session
    facts: PageFacts
    unread: int


def tagged_facts(
    connection: ReadConnection,
    token: str,
    consortium_id: str,
    tracking: str,
    reminder_limit: int,
    unread_limit: int,
    *,
    now: datetime,
) -> TaggedFacts | None:
    """The session of the cookie value ``token`` with the page's facts, or None
    unless it is a person's live session; ``tracking`` is the process's tracking
    names (``ReadSide.tracking_names``; ``page_facts_and_unread`` of
    ``notifications.page_unread`` says the rest)."""
    row = _STATEMENTS[connection.dialect.name].first(
        connection,
        {
            "hash": digest(token),
            "consortium_id": consortium_id,
            "names": tracking,
            "reminder_limit": reminder_limit,
            "unread_limit": unread_limit,
        },
    )
    session = session_from_row(token, row, now=now)
    if session is None or session.account is None:
        return None
    facts = page_facts_from(row, consortium_id, session.account.account_id)
    return TaggedFacts(session, facts, counted(row, unread_limit))
