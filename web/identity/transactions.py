"""A write to a person's row that may meet the same write from another request.

A double click, two tabs or a retried request write the same row at once. SQLite's
writers queue for its write lock, so the second sees the first's row; on PostgreSQL
(read committed) both see it absent, both insert, and the second's insert fails when
the first commits. Run again, the second sees the row the first committed and does
what it was asked: it replaces the row, updates it, or finds the address taken.

Only a duplicate key is run again: any other integrity error (a missing value, a
reference to nothing) would fail the same way each time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import psycopg.errors
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

T = TypeVar("T")

ATTEMPTS = 3
"""Each run after the first waited for a write that committed meanwhile: more than
two in a row means that many requests wrote the same row in the same instant."""

SQLITE_DUPLICATES = frozenset(
    {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}
)


def is_duplicate(error: IntegrityError) -> bool:
    """Whether the error is a unique or primary key violation, on either backend."""
    cause = error.orig
    if isinstance(cause, psycopg.errors.UniqueViolation):
        return True
    return (
        isinstance(cause, sqlite3.IntegrityError)
        and getattr(cause, "sqlite_errorcode", None) in SQLITE_DUPLICATES
    )


def write_rerunning_duplicates(engine: Engine, write: Callable[[Connection], T]) -> T:
    """Run ``write`` in a transaction, and run it again when a row it inserts was
    committed by another transaction meanwhile (at most ``ATTEMPTS`` runs in all,
    then the error stands)."""
    attempt = 1
    while True:
        try:
            with engine.begin() as connection:
                return write(connection)
        except IntegrityError as error:
            if attempt == ATTEMPTS or not is_duplicate(error):
                raise
            attempt += 1
