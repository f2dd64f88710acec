"""Where the benchmark builds: the store at the chosen size and the 10,000-event
reference beside it, in a temporary directory (and databases) unless told where.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from web.bench.results import REFERENCE_EVENTS, Options
from web.settings import Settings


@contextmanager
def workspace(options: Options) -> Iterator[tuple[Settings, Settings | None]]:
    """The store at the chosen size, and the 10,000-event reference beside it
    (None when the chosen size is the reference's)."""
    own_dir = options.data_dir is None
    root = options.data_dir or Path(tempfile.mkdtemp(prefix="consortium-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    main = Settings(
        data_dir=root / "store", database_url=options.database_url, secret_key=secret
    )
    reference_url: str | None = None
    if options.events > REFERENCE_EVENTS and options.database_url:
        reference_url = _create_database(options.database_url, "_bench_ref")
    reference = (
        Settings(
            data_dir=root / "reference", database_url=reference_url, secret_key=secret
        )
        if options.events > REFERENCE_EVENTS
        else None
    )
    try:
        yield main, reference
    finally:
        if reference_url:
            _drop_database(options.database_url or "", reference_url)
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)


def _create_database(url: str, suffix: str) -> str:
    base, name = url.rsplit("/", 1)
    new = f"{name.split('?')[0]}{suffix}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {new} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {new}")
    return f"{base}/{new}"


def _drop_database(url: str, dropped: str) -> None:
    name = dropped.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
