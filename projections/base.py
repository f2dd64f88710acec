"""What every projection is: a name, the tables it owns, and one handler per event.

A projection only reshapes facts into rows; it decides nothing. Handlers receive the
open SQLAlchemy connection of the batch's transaction, so rows and the tracking
position commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, Generic, Protocol, TypeAlias, TypeVar, overload

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

# What read-model queries take: callers outside the read side (the routes) name it
# from here and never import the driver themselves.
ReadConnection: TypeAlias = Connection


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


class LoggedEvent(Protocol):
    """What an envelope reads of any event: whose it is and when it was recorded."""

    @property
    def originator_id(self) -> object: ...

    @property
    def timestamp(self) -> datetime: ...


E = TypeVar("E", bound=LoggedEvent, covariant=True)


@dataclass(frozen=True)
class Envelope(Generic[E]):
    """An event with where it sits in the log and when it was recorded.

    Typed by its event class: a handler of ``PartnerJoined`` takes an
    ``Envelope[PartnerJoined]``, so the fields it reads are checked. ``stored`` is the
    record as stored (the audit chain hashes those bytes, not a re-encoding of the
    event, so that the chain commits to what is on disk).
    """

    position: int
    event: E
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
        return self.event.timestamp


Handler = Callable[[Any, Connection, Envelope[Any]], None]
H = TypeVar("H", bound=Handler)
P = TypeVar("P", bound="Projection")
E1 = TypeVar("E1", bound=LoggedEvent)
E2 = TypeVar("E2", bound=LoggedEvent)


class Projection:
    """Base class: subclasses list their tables and register handlers with ``on``.

    Handlers are found on the class and on the classes it is made of (a projection
    may be split into parts by area, as the history is); an event type handled twice
    is a mistake, refused when the class is defined.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        attributes: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            attributes.update(vars(klass))
        cls.handlers = {}
        for attribute in attributes.values():
            for event_type in getattr(attribute, "_handles", ()):
                if event_type in cls.handlers:
                    raise TypeError(f"{cls.__name__} handles {event_type} twice")
                cls.handlers[event_type] = attribute

    batched: ClassVar[bool] = False
    """True for a projection that reads no other projection's tables and whose
    tables no other projection reads: it gets each batch at once (``apply_batch``)."""

    def apply_batch(
        self,
        connection: Connection,
        envelopes: Sequence[Envelope[Any]],
        *,
        after: int | None = None,
    ) -> None:
        """Apply several events in order (a batched projection writes them at once).

        ``after``, when the caller knows it: the position this projection's tables
        were at, under the batch's lock (the events all follow it)."""
        for envelope in envelopes:
            self.apply(connection, envelope)

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterable[tuple[Table, dict[str, Any]]]:
        """The rows (table and primary key) this projection's handlers will look
        up by key for these events, loaded before a batch in one statement per
        table (``buffer.prefetch_rows``); none by default. Naming a row that is
        not looked up costs a little; missing one only a statement."""
        return ()

    def prepare(
        self, connection: Connection, envelopes: Sequence[Envelope[Any]]
    ) -> None:
        """Load, before a batch, what this projection's handlers will look up for
        these events besides rows by key (``lookups``): in the batch's caches
        (``buffer.batch_cache``), which the handlers keep in step; nothing by
        default."""

    def apply(self, connection: Connection, envelope: Envelope[Any]) -> None:
        """Apply one event; events without a handler change nothing."""
        handler = self.handlers.get(type(envelope.event))
        if handler is not None:
            handler(self, connection, envelope)


@overload
def on(
    event_type: type[E1], /
) -> Callable[
    [Callable[[P, Connection, Envelope[E1]], None]],
    Callable[[P, Connection, Envelope[E1]], None],
]: ...


@overload
def on(
    first: type[E1], second: type[E2], /
) -> Callable[
    [Callable[[P, Connection, Envelope[E1 | E2]], None]],
    Callable[[P, Connection, Envelope[E1 | E2]], None],
]: ...


@overload
def on(*event_types: type[Any]) -> Callable[[H], H]: ...


def on(*event_types: type[Any]) -> Callable[[H], H]:
    """Mark a projection method as the handler of these event types.

    For one or two event types, mypy checks that the handler's envelope is typed
    by them (``tests/projections/test_handlers.py`` checks every handler).
    """

    def mark(method: H) -> H:
        method._handles = event_types  # type: ignore[attr-defined]
        return method

    return mark
