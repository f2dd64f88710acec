"""The stored events as stored: read straight from the event table, in position order.

The verification, the consortium-scoped verification and the evidence sweep read the
log here, never through the library or a read model: what they check is the bytes
the store holds (the SQLite ``stored_events`` table or PostgreSQL's
``governance_events``), streamed, so memory stays flat however long the log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from governance.values import Evidence
from web.ops.storage import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from web.settings import Settings


@dataclass(frozen=True)
class RawRecord:
    """A stored event row, as the store holds it."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


LOWER_HEX = "0123456789abcdef"


def canonical_originator_id(raw: str) -> str:
    """The id as the chain hashes it; a non-canonical stored form stays as it is.

    The library stores a UUID as 32 lowercase hex digits on SQLite and as a ``uuid``
    on PostgreSQL (read as text, already canonical); any other spelling was not
    written by the application, so it is hashed as found and cannot match its chain
    link. Called once per stored event by ``audit verify``: the dashes are put in by
    slicing, a quarter of the time a ``UUID`` round trip takes.
    """
    if len(raw) != 32 or raw.strip(LOWER_HEX):  # not 32 lowercase hex digits
        return raw
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


class RawStore:
    """The raw event table of one store.

    On PostgreSQL each reading opens a connection of its own, unless ``connection``
    is given (the driver's connection of a caller that reads the read models in the
    same database too): ``audit verify`` then reads the checkpoints, the records and
    the chain through one connection (each opening cost it 2–5 ms).
    """

    def __init__(
        self, settings: Settings, connection: psycopg.Connection[Any] | None = None
    ) -> None:
        self.settings = settings
        self._connection = connection

    def _sql(self, where: str = "") -> str:
        # Only constants and fixed clauses go into the text; values are parameters
        # (hence the S608/B608 exemptions below).
        if self.settings.database_url:
            return (
                "SELECT notification_id, originator_id::text, originator_version, "  # noqa: S608  # nosec B608
                f"topic, state FROM {EVENTS_TABLE_POSTGRES} {where} "
                "ORDER BY notification_id"
            )
        return (
            "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608  # nosec B608
            f"FROM {EVENTS_TABLE_SQLITE} {where} ORDER BY rowid"
        )

    def records_sql(self, topic: str | None = None) -> tuple[str, tuple[str, ...]]:
        """The statement, and its parameters, that reads every record (of one topic)
        in position order. Both databases plan a bound topic with its value: the
        checkpoints' partial index (``web.ops.storage``) serves their reading."""
        if not topic:
            return self._sql(), ()
        mark = "%s" if self.settings.database_url else "?"
        return self._sql(f"WHERE topic = {mark}"), (topic,)

    @contextmanager
    def records(self, *, topic: str | None = None) -> Iterator[Iterator[RawRecord]]:
        """Every stored record in position order (of one topic), streamed."""
        url = self.settings.database_url
        if url:
            # A named cursor is server-side: rows arrive in batches.
            with (
                self._postgres(url) as connection,
                connection.cursor(name="audit_verify") as cursor,
            ):
                cursor.itersize = 2000
                cursor.execute(*self.records_sql(topic))
                yield (_record(row) for row in cursor)
            return
        path = self.settings.data_dir / "events.db"
        if not path.exists():
            raise FileNotFoundError(path)
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as lite:
            rows = lite.execute(*self.records_sql(topic))
            yield (_record(row) for row in rows)

    @contextmanager
    def positions(self) -> Iterator[Iterator[int]]:
        """Every stored position in order, without the records (streamed)."""
        url = self.settings.database_url
        if url:
            with (
                self._postgres(url) as connection,
                connection.cursor(name="audit_positions") as cursor,
            ):
                cursor.itersize = 20000
                cursor.execute(
                    f"SELECT notification_id FROM {EVENTS_TABLE_POSTGRES} "  # noqa: S608  # nosec B608
                    "ORDER BY notification_id"
                )
                yield (int(row[0]) for row in cursor)
            return
        with closing(self._sqlite()) as lite:
            rows = lite.execute(
                f"SELECT rowid FROM {EVENTS_TABLE_SQLITE} ORDER BY rowid"  # noqa: S608  # nosec B608
            )
            yield (int(row[0]) for row in rows)

    @contextmanager
    def records_at(
        self, positions: Sequence[int], batch: int = 500
    ) -> Iterator[Iterator[RawRecord]]:
        """The stored records at these positions (sorted), in order, read by batches."""
        url = self.settings.database_url
        if url:
            with self._postgres(url) as connection:
                sql = self._sql("WHERE notification_id = ANY(%s)")

                def pg_batches() -> Iterator[RawRecord]:
                    for start in range(0, len(positions), batch):
                        chunk = list(positions[start : start + batch])
                        for row in connection.execute(sql, (chunk,)):
                            yield _record(row)

                yield pg_batches()
            return
        with closing(self._sqlite()) as lite:

            def sqlite_batches() -> Iterator[RawRecord]:
                for start in range(0, len(positions), batch):
                    chunk = list(positions[start : start + batch])
                    marks = ",".join("?" * len(chunk))
                    query = self._sql(f"WHERE rowid IN ({marks})")
                    for row in lite.execute(query, chunk):
                        yield _record(row)

            yield sqlite_batches()

    def require(self) -> None:
        """Raise ``FileNotFoundError`` if there is no SQLite event file (a PostgreSQL
        store that is not there fails at connecting)."""
        if not self.settings.database_url:
            self._sqlite().close()

    @contextmanager
    def _postgres(self, url: str) -> Iterator[psycopg.Connection[Any]]:
        if self._connection is not None:
            yield self._connection  # the caller's: it ends its transaction
            return
        with psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://")
        ) as connection:
            yield connection

    def _sqlite(self) -> sqlite3.Connection:
        path = self.settings.data_dir / "events.db"
        if not path.exists():
            raise FileNotFoundError(path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _record(row: Sequence[Any]) -> RawRecord:
    position, originator_id, version, topic, state = row
    return RawRecord(
        int(position),
        canonical_originator_id(str(originator_id)),
        int(version),
        str(topic),
        bytes(state),
    )


EVIDENCE_MARK = b'"Evidence"'
"""In every stored state that refers to an evidence file (its transcoded type)."""


def evidence_in(state: bytes) -> Iterator[Evidence]:
    """Every evidence file a stored event's state refers to."""
    if EVIDENCE_MARK not in state:
        return
    try:
        data = json.loads(state)
    except ValueError:
        return  # an altered record: reported by the chain, not here
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            inner = item.get("_data_")
            if item.get("_type_") == "Evidence" and isinstance(inner, dict):
                try:
                    yield Evidence(
                        sha256=str(inner["sha256"]),
                        size=int(inner["size"]),
                        media_type=str(inner.get("media_type", "")),
                        filename=str(inner.get("filename", "")),
                    )
                except (KeyError, TypeError, ValueError):
                    continue
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
