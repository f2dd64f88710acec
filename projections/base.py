"""What every projection is: a name, the tables it owns, and one handler per event.

A projection only reshapes facts into rows; it decides nothing. Handlers receive the
open SQLAlchemy connection of the batch's transaction, so rows and the tracking
position commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )


tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)


@dataclass(frozen=True)
class StoredRecord:
    """An event as the store holds it: the bytes the audit chain hashes."""

    originator_id: str
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Envelope:
    """An event with where it sits in the log and when it was recorded.

    ``stored`` is the record as stored (the audit chain hashes those bytes, not a
    re-encoding of the event, so that the chain commits to what is on disk).
    """

    position: int
    event: Any
    stored: StoredRecord | None = None

    # Computed once: every projection asks for them.
    @cached_property
    def originator_id(self) -> str:
        return str(self.event.originator_id)

    @cached_property
    def actor_id(self) -> str:
        return str(getattr(self.event, "actor_id", ""))

    @property
    def recorded_at(self) -> datetime:
        timestamp: datetime = self.event.timestamp
        return timestamp


Handler = Callable[[Any, Connection, Envelope], None]
H = TypeVar("H", bound=Handler)


class Projection:
    """Base class: subclasses list their tables and register handlers with ``on``."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for attribute in vars(cls).values():
            for event_type in getattr(attribute, "_handles", ()):
                cls.handlers[event_type] = attribute

    batched: ClassVar[bool] = False
    """True for a projection that reads no other projection's tables and whose
    tables no other projection reads: it gets each batch at once (``apply_batch``)."""

    def apply_batch(
        self, connection: Connection, envelopes: Sequence[Envelope]
    ) -> None:
        """Apply several events in order (a batched projection writes them at once)."""
        for envelope in envelopes:
            self.apply(connection, envelope)

    def apply(self, connection: Connection, envelope: Envelope) -> None:
        """Apply one event; events without a handler change nothing."""
        handler = self.handlers.get(type(envelope.event))
        if handler is not None:
            handler(self, connection, envelope)


def on(*event_types: type) -> Callable[[H], H]:
    """Mark a projection method as the handler of these event types."""

    def mark(method: H) -> H:
        method._handles = event_types  # type: ignore[attr-defined]
        return method

    return mark
