"""Read-side fixtures: a Governance service and a ReadSide on its own SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from governance.application import Governance
from projections.catalogue import all_projections
from projections.runtime import LibraryEventLog, ReadSide


@pytest.fixture
def read_side_on(
    tmp_path: Path, app: Governance
) -> Iterator[Callable[[str], ReadSide]]:
    """Opens read sides on files of their own (``read.db``...), fed by ``app``."""
    engines: list[Engine] = []

    def open_read_side(filename: str) -> ReadSide:
        engine = create_engine(f"sqlite:///{tmp_path / filename}")
        engines.append(engine)
        read_side = ReadSide(
            engine, LibraryEventLog(app.recorder, app.mapper), all_projections()
        )
        read_side.create_tables()
        return read_side

    yield open_read_side
    for engine in engines:
        engine.dispose()


@pytest.fixture
def read_side(read_side_on: Callable[[str], ReadSide]) -> ReadSide:
    return read_side_on("read.db")
