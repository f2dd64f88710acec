"""Every read model, fed the demo's year of history, equals its rebuild.

The demo touches every event type (partners, people, commitments, deliveries,
bodies, proxies, votes, vetoes, recorded decisions), so this is the widest check
that incremental processing, in any batch size, gives the rebuilt tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import event, select, update

from governance.readiness import Status, assess
from governance.values import CapitalisationKind
from governance.voting import Outcome
from projections.base import metadata, tracking
from projections.capitalisation import capitalisation_counts, capitalisation_of
from projections.decisions import LogFilter, decision_log, due_written_proposals
from projections.decisions.queries import open_proposals, open_vote_count
from projections.members import member_count, members_of
from projections.readiness import readiness_facts
from projections.reporting import SENT, obligations_of, waiting_obligations_of
from projections.runtime import Progress, ReadSide
from web.ops.demo.load import load_demo
from web.ops.demo.story import SettableClock
from web.ops.storage import Stores, open_stores
from web.settings import Settings


def all_rows(read_side: ReadSide) -> dict[str, list[tuple[Any, ...]]]:
    with read_side.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(r) for r in connection.execute(select(table))), key=repr
            )
            for table in metadata.sorted_tables
        }


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    stores = open_stores(
        Settings(
            data_dir=tmp_path,
            secret_key="k",
            password_time_cost=1,
            password_memory_kib=8192,
        ),
        clock=SettableClock(),
    )
    consortium_id = load_demo(
        stores, today=date(2026, 11, 23), mailbox=tmp_path / "mailbox.mbox"
    )
    yield stores, str(consortium_id)
    stores.close()


def test_the_demo_history_rebuilds_to_the_same_tables(demo: tuple[Stores, str]) -> None:
    stores, _ = demo
    assert stores.outbox.messages(sent=True)  # the demo's year had reminders e-mailed
    incremental = all_rows(stores.read_side)

    stores.read_side.rebuild()

    assert all_rows(stores.read_side) == incremental


def test_a_rebuild_looks_rows_up_once_per_batch_not_once_per_event(
    demo: tuple[Stores, str],
) -> None:
    """Votes, totals lines and memberships a batch will look up are loaded before
    it, one statement per table: none per vote, pledge or grant (on PostgreSQL,
    each would be a round trip)."""
    stores, _ = demo
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    engine = stores.read_side.writer
    reports: list[Progress] = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        stores.read_side.rebuild(progress=reports.append)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    def reads_of(table: str) -> list[str]:
        return [s for s in seen if s.startswith("SELECT") and f"FROM {table} " in s]

    batches = len(reports)
    assert 1 <= len(reads_of("votes")) <= batches
    assert 1 <= len(reads_of("ledger_totals")) <= batches
    assert 1 <= len(reads_of("memberships")) <= batches
    assert not [s for s in seen if s.startswith("DELETE FROM memberships")]


def test_small_batches_give_the_same_tables_as_a_rebuild(
    demo: tuple[Stores, str],
) -> None:
    stores, _ = demo
    rebuilt = all_rows(stores.read_side)
    stores.read_side.rebuild(["decisions", "ledger"])
    for name in ("decisions", "ledger"):
        projection = stores.read_side.projections[name]
        with stores.read_side.engine.begin() as connection:
            for table in projection.tables:
                connection.execute(table.delete())
            connection.execute(
                update(tracking).where(tracking.c.name == name).values(position=0)
            )

    stores.read_side.catch_up(batch_size=7)

    assert all_rows(stores.read_side) == rebuilt


def test_the_decision_log_filters_the_demo_year(demo: tuple[Stores, str]) -> None:
    stores, consortium_id = demo
    with stores.read_side.engine.connect() as connection:
        everything, total = decision_log(connection, consortium_id, LogFilter())
        rejected, _ = decision_log(
            connection, consortium_id, LogFilter(outcome=Outcome.REJECTED)
        )
        no_quorum, _ = decision_log(
            connection, consortium_id, LogFilter(outcome=Outcome.NO_QUORUM)
        )
        searched, _ = decision_log(connection, consortium_id, LogFilter(text="OUTIL"))
        due_now = due_written_proposals(connection, datetime(2026, 11, 23, tzinfo=UTC))
        due_later = due_written_proposals(connection, datetime(2027, 1, 1, tzinfo=UTC))

    assert total == len(everything) == 5
    assert [d.title for d in rejected] == ["Extension aux communes voisines"]
    assert [d.title for d in no_quorum] == ["Publication des données en open data"]
    assert [d.title for d in searched] == ["Choix de l'outil de prise de rendez-vous"]
    assert due_now == []
    assert len(due_later) == 1  # the open vote on the closing event's budget


def test_the_demo_has_a_capitalisation_register_and_is_nearly_ready(
    demo: tuple[Stores, str],
) -> None:
    stores, consortium_id = demo
    with stores.read_side.engine.connect() as connection:
        counts = capitalisation_counts(connection, consortium_id)
        withdrawn, _ = capitalisation_of(connection, consortium_id, status="withdrawn")
        facts = readiness_facts(connection, consortium_id)
    readiness = assess(facts, date(2026, 11, 23))
    statuses = {i.code: i.status for i in readiness.items}

    assert counts == {
        CapitalisationKind.LESSON: 2,
        CapitalisationKind.ASSET: 3,
        CapitalisationKind.REPLICATION: 1,
        CapitalisationKind.DISSEMINATION: 2,
    }
    assert [w.title for w in withdrawn] == ["Journée régionale inclusion numérique"]
    assert statuses["capitalisation_plan"] is Status.MET
    assert statuses["data_protection"] is Status.MET
    assert statuses["end_beneficiaries"] is Status.MET
    # The demo keeps something to fix: not every partner has its paper.
    assert statuses["papers"] is Status.NOT_MET
    assert readiness.met < readiness.applicable == 11


def test_the_overviews_counts_answer_what_the_whole_lists_did(
    demo: tuple[Stores, str],
) -> None:
    stores, cid = demo
    with stores.read_side.engine.connect() as connection:
        calendar = obligations_of(connection, cid)
        waiting = waiting_obligations_of(connection, cid)
        opened = open_proposals(connection, cid)
        votes = open_vote_count(connection, cid)
        members = member_count(connection, cid)
        everyone = members_of(connection, cid)
        other = str(uuid4())
        nothing = (
            waiting_obligations_of(connection, other),
            open_vote_count(connection, other),
            member_count(connection, other),
        )

    # The demo has reports sent and not, and members: each filter is exercised.
    assert {r.status in SENT for r in calendar} == {True, False}
    assert waiting == [r for r in calendar if r.status not in SENT]
    assert votes == len([p for p in opened if p.kind == "vote"]) >= 1
    assert members == len(everyone) > 1
    assert nothing == ([], 0, 0)
