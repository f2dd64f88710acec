"""Where the benchmark builds: the store at the chosen size and the 10,000-event
reference beside it (always a store of its own), in a temporary directory (and
databases) unless told where.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from web.bench.results import Options
from web.settings import Settings

SECRET_FILE = "bench-secret"  # noqa: S105 - a file name, not a secret
"""Beside the kept stores: their secret key, for ``--reuse``."""


@contextmanager
def workspace(options: Options) -> Iterator[tuple[Settings, Settings]]:
    """The store at the chosen size, and the 10,000-event reference beside it: a
    separate store (directory and, on PostgreSQL, database) whatever the chosen size,
    so that no figure is compared with itself.

    Without ``--data-dir`` nothing is kept: the temporary directory is removed and,
    on PostgreSQL, what the run created in the database (tables, sequences, the
    trigger function) is dropped, so the next run finds it empty again. With
    ``--data-dir`` the stores are kept (the database's tables too) for ``--reuse``.
    """
    own_dir = options.data_dir is None
    root = options.data_dir or Path(tempfile.mkdtemp(prefix="consortium-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    secret = _secret(root, kept=not own_dir)
    main = Settings(
        data_dir=root / "store", database_url=options.database_url, secret_key=secret
    )
    reference_url: str | None = None
    existing: Objects | None = None
    try:
        if options.database_url and own_dir:
            existing = _objects(options.database_url)
        if options.database_url:
            reference_url = _create_database(
                options.database_url, "_bench_ref", fresh=not options.reuse
            )
        reference = Settings(
            data_dir=root / "reference",
            database_url=reference_url,
            secret_key=secret,
        )
        yield main, reference
    finally:
        if own_dir:
            if reference_url:
                _drop_database(options.database_url or "", reference_url)
            if existing is not None and options.database_url:
                _drop_created(options.database_url, existing)
            shutil.rmtree(root, ignore_errors=True)


# What a schema holds, by kind: ``{"table": {...}, "sequence": {...}, ...}``.
Objects = dict[str, set[str]]
# pg_class kinds dropped by name; functions are listed from pg_proc.
KINDS = {"r": "table", "S": "sequence", "v": "view", "m": "materialized view"}


def _secret(root: Path, *, kept: bool) -> str:
    """The stores' secret key: kept beside them when they are kept, since a
    PostgreSQL store records its form key's fingerprint and refuses another one
    (``--reuse`` would find the store unusable)."""
    if not kept:
        return secrets.token_urlsafe(32)
    path = root / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


def _objects(url: str) -> Objects:
    """The tables, sequences, views and functions of the database's schema."""
    found: Objects = {kind: set() for kind in (*KINDS.values(), "function")}
    with psycopg.connect(url, autocommit=True) as connection:
        for name, kind in connection.execute(
            "SELECT c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r','S','v','m')"
        ):
            found[KINDS[kind]].add(str(name))
        for (signature,) in connection.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema()"
        ):
            found["function"].add(str(signature))
    return found


def _drop_created(url: str, before: Objects) -> None:
    """Drop what the run created in the database (and only that)."""
    after = _objects(url)
    with psycopg.connect(url, autocommit=True) as connection:
        for kind in ("view", "materialized view", "table", "sequence"):
            for name in sorted(after[kind] - before[kind]):
                # Names read from the catalogue, quoted as identifiers.
                connection.execute(
                    sql.SQL("DROP {} IF EXISTS {} CASCADE").format(
                        sql.SQL(kind.upper()), sql.Identifier(name)
                    )
                )
        for signature in sorted(after["function"] - before["function"]):
            # regprocedure text is already a quoted, schema-resolved signature.
            connection.execute(
                sql.SQL("DROP FUNCTION IF EXISTS {} CASCADE").format(sql.SQL(signature))
            )


def _create_database(url: str, suffix: str, *, fresh: bool = True) -> str:
    """A database beside the given one, emptied first unless it is to be reused."""
    base, name = url.rsplit("/", 1)
    new = f"{name.split('?')[0]}{suffix}"
    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (new,)
        ).fetchone()
        if exists and fresh:
            connection.execute(f"DROP DATABASE IF EXISTS {new} WITH (FORCE)")
        if not exists or fresh:
            connection.execute(f"CREATE DATABASE {new}")
    return f"{base}/{new}"


def _drop_database(url: str, dropped: str) -> None:
    name = dropped.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
