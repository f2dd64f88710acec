"""The durable outbox: e-mails waiting to be sent, and what became of each.

A message enters the outbox in one transaction under its deterministic Message-ID, so
putting it in twice keeps one. The sender takes the messages due, sends them, and
marks them sent; a failed attempt stays with its error and the time of the next try
(backoff). Messages that carry reminders remember which ones, so their delivery is
recorded in the event store once the server accepted them (``recorded_at``).

These tables live with the accounts (``app.db`` on SQLite): they are not read models
and must survive a rebuild of the projections.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from projections.base import UtcDateTime

metadata = MetaData()

outbox = Table(
    "mail_outbox",
    metadata,
    Column("message_id", String(200), primary_key=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text),
    Column("language", String(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try_at", UtcDateTime, nullable=False, index=True),
    Column("last_error", Text),
    Column("sent_at", UtcDateTime, index=True),
    Column("failed", Boolean, nullable=False, default=False),
    Column("recorded_at", UtcDateTime),
)

outbox_reminders = Table(
    "mail_outbox_reminders",
    metadata,
    Column("reminder_id", String(36), primary_key=True),
    Column("message_id", String(200), nullable=False, index=True),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("ok", Boolean, nullable=False, default=True),
    Column("summary", Text, nullable=False, default=""),
    Column("error", Text),
    Column("last_ok_at", UtcDateTime),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Backoff after a failed attempt: 1 min, 2, 4 … capped at 30 min.
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(minutes=30)
# How long a message taken by a sender is left to it before another may retry it.
CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class Message:
    """An e-mail, ready to be sent."""

    message_id: str
    recipient: str
    subject: str
    text_body: str
    html_body: str | None
    language: str


@dataclass(frozen=True)
class OutboxRow:
    """A message in the outbox and its state."""

    message: Message
    created_at: datetime
    attempts: int
    next_try_at: datetime
    last_error: str | None
    sent_at: datetime | None
    failed: bool


@dataclass(frozen=True)
class OutboxCounts:
    """The outbox at a glance, for the scheduler health panel."""

    waiting: int
    failing: int
    failed: int
    sent_last_day: int
    last_error: str | None


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt.

    Doubled only until the cap: ``FIRST_RETRY * 2 ** (attempts - 1)`` overflowed
    ``timedelta`` from the 42nd attempt (a day of an SMTP server down), and the
    failure could no longer be recorded.
    """
    delay = FIRST_RETRY
    for _ in range(attempts - 1):
        if delay >= MAX_RETRY:
            break
        delay *= 2
    return min(delay, MAX_RETRY)


class Outbox:
    """The outbox over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        """Create missing tables (idempotent)."""
        metadata.create_all(self.engine)

    def put(
        self, message: Message, *, now: datetime, reminder_ids: Iterable[str] = ()
    ) -> bool:
        """Queue a message (and the reminders it carries); False if already there."""
        try:
            with self.engine.begin() as connection:
                queue(connection, message, now=now, reminder_ids=reminder_ids)
        except IntegrityError:
            return False
        return True

    def queued_reminders(self, reminder_ids: Iterable[str]) -> set[str]:
        """Which of these reminders are in a message already."""
        ids = list(reminder_ids)
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 500):
                found.update(
                    connection.scalars(
                        select(outbox_reminders.c.reminder_id).where(
                            outbox_reminders.c.reminder_id.in_(ids[start : start + 500])
                        )
                    )
                )
        return found

    def has(self, message_id: str) -> bool:
        """Whether a message with this Message-ID was ever queued."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(outbox.c.message_id).where(outbox.c.message_id == message_id)
                )
                is not None
            )

    def due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Messages to try now, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(outbox)
                .where(
                    outbox.c.sent_at.is_(None),
                    outbox.c.failed.is_(False),
                    outbox.c.next_try_at <= now,
                )
                .order_by(outbox.c.created_at, outbox.c.message_id)
                .limit(limit)
            )
            return [_row(r) for r in rows]

    def claim(self, message_id: str, *, now: datetime) -> bool:
        """Take a due message for sending; False if another sender took it.

        The claim pushes the next try ``CLAIM`` ahead, so a sender that dies after
        claiming delays the message by that much and loses nothing.
        """
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(outbox)
                .where(
                    outbox.c.message_id == message_id,
                    outbox.c.sent_at.is_(None),
                    outbox.c.next_try_at <= now,
                )
                .values(next_try_at=now + CLAIM)
            ).rowcount
        return taken == 1

    def mark_sent(self, message_id: str, *, now: datetime) -> None:
        """The server accepted the message."""
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.message_id == message_id)
                .values(sent_at=now, last_error=None)
            )

    def mark_failed(
        self, message_id: str, error: str, *, now: datetime, permanent: bool = False
    ) -> None:
        """An attempt failed: retry later with backoff, or never (permanent)."""
        with self.engine.begin() as connection:
            attempts = int(
                connection.scalar(
                    select(outbox.c.attempts).where(outbox.c.message_id == message_id)
                )
                or 0
            )
            connection.execute(
                update(outbox)
                .where(outbox.c.message_id == message_id)
                .values(
                    attempts=attempts + 1,
                    next_try_at=now + backoff(attempts + 1),
                    last_error=error[:500],
                    failed=permanent,
                )
            )

    def unrecorded(self, limit: int = 500) -> list[tuple[str, list[str]]]:
        """Sent messages whose reminders' delivery is not recorded yet."""
        with self.engine.connect() as connection:
            message_ids = list(
                connection.scalars(
                    select(outbox.c.message_id)
                    .where(
                        outbox.c.sent_at.is_not(None), outbox.c.recorded_at.is_(None)
                    )
                    .order_by(outbox.c.sent_at)
                    .limit(limit)
                )
            )
            found: list[tuple[str, list[str]]] = []
            for message_id in message_ids:
                reminders = list(
                    connection.scalars(
                        select(outbox_reminders.c.reminder_id).where(
                            outbox_reminders.c.message_id == message_id
                        )
                    )
                )
                found.append((message_id, reminders))
            return found

    def mark_recorded(self, message_id: str, *, now: datetime) -> None:
        """The delivery of the message's reminders is in the event store."""
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.message_id == message_id)
                .values(recorded_at=now)
            )

    def messages(self, *, sent: bool | None = None) -> list[OutboxRow]:
        """Every message (or only sent, or only unsent), oldest first."""
        query = select(outbox).order_by(outbox.c.created_at, outbox.c.message_id)
        if sent is True:
            query = query.where(outbox.c.sent_at.is_not(None))
        elif sent is False:
            query = query.where(outbox.c.sent_at.is_(None))
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query)]

    def counts(self, now: datetime) -> OutboxCounts:
        """Waiting, failing (retrying), failed for good, and sent in the last day."""
        with self.engine.connect() as connection:
            unsent = outbox.c.sent_at.is_(None)

            def count(*where: object) -> int:
                return int(
                    connection.scalar(select(func.count()).where(*where))  # type: ignore[arg-type]
                    or 0
                )

            last_error = connection.scalar(
                select(outbox.c.last_error)
                .where(unsent, outbox.c.last_error.is_not(None))
                .order_by(outbox.c.next_try_at.desc())
                .limit(1)
            )
            return OutboxCounts(
                waiting=count(unsent, outbox.c.failed.is_(False)),
                failing=count(
                    unsent, outbox.c.failed.is_(False), outbox.c.attempts > 0
                ),
                failed=count(unsent, outbox.c.failed.is_(True)),
                sent_last_day=count(outbox.c.sent_at >= now - timedelta(days=1)),
                last_error=last_error,
            )


def _row(r: object) -> OutboxRow:
    m = r._mapping  # type: ignore[attr-defined]
    return OutboxRow(
        Message(
            m["message_id"],
            m["recipient"],
            m["subject"],
            m["text_body"],
            m["html_body"],
            m["language"],
        ),
        m["created_at"],
        m["attempts"],
        m["next_try_at"],
        m["last_error"],
        m["sent_at"],
        bool(m["failed"]),
    )


def queue(
    connection: Connection,
    message: Message,
    *,
    now: datetime,
    reminder_ids: Iterable[str] = (),
) -> None:
    """Queue a message in the caller's transaction (raises ``IntegrityError`` if its
    Message-ID is there already).

    For a use case whose e-mail must commit with its other rows (an invitation's
    token, a reset link): the e-mail is queued if and only if they are stored.
    """
    connection.execute(
        insert(outbox).values(
            message_id=message.message_id,
            recipient=message.recipient,
            subject=message.subject,
            text_body=message.text_body,
            html_body=message.html_body,
            language=message.language,
            created_at=now,
            attempts=0,
            next_try_at=now,
            failed=False,
        )
    )
    for reminder_id in reminder_ids:
        connection.execute(
            insert(outbox_reminders).values(
                reminder_id=reminder_id, message_id=message.message_id
            )
        )


def forget_recipient(connection: Connection, recipient: str) -> None:
    """Delete every message to ``recipient`` and the reminders it carried.

    For the erasure of a person (GDPR), in the caller's transaction: the account and
    its e-mails go together or not at all.
    """
    mails = select(outbox.c.message_id).where(outbox.c.recipient == recipient)
    connection.execute(
        delete(outbox_reminders).where(outbox_reminders.c.message_id.in_(mails))
    )
    connection.execute(delete(outbox).where(outbox.c.recipient == recipient))


def messages_to(connection: Connection, recipient: str) -> list[dict[str, object]]:
    """The messages to ``recipient`` (id, subject, queued and sent times; not the
    bodies), for their personal-data export."""
    rows = connection.execute(
        select(
            outbox.c.message_id,
            outbox.c.subject,
            outbox.c.created_at,
            outbox.c.sent_at,
        ).where(outbox.c.recipient == recipient)
    ).all()
    return [dict(row._mapping) for row in rows]
