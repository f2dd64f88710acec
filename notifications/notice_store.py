"""The notices of the steps that wait on someone, and which ones a person has read.

A notice is one person told of one step (a vote opened, a report submitted …). The
notices live with the outbox in ``app.db`` (not in the read models): they are
derived once from the log (``notice_intake`` holds how far), so rebuilding the
projections neither loses them nor tells anyone twice. Each notice's id is
deterministic (the step and the person), so deriving it again keeps one.

``notification_reads`` holds what a person marked read, one by one: for notices and
for reminders alike (a reminder's id is its aggregate's). "All read" is the
person's ``notifications_seen_at`` preference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Insert,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from notifications.outbox import metadata
from projections.base import UtcDateTime
from projections.reading import without_transaction

notices = Table(
    "notices",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("consortium_id", String(36), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # How it reached the person: "email", "digest" or "in_app"; None while waiting.
    Column("channel", String(16)),
    Column("message_id", String(200)),
    Index("notices_by_account", "account_id", "created_at"),
    Index("notices_waiting", "channel", "created_at"),
)

notification_reads = Table(
    "notification_reads",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("read_at", UtcDateTime, nullable=False),
)

notice_intake = Table(
    "notice_intake",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
)

INTAKE = "notices"


# Bound parameters per statement stay well under SQLite's and PostgreSQL's limits.
_CHUNK = 500
_READ_AMONG = select(notification_reads.c.item_id).where(
    notification_reads.c.account_id == bindparam("account_id"),
    notification_reads.c.item_id.in_(bindparam("ids", expanding=True)),
)


@dataclass(frozen=True)
class Notice:
    """One person told of one step."""

    notice_id: str
    account_id: str
    consortium_id: str
    kind: str
    subject_id: str
    title: str
    detail: str
    created_at: datetime
    channel: str | None = None
    message_id: str | None = None


def _notice(r: object) -> Notice:
    m = r._mapping  # type: ignore[attr-defined]
    return Notice(**{c.name: m[c.name] for c in notices.columns})


class NoticeStore:
    """The notices, their intake position and the read marks, over ``app.db``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The read marks: asked by the notices' page (the header's count is asked
        # with the page's facts: ``notifications.page_unread``).
        self.reads = without_transaction(engine)

    def start(self, position: int) -> None:
        """Begin the intake at ``position`` unless it began already (idempotent).

        Called when the stores open, with the log's last position: an installation
        that gets notices tells nobody about the steps taken before.
        """
        # Every process start calls this: look first, so that only the very first
        # start inserts (a refused insert would log an error in PostgreSQL's log
        # at every start); two first starts at once are settled by the key.
        if self.started():
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(notice_intake).values(name=INTAKE, position=position)
                )
        except IntegrityError:
            pass

    def started(self) -> bool:
        """Whether the intake has begun."""
        with self.engine.connect() as connection:
            found = connection.scalar(
                select(notice_intake.c.name).where(notice_intake.c.name == INTAKE)
            )
        return found is not None

    def position(self) -> int:
        """How far in the log the notices are derived (0 before ``start``)."""
        with self.engine.connect() as connection:
            found = connection.scalar(
                select(notice_intake.c.position).where(notice_intake.c.name == INTAKE)
            )
        return int(found or 0)

    def take(self, old: int, new: int, found: Sequence[Notice]) -> bool:
        """Store the notices derived from the log between ``old`` and ``new``, and
        move the intake there, in one transaction; False if another run did it."""
        try:
            with self.engine.begin() as connection:
                moved = connection.execute(
                    update(notice_intake)
                    .where(notice_intake.c.name == INTAKE)
                    .where(notice_intake.c.position == old)
                    .values(position=new)
                ).rowcount
                if moved == 0 and old == 0:
                    connection.execute(
                        insert(notice_intake).values(name=INTAKE, position=new)
                    )
                elif moved != 1:
                    raise IntegrityError("notice intake moved", None, Exception())
                _insert(connection, found)
        except IntegrityError:
            return False
        return True

    def add(self, found: Sequence[Notice]) -> int:
        """Store notices not derived from the log (time-driven); returns how many
        were new (one already there is kept as it is)."""
        added = 0
        with self.engine.connect() as connection:
            known = (
                set(
                    connection.scalars(
                        select(notices.c.notice_id).where(
                            notices.c.notice_id.in_([n.notice_id for n in found])
                        )
                    )
                )
                if found
                else set()
            )
        for notice in (n for n in found if n.notice_id not in known):
            try:
                with self.engine.begin() as connection:
                    _insert(connection, [notice])
            except IntegrityError:
                continue
            added += 1
        return added

    def waiting(self, limit: int = 500) -> list[Notice]:
        """Notices not delivered yet, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(notices)
                .where(notices.c.channel.is_(None))
                .order_by(notices.c.created_at, notices.c.notice_id)
                .limit(limit)
            )
            return [_notice(r) for r in rows]

    def delivered(
        self,
        connection: Connection,
        notice_ids: Iterable[str],
        channel: str,
        message_id: str | None,
    ) -> None:
        """Mark notices delivered, in the caller's transaction (with their e-mail)."""
        ids = list(notice_ids)
        if ids:
            connection.execute(
                update(notices)
                .where(notices.c.notice_id.in_(ids), notices.c.channel.is_(None))
                .values(channel=channel, message_id=message_id)
            )

    def of_account(
        self, account_id: str, *, before: datetime | None = None, limit: int = 20
    ) -> list[Notice]:
        """A person's notices, newest first, paged by ``before`` (keyset)."""
        query = (
            select(notices)
            .where(notices.c.account_id == account_id)
            .order_by(notices.c.created_at.desc(), notices.c.notice_id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(notices.c.created_at < before)
        with self.engine.connect() as connection:
            return [_notice(r) for r in connection.execute(query)]

    def owned(self, account_id: str, notice_id: str) -> Notice | None:
        """One of a person's notices (None if it is not theirs)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(notices).where(
                    notices.c.notice_id == notice_id,
                    notices.c.account_id == account_id,
                )
            ).first()
        return _notice(row) if row is not None else None

    def owned_ids(self, account_id: str, notice_ids: Iterable[str]) -> set[str]:
        """Which of these notices are the person's."""
        wanted = list(set(notice_ids))
        if not wanted:
            return set()
        with self.engine.connect() as connection:
            return set(
                connection.scalars(
                    select(notices.c.notice_id).where(
                        notices.c.account_id == account_id,
                        notices.c.notice_id.in_(wanted),
                    )
                )
            )

    def read_ids(self, account_id: str, item_ids: Iterable[str]) -> set[str]:
        """Which of these items (notices or reminders) the person marked read."""
        ids = sorted(set(item_ids))
        found: set[str] = set()
        with self.reads.connect() as connection:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                found.update(
                    connection.scalars(
                        _READ_AMONG, {"account_id": account_id, "ids": chunk}
                    )
                )
        return found

    def mark_read(self, account_id: str, item_ids: Iterable[str], now: datetime) -> int:
        """Mark items read for a person (those marked already stay as they were)."""
        wanted = set(item_ids)
        ids = wanted - self.read_ids(account_id, wanted)
        if ids:
            rows = [
                {"account_id": account_id, "item_id": i, "read_at": now}
                for i in sorted(ids)
            ]
            with self.engine.begin() as connection:
                # Two tabs marking the same items at once both find them unread:
                # the second's rows are already there, which is what it wanted.
                connection.execute(_insert_ignoring(connection), rows)
        return len(ids)


def _insert_ignoring(connection: Connection) -> Insert:
    """An insert of reads that leaves a read already marked as it was."""
    postgres = connection.dialect.name == "postgresql"
    build = postgres_insert if postgres else sqlite_insert
    return build(notification_reads).on_conflict_do_nothing(
        index_elements=["account_id", "item_id"]
    )


def _insert(connection: Connection, found: Sequence[Notice]) -> None:
    if found:
        connection.execute(
            insert(notices),
            [{c.name: getattr(n, c.name) for c in notices.columns} for n in found],
        )


def forget_account(connection: Connection, account_id: str) -> None:
    """Delete a person's notices and read marks (erasure), in the caller's
    transaction."""
    connection.execute(delete(notices).where(notices.c.account_id == account_id))
    connection.execute(
        delete(notification_reads).where(notification_reads.c.account_id == account_id)
    )
