"""Queries every page runs must not scan a table that grows with the platform.

SQLite's query plan names the index a query uses; a plan that says ``SCAN`` of a
platform-wide table makes every page slower as consortia accumulate (found with a
1,000,000-event store: the menu's "is this person a financer anywhere" read all
memberships).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select

from governance.values import MemberRole
from projections.base import metadata
from projections.catalogue import all_projections
from projections.members import memberships


def plan_of(tmp_path: Path, query: object) -> str:
    engine = create_engine(f"sqlite:///{tmp_path / 'read.db'}")
    all_projections()  # registers every read model's tables in the metadata
    metadata.create_all(engine)
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    engine.dispose()
    return " | ".join(str(row[-1]) for row in rows)


def test_a_persons_memberships_are_found_by_index(tmp_path: Path) -> None:
    query = (
        select(memberships.c.consortium_id)
        .where(
            memberships.c.account_id == "someone",
            memberships.c.role == MemberRole.FINANCER.value,
        )
        .limit(1)
    )

    plan = plan_of(tmp_path, query)

    assert "memberships_by_account" in plan, plan
    assert "SCAN memberships" not in plan, plan
