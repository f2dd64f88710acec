"""The log's sealed checkpoints are read through a partial index, on both stores:
``audit verify`` reads them before its pass, which was a scan of the whole log."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg
import pytest

from tests.support.audit_store import Audited
from web.ops.audit_verify import SEALED_TOPIC
from web.ops.raw_log import RawStore
from web.ops.storage import sql_literal
from web.settings import Settings


def plan_of(settings: Settings, statement: str, parameters: tuple[str, ...]) -> str:
    """The database's plan for ``statement``, as text (PostgreSQL told to avoid a
    sequential scan where it can: a test log is small enough to scan)."""
    if settings.database_url:
        with psycopg.connect(settings.database_url) as connection:
            connection.execute("SET enable_seqscan = off")
            rows = connection.execute(f"EXPLAIN {statement}", parameters).fetchall()
    else:
        path = settings.data_dir / "events.db"
        with closing(sqlite3.connect(path)) as connection:
            plan = f"EXPLAIN QUERY PLAN {statement}"
            rows = connection.execute(plan, parameters).fetchall()
    return "\n".join(str(row) for row in rows)


def test_the_checkpoints_are_read_through_their_index(audited: Audited) -> None:
    store = RawStore(audited.settings)

    plan = plan_of(audited.settings, *store.records_sql(SEALED_TOPIC))

    assert "_checkpoints" in plan, plan


def test_the_checkpoints_read_are_every_sealed_record(audited: Audited) -> None:
    store = RawStore(audited.settings)
    with store.records() as records:
        expected = [r for r in records if r.topic == SEALED_TOPIC]
    with store.records(topic=SEALED_TOPIC) as records:
        found = list(records)

    assert found == expected
    assert len(found) == 1  # the store's one checkpoint, recorded after its position
    assert found[0].position > audited.checkpoint_position


@pytest.mark.parametrize(
    "text", ["governance.audit:CheckpointSealed", "it's", "''", "\\'", "é ; --", ""]
)
def test_a_literal_reads_back_as_written(audited: Audited, text: str) -> None:
    statement = f"SELECT {sql_literal(text)}"
    if audited.settings.database_url:
        with psycopg.connect(audited.settings.database_url) as connection:
            row = connection.execute(statement).fetchone()
    else:
        with closing(sqlite3.connect(":memory:")) as connection:
            row = connection.execute(statement).fetchone()

    assert row == (text,)


def test_a_nul_cannot_be_a_literal() -> None:
    with pytest.raises(ValueError, match="NUL"):
        sql_literal("a\x00b")
