"""Keeps read models caught up with the event log, exactly once.

Each batch of events is applied to every projection that has not seen it, and each
projection's tracking position moves in the same transaction as its rows, with a
compare-and-set: a position already applied is refused, so a crash or two processes
catching up at once can never apply an event twice or skip one. The tracking position
is the highest position *scanned*, so waiting for a command's position ends even when
no projection cares about its events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, select, update
from sqlalchemy.engine import Dialect

from projections.base import Envelope, Projection, tracking
from projections.buffer import buffered_writes, prefetch_rows, watch_writes
from projections.event_log import EventLog, Subscription
from projections.json_list import json_list
from projections.reading import without_transaction
from projections.table_set_registry import (
    create_own_sets,
    own_sets,
    prune_retired,
    reader_renames,
    rebuild_sets,
    switch_caught_up,
)
from projections.table_sets import (
    CURRENT,
    NO_RENAMES,
    OPTION,
    Renames,
    TableSet,
    check_names,
    fingerprint,
    rename_tables,
)

__all__ = ["fingerprint"]  # where it lived before the table sets

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
FOLLOW_RETRY_SECONDS = 5.0

# The tracking statements of every batch, prebuilt (compiled once, then cached).
_LOCK_POSITIONS = select(tracking.c.name, tracking.c.position).with_for_update()
_ADVANCE = (
    update(tracking)
    .where(
        tracking.c.name.in_(bindparam("names", expanding=True)),
        tracking.c.position == bindparam("current"),
    )
    .values(position=bindparam("new"))
)

READER_REFRESH_SECONDS = 1.0

# Every batch runs these two: through the driver, their SQL built once, they cost
# a third of what SQLAlchemy's statements did (the update's expanding ``IN``
# rebuilt its SQL at each run): a twentieth of a command's catching up.
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


_LOCK_SQL: dict[str, str] = {}


def _lock_positions_sql(dialect: Dialect) -> str:
    sql = _LOCK_SQL.get(dialect.name)
    if sql is None:
        sql = _LOCK_SQL[dialect.name] = str(_LOCK_POSITIONS.compile(dialect=dialect))
    return sql


@cache
def _advance_sql(paramstyle: str, count: int) -> str | None:
    """The update of ``count`` tracking rows from one position to the next, in the
    driver's parameter style (None for another style: SQLAlchemy's statement)."""
    mark = _PLACEHOLDERS.get(paramstyle)
    if mark is None:
        return None
    names = ", ".join([mark] * count)
    where = f"position = {mark} AND name IN ({names})"
    return f"UPDATE {tracking.name} SET position = {mark} WHERE {where}"  # noqa: S608  # nosec B608


def _watch(
    stop: threading.Event,
    subscription: Subscription,
    done: threading.Event,
    poll_seconds: float,
    catch_up: Callable[[], object],
    failures: list[Exception],
) -> None:
    """Stop the subscription when ``stop`` is set, and catch up every poll meanwhile.

    The library's subscription can miss a wake-up: its first read of the log runs
    before its LISTEN (or in-memory listener) is in place, so an event recorded in
    between stays unapplied until another one is recorded. Polling bounds that wait
    to ``poll_seconds``, as without a subscription. A failed catch-up stops the
    subscription and is raised by the follower, which retries.
    """
    while not done.is_set():
        if stop.wait(poll_seconds):
            subscription.stop()
            return
        try:
            catch_up()
        except Exception as error:
            failures.append(error)
            subscription.stop()
            return


class PositionAlreadyApplied(RuntimeError):
    """Raised when a projection is asked to apply a position it has passed."""


@dataclass(frozen=True)
class Progress:
    """How far a rebuild or catch-up has come."""

    position: int
    last_position: int


class ReadSide:
    """The read models, their engine, and the loop that feeds them."""

    def __init__(
        self,
        engine: Engine,
        log: EventLog,
        projections: Sequence[Projection],
        *,
        attached: Engine | None = None,
    ) -> None:
        """``attached``: another engine on the same read models whose connections
        attach other databases, for reads that join them (``attached_engine``);
        never written through."""
        check_names(projections)
        self._base = engine
        self._attached_base = attached
        self.log = log
        self.projections = {p.name: p for p in projections}
        self._lock = threading.Lock()
        # The position every projection had reached at the end of the last batch
        # this process applied or found nothing after (spares a query in wait_for).
        self._reached = 0
        self._dispatch: dict[
            tuple[type, tuple[str, ...]],
            list[tuple[str, Callable[[Connection, Envelope[Any]], None]]],
        ] = {}
        watch_writes(engine)
        rename_tables(engine)
        # This process's own table set of each projection (``create_tables``); until
        # then the plain names and tracking rows, as before table sets.
        self._own: dict[str, TableSet] = {}
        self._tracked = {name: name for name in self.projections}
        # The tracking names of ``_own`` as a ``json_list``, with the sets they are
        # of (one attribute: threads read it while another may replace it).
        self._tracking_names: tuple[dict[str, TableSet], str] | None = None
        self._writer = engine.execution_options(**{OPTION: NO_RENAMES})
        self._reader = without_transaction(self._writer)
        self._attached = self._reader
        if attached is not None:
            rename_tables(attached)
            self._attached = self._reading(attached, NO_RENAMES)
        self._base_reads = without_transaction(engine)
        self._refreshed = 0.0

    @property
    def engine(self) -> Engine:
        """The engine pages read through: each projection's current table set,
        for reads only (on PostgreSQL without a transaction: ``projections.reading``).

        While one of this process's sets is not the current one (being built beside
        an older one, or replaced by a newer version), which set is current is
        looked up again at most every ``READER_REFRESH_SECONDS``.
        """
        if self._transitional() and (
            time.monotonic() - self._refreshed > READER_REFRESH_SECONDS
        ):
            self._refresh_reader()
        return self._reader

    @property
    def attached_engine(self) -> Engine:
        """``engine``, or the engine given as ``attached`` reading the same table
        sets: for reads that join a database its connections attach."""
        self.engine  # noqa: B018  # the table sets looked up again if they change
        return self._attached

    @property
    def writer(self) -> Engine:
        """The engine the projections write through, in transactions on every
        backend: this process's own table sets (for a tool that writes rows itself)."""
        return self._writer

    def _transitional(self) -> bool:
        return any(s.state != CURRENT for s in self._own.values())

    def _refresh_reader(self) -> None:
        with self._writer.connect() as connection:
            renames, own = reader_renames(connection, self.projections, self._own)
        self._own = own  # the same sets, their states as registered now
        self._refreshed = time.monotonic()
        if renames != self._reader.get_execution_options()[OPTION]:
            self._reader = self._reading(self._base, renames)
            self._attached = (
                self._reader
                if self._attached_base is None
                else self._reading(self._attached_base, renames)
            )

    @staticmethod
    def _reading(engine: Engine, renames: Renames) -> Engine:
        return without_transaction(engine.execution_options(**{OPTION: renames}))

    def _use_sets(self, own: dict[str, TableSet]) -> None:
        self._own = own
        self._tracked = {s.tracking_name: name for name, s in own.items()}
        names: dict[str, str] = {}
        for name, found in own.items():
            names.update(found.renames(self.projections[name]))
        renames = Renames(names)
        self._writer = self._base.execution_options(**{OPTION: renames})
        self._refresh_reader()

    def create_tables(self) -> None:
        """Create missing tables and tracking rows (idempotent).

        Each projection writes to the table set of its shape (``table_sets``): a
        shape seen for the first time gets a new set beside the others, filled by
        the next catch-up and read once it has caught up with the current one.
        Nothing is dropped and no position goes back: read models need no
        migration, and an older version still running keeps its own set.
        """
        with self._base.begin() as connection:
            own = create_own_sets(connection, self.projections)
        self._use_sets(own)

    def use_tables(self) -> None:
        """Use the table sets another ``ReadSide`` of this version registered
        (``create_tables``, run once under the creation lock on PostgreSQL): without
        it, this one would read and write the plain tables of the first version."""
        with self._base.connect() as connection:
            own = own_sets(connection, self.projections)
        self._use_sets(own)

    def prune(self) -> list[TableSet]:
        """Drop the retired table sets (replaced by a newer version's), except this
        process's own: run it once no process of an older version is left."""
        with self._lock, self._base.begin() as connection:
            return prune_retired(connection, self._own)

    def sets(self) -> dict[str, TableSet]:
        """This process's own table set of each projection."""
        return dict(self._own)

    def tracking_names(self) -> str:
        """The tracking rows' names of this process's own table sets, as a
        ``json_list``: what a page's statement binds to ask whether every
        projection is at the same position (``projections.freshness``).
        Remembered while the sets are the same (every tagged page asks)."""
        own, known = self._own, self._tracking_names
        if known is None or known[0] is not own:
            known = (own, json_list(s.tracking_name for s in own.values()))
            self._tracking_names = known
        return known[1]

    def positions(self) -> dict[str, int]:
        """Each projection's tracking position (of its own table set)."""
        with self._base_reads.connect() as connection:
            rows = connection.execute(select(tracking.c.name, tracking.c.position))
            return {
                self._tracked[name]: position
                for name, position in rows
                if name in self._tracked
            }

    def position(self) -> int:
        """The position every projection has reached."""
        return min(self.positions().values(), default=0)

    def catch_up(
        self,
        *,
        batch_size: int = BATCH_SIZE,
        progress: Callable[[Progress], None] | None = None,
        until: int = 0,
    ) -> int:
        """Apply every event not applied yet; returns how many were read.

        With ``until``, stops as soon as the read models include that position: a
        thread that waited for the lock while another applied it reads nothing more.
        """
        read = 0
        with self._lock:
            while True:
                if until and self._reached >= until:
                    return read
                try:
                    count = self._apply_next_batch(batch_size)
                except PositionAlreadyApplied:
                    continue  # another process applied this batch; read on from there
                if count == 0:
                    return read
                read += count
                if progress is not None:
                    progress(Progress(self.position(), self.log.last_position()))
                if count < batch_size:
                    # The log held no more when it was read: an event recorded since
                    # is as late as one recorded after an empty read would be.
                    return read

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Make sure the read models include ``position`` (read-your-writes).

        Catches up in this process; if another process holds the lock on the
        tracking rows, waits until it has gone past ``position`` or ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.catch_up(until=position)
            if self._reached >= position or self.position() >= position:
                return True
            if time.monotonic() >= deadline:
                logger.warning("read_side.wait_timeout position=%s", position)
                return False
            time.sleep(0.02)

    @property
    def reached(self) -> int:
        """The position this process last saw every projection reach (no query)."""
        return self._reached

    def includes(self, position: int) -> bool:
        """Whether every projection has applied ``position``, without catching up.

        Answered from memory when this process already saw it applied, else with one
        read of the tracking rows (remembered: tracking positions only move on).
        """
        if self._reached >= position:
            return True
        reached = self.position()
        if reached > self._reached:
            self._reached = reached
        return reached >= position

    def follow(
        self,
        stop: threading.Event,
        *,
        poll_seconds: float = 0.5,
        retry_seconds: float = FOLLOW_RETRY_SECONDS,
    ) -> None:
        """Keep the read models caught up until ``stop`` is set (the worker's loop).

        On PostgreSQL a subscription wakes the loop as soon as an event is recorded;
        elsewhere the log is polled. A failure (the database went away, a full disk)
        does not end the loop: the batch in progress rolled back with its
        transaction, so the loop waits (doubling up to ``retry_seconds``),
        subscribes again and carries on from the tracking position.
        """
        delay = min(0.25, retry_seconds)
        while not stop.is_set():
            try:
                self._follow_once(stop, poll_seconds)
                return
            except Exception as error:
                logger.warning(
                    "read_side.follow_failed retry_in=%.2fs error=%s",
                    delay,
                    " ".join(str(error).split())[:300],
                )
                if stop.wait(delay):
                    return
                delay = min(delay * 2, retry_seconds)

    def _follow_once(self, stop: threading.Event, poll_seconds: float) -> None:
        self.catch_up()
        subscription = self.log.subscribe(self.position())
        if subscription is None:
            while not stop.wait(poll_seconds):
                self.catch_up()
            return
        done = threading.Event()
        failures: list[Exception] = []
        watcher = threading.Thread(
            target=_watch,
            args=(stop, subscription, done, poll_seconds, self.catch_up, failures),
            daemon=True,
        )
        watcher.start()
        try:
            reached = self.position()
            with subscription:
                for notification in subscription:
                    if stop.is_set():
                        break
                    if notification.id > reached:
                        self.catch_up()
                        reached = self.position()
                        logger.debug("read_side.caught_up position=%s", reached)
        finally:
            done.set()
        if failures:
            raise failures[0]

    def apply(self, name: str, envelope: Envelope[Any]) -> None:
        """Apply one event to one projection; refuses a position already applied."""
        projection = self.projections[name]
        with self._writer.begin() as connection:
            current = self._locked_positions(connection)[name]
            if envelope.position <= current:
                raise PositionAlreadyApplied(f"{name} is at {current}")
            with buffered_writes(connection) as buffer:
                projection.apply(connection, envelope)
                buffer.flush(connection)
            self._advance(connection, name, current, envelope.position)

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
    ) -> int:
        """Drop the named read models (all by default) and replay the whole log."""
        chosen = [self.projections[n] for n in (names or list(self.projections))]
        with self._lock, self._writer.begin() as connection:
            rebuild_sets(connection, chosen, self._own)
        return self.catch_up(batch_size=2000, progress=progress)

    def _apply_next_batch(self, batch_size: int) -> int:
        with self._writer.begin() as connection:
            positions = self._locked_positions(connection)
            start = min(positions.values(), default=0)
            envelopes = self.log.read(start, batch_size, connection)
            if not envelopes:
                self._reached = start
                return 0
            # Self-contained projections take the batch at once (one multi-row
            # insert instead of a statement per event); the others go event by
            # event, since some read another's tables as of that event. Their
            # inserted rows wait in a buffer, written together per table at the end
            # (or as soon as a statement touches a table with rows waiting).
            with buffered_writes(connection) as buffer:
                one_by_one = []
                for name, projection in self.projections.items():
                    if not projection.batched:
                        one_by_one.append((name, projection))
                        continue
                    fresh = [e for e in envelopes if e.position > positions[name]]
                    if fresh:
                        projection.apply_batch(connection, fresh, after=positions[name])
                order = tuple(name for name, _ in one_by_one)
                if len(envelopes) > 1:
                    _prefetch(connection, [p for _, p in one_by_one], envelopes)
                if all(positions[name] <= start for name in order):
                    # All at one position (a rebuild, a catch-up): every event is new.
                    for envelope in envelopes:
                        for _, apply in self._appliers(type(envelope.event), order):
                            apply(connection, envelope)
                else:
                    for envelope in envelopes:
                        for name, apply in self._appliers(type(envelope.event), order):
                            if envelope.position > positions[name]:
                                apply(connection, envelope)
                buffer.flush(connection)
            end = envelopes[-1].position
            behind: dict[int, list[str]] = {}
            for name, current in positions.items():
                if end > current:
                    behind.setdefault(current, []).append(name)
            # One compare-and-set per starting position (usually one for all).
            for current, names in behind.items():
                self._advance_all(connection, names, current, end)
            switched = self._transitional() and switch_caught_up(
                connection, self._own, end
            )
        self._reached = end
        if switched:
            self._use_sets(switched)
        return len(envelopes)

    def _appliers(
        self, event_type: type, names: tuple[str, ...]
    ) -> list[tuple[str, Callable[[Connection, Envelope[Any]], None]]]:
        """The projections that handle an event type, and how (remembered): a
        projection without a handler for it is not even called."""
        key = (event_type, names)
        found = self._dispatch.get(key)
        if found is None:
            found = []
            for name in names:
                projection = self.projections[name]
                if type(projection).apply is not Projection.apply:
                    found.append((name, projection.apply))  # its own dispatch
                elif (handler := projection.handlers.get(event_type)) is not None:
                    found.append((name, partial(handler, projection)))
            self._dispatch[key] = found
        return found

    def _locked_positions(self, connection: Connection) -> dict[str, int]:
        # FOR UPDATE on PostgreSQL; SQLite ignores it, but its ``begin()`` blocks
        # hold the write lock from their BEGIN IMMEDIATE (``web.storage``).
        rows = connection.exec_driver_sql(_lock_positions_sql(connection.dialect))
        tracked = self._tracked
        return {tracked[name]: pos for name, pos in rows if name in tracked}

    def _advance_all(
        self, connection: Connection, names: list[str], current: int, new: int
    ) -> None:
        rows = [self._own[n].tracking_name if n in self._own else n for n in names]
        sql = _advance_sql(connection.dialect.paramstyle, len(rows))
        if sql is None:
            result = connection.execute(
                _ADVANCE, {"names": rows, "current": current, "new": new}
            )
        else:
            result = connection.exec_driver_sql(sql, (new, current, *rows))
        if result.rowcount != len(names):
            # Another process moved one of them meanwhile: roll the batch back.
            raise PositionAlreadyApplied(f"{', '.join(names)} moved past {current}")

    def _advance(
        self, connection: Connection, name: str, current: int, new: int
    ) -> None:
        row = self._own[name].tracking_name if name in self._own else name
        result = connection.execute(
            update(tracking)
            .where(tracking.c.name == row, tracking.c.position == current)
            .values(position=new)
        )
        if result.rowcount != 1:
            # Another process moved this projection meanwhile: roll the batch back.
            raise PositionAlreadyApplied(f"{name} moved past {current}")


def _prefetch(
    connection: Connection,
    projections: Sequence[Projection],
    envelopes: Sequence[Envelope[Any]],
) -> None:
    """Load what the projections will look up in this batch: their own caches,
    then, per table, the rows they name."""
    for projection in projections:
        projection.prepare(connection, envelopes)
    wanted: dict[Table, list[dict[str, Any]]] = {}
    for projection in projections:
        for table, key in projection.lookups(envelopes):
            wanted.setdefault(table, []).append(key)
    for table, keys in wanted.items():
        prefetch_rows(connection, table, keys)
