"""Connections that only read: on PostgreSQL, without a transaction.

psycopg opens a transaction before a connection's first statement, and SQLAlchemy
rolls it back when the connection returns to its pool: two round trips to the
server around every block of reads, eight of a page's twenty-two. Under read
committed, PostgreSQL's default, each statement sees the data committed when it
starts whether or not a transaction surrounds it, so reads see the same without
one. SQLite keeps its transactions: there they cost no round trip, and they give
a block of reads one snapshot of the file.

Only for connections that never write: without a transaction each statement would
commit on its own.
"""

from __future__ import annotations

from sqlalchemy import Engine


def without_transaction(engine: Engine) -> Engine:
    """``engine`` for connections that only read: on PostgreSQL in autocommit mode
    (the same pool), elsewhere ``engine`` itself.

    A new engine object each call (tens of microseconds): derive it once, where
    the engine is kept."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")
