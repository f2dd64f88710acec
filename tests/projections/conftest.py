"""Read-side fixtures: a Governance service and a ReadSide on its own SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from governance.application import Governance
from projections.catalogue import all_projections
from projections.event_log import LibraryEventLog
from projections.runtime import ReadSide
from web.ops.storage import sqlalchemy_url, sqlite_engine


@pytest.fixture
def read_side_on(
    tmp_path: Path, app: Governance, store: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], ReadSide]]:
    """Opens read sides of their own (``read.db``...), fed by ``app``.

    On the PostgreSQL variant each read side is a database of its own on the server;
    otherwise a SQLite file.
    """
    engines: list[Engine] = []
    databases: list[str] = []

    def open_read_side(filename: str) -> ReadSide:
        if store == "postgres":
            server = request.getfixturevalue("postgres_server")
            databases.append(server.create_database())
            engine = create_engine(sqlalchemy_url(databases[-1]))
        else:
            engine = sqlite_engine(tmp_path / filename)
        engines.append(engine)
        read_side = ReadSide(
            engine, LibraryEventLog(app.recorder, app.mapper), all_projections()
        )
        read_side.create_tables()
        return read_side

    yield open_read_side
    for engine in engines:
        engine.dispose()
    for url in databases:
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture
def read_side(read_side_on: Callable[[str], ReadSide]) -> ReadSide:
    return read_side_on("read.db")
