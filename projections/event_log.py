"""The application's event log as the read side reads it.

The library's notification log, mapped to envelopes (each event with its position
and its record as stored, which the audit chain hashes); on PostgreSQL, where the
read models are in the log's database, read through the catching up's own
connection (``projections.log_in_database``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from projections.base import Envelope, StoredRecord
from projections.log_in_database import NotificationsInDatabase, events_table


class EventLog(Protocol):
    """The application log as the read side needs it."""

    def read(
        self, after: int, limit: int, through: Connection | None = None
    ) -> Sequence[Envelope[Any]]:
        """The events after ``after``, at most ``limit``; ``through``: a connection
        of the read models' database, which a log kept in that database may be read
        through (in its transaction)."""
        ...

    def last_position(self) -> int: ...

    def subscribe(self, after: int) -> Subscription | None: ...


class Subscription(Protocol):
    """Wakes a follower up when new events are recorded (PostgreSQL LISTEN)."""

    def __enter__(self) -> Subscription: ...

    def __exit__(self, *args: object) -> None: ...

    def __iter__(self) -> Iterator[Any]: ...

    def stop(self) -> None: ...


class LibraryEventLog:
    """The ``eventsourcing`` application's notification log, mapped to events.

    ``shares_database``: the read models are in the log's PostgreSQL database, so
    a read given a connection goes through it (``projections.log_in_database``).
    """

    def __init__(
        self, recorder: Any, mapper: Any, *, shares_database: bool = False
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        where = events_table(recorder) if shares_database else None
        self._in_database = NotificationsInDatabase(*where) if where else None

    def read(
        self, after: int, limit: int, through: Connection | None = None
    ) -> Sequence[Envelope[Any]]:
        if through is not None and self._in_database is not None:
            notifications = self._in_database.read(through, after, limit)
        else:
            notifications = self.recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False
            )
        return [
            Envelope(
                n.id,
                self.mapper.to_domain_event(n),
                StoredRecord(
                    str(n.originator_id), n.originator_version, n.topic, bytes(n.state)
                ),
            )
            for n in notifications
        ]

    def last_position(self) -> int:
        return int(self.recorder.max_notification_id() or 0)

    def subscribe(self, after: int) -> Subscription | None:
        """A live subscription where the store has one (PostgreSQL), else None."""
        try:
            subscription: Subscription = self.recorder.subscribe(gt=after)
        except NotImplementedError:
            return None
        return subscription
