"""An insider with write access to the database: what the audit trail must catch.

The event tables refuse UPDATE and DELETE through triggers; someone with the database
password can drop them, so this helper does exactly that before touching rows, on
SQLite (``stored_events``, position = rowid) and PostgreSQL (``governance_events``,
position = ``notification_id``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from web.settings import Settings


class Insider:
    """Raw SQL on the event table of the store the settings name."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = bool(settings.database_url)
        self.url = settings.database_url
        self.path = settings.data_dir / "events.db"
        self.table = "governance_events" if self.postgres else "stored_events"
        self.position = "notification_id" if self.postgres else "rowid"
        self.param = "%s" if self.postgres else "?"

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        if self.postgres:
            assert self.url is not None
            with psycopg.connect(self.url) as connection, connection.cursor() as cur:
                yield cur
            return
        connection = sqlite3.connect(self.path)
        try:
            yield connection.cursor()
            connection.commit()
        finally:
            connection.close()

    def _sql(self, statement: str) -> str:
        return (
            statement.replace("{t}", self.table)
            .replace("{pos}", self.position)
            .replace("?", self.param)
        )

    def run(self, statement: str, *params: Any) -> list[Any]:
        """Execute one statement (``{t}``: the table, ``{pos}``: the position)."""
        with self._cursor() as cursor:
            cursor.execute(self._sql(statement), params)
            try:
                return list(cursor.fetchall())
            except (psycopg.ProgrammingError, sqlite3.ProgrammingError):
                return []

    def unseal(self) -> None:
        """Drop the append-only triggers, as an insider would."""
        if self.postgres:
            self.run("DROP TRIGGER governance_events_no_update_delete ON {t}")
            self.run("DROP TRIGGER governance_events_no_truncate ON {t}")
        else:
            self.run("DROP TRIGGER stored_events_no_update")
            self.run("DROP TRIGGER stored_events_no_delete")

    def positions(self) -> list[int]:
        return [int(r[0]) for r in self.run("SELECT {pos} FROM {t} ORDER BY {pos}")]

    def state(self, position: int) -> bytes:
        return bytes(self.run("SELECT state FROM {t} WHERE {pos} = ?", position)[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        self.run("UPDATE {t} SET state = ? WHERE {pos} = ?", state, position)

    def flip_byte(self, position: int, offset: int, mask: int = 0x01) -> None:
        """Flip bits of one byte of a stored event's state."""
        state = bytearray(self.state(position))
        state[offset % len(state)] ^= mask
        self.set_state(position, bytes(state))

    def delete(self, position: int) -> None:
        self.run("DELETE FROM {t} WHERE {pos} = ?", position)

    def truncate_after(self, position: int) -> None:
        self.run("DELETE FROM {t} WHERE {pos} > ?", position)

    def _move(self, source: int, target: int) -> None:
        self.run("UPDATE {t} SET {pos} = ? WHERE {pos} = ?", target, source)

    def swap(self, first: int, second: int) -> None:
        """Exchange the positions of two stored events."""
        parking = -1
        self._move(first, parking)
        self._move(second, first)
        self._move(parking, second)

    def insert_at(self, position: int) -> None:
        """Insert a forged event at ``position``, shifting every later one by one."""
        self.run("UPDATE {t} SET {pos} = -({pos} + 1) WHERE {pos} >= ?", position)
        self.run("UPDATE {t} SET {pos} = -{pos} WHERE {pos} < 0")
        row = self.run("SELECT topic, state FROM {t} WHERE {pos} = ?", position + 1)[0]
        forged_id: Any = uuid.uuid4()
        if not self.postgres:
            forged_id = forged_id.hex
        self.run(
            "INSERT INTO {t} ({pos}, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            position,
            forged_id,
            row[0],
            bytes(row[1]),
        )

    def checkpoint_records(self, topic: str) -> list[tuple[int, dict[str, Any]]]:
        """``(position, decoded state)`` of every record of ``topic``."""
        rows = self.run("SELECT {pos}, state FROM {t} WHERE topic = ?", topic)
        return [(int(p), json.loads(bytes(s))) for p, s in rows]
