"""A write to a person's row that may meet the same write from another request.

A double click, two tabs or a retried request write the same row at once. SQLite's
writers queue for its write lock, so the second sees the first's row; on PostgreSQL
(read committed) both see it absent, both insert, and the second's insert fails when
the first commits. Run again, the second sees the row the first committed and does
what it was asked: it replaces the row, updates it, or finds the address taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

T = TypeVar("T")

ATTEMPTS = 3
"""Each run after the first waited for a write that committed meanwhile: more than
two in a row means that many requests wrote the same row in the same instant."""


def write_once_more_on_conflict(engine: Engine, write: Callable[[Connection], T]) -> T:
    """Run ``write`` in a transaction; again when another transaction committed the
    row it inserts while it ran (up to ``ATTEMPTS`` runs, then the error stands)."""
    attempt = 1
    while True:
        try:
            with engine.begin() as connection:
                return write(connection)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            attempt += 1
