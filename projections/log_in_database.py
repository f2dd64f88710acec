"""The log read through a read models' connection, where both share one database.

On PostgreSQL the event store and the read models are one database. The library
reads its notifications through a pooled connection of its own: a check of that
connection (a round trip), then the read (another), beside the catching up's own
transaction. Read through that transaction's connection, it is one round trip, and
the batch sees the log as its tracking rows do (the same server, the same moment's
commits: the library numbers events in commit order, under its table lock).

The statement is the library's own (``select_notifications`` of its PostgreSQL
recorder), its rows made into the same ``Notification`` values.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import Connection


def events_table(recorder: Any) -> tuple[str, str] | None:
    """The schema and table of a PostgreSQL recorder's events, None for another
    recorder (SQLite's log is a file of its own)."""
    datastore = getattr(recorder, "datastore", None)
    schema = getattr(datastore, "schema", None)
    table = getattr(recorder, "events_table_name", None)
    if not (isinstance(schema, str) and isinstance(table, str)):
        return None
    return schema or "public", table


class NotificationsInDatabase:
    """Reads a PostgreSQL recorder's notifications through a given connection."""

    def __init__(self, schema: str, table: str) -> None:
        self._where = (schema, table)
        self._sql: str | None = None

    def _statement(self, connection: Connection) -> str:
        if self._sql is None:
            # The recorder's own names, quoted as identifiers by the dialect.
            quote = connection.dialect.identifier_preparer.quote_identifier
            source = ".".join(quote(name) for name in self._where)
            columns = "notification_id, originator_id, originator_version, topic, state"
            self._sql = (
                f"SELECT {columns} FROM {source} "  # noqa: S608  # nosec B608
                "WHERE notification_id > %(after)s "
                "ORDER BY notification_id LIMIT %(limit)s"
            )
        return self._sql

    def read(
        self, connection: Connection, after: int, limit: int
    ) -> list[Notification]:
        """The notifications after position ``after``, at most ``limit``, in order."""
        rows = connection.exec_driver_sql(
            self._statement(connection), {"after": after, "limit": limit}
        )
        return [
            Notification(
                id=position,
                originator_id=originator_id,
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            for position, originator_id, version, topic, state in rows
        ]
