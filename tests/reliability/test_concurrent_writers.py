"""R1: concurrent writers on the same consortium, proposal and commitment lose nothing.

Eight threads share one process's stores (as a web server's threads do), then two
processes with stores of their own, issue commands for a bounded time on the same
three aggregates, on SQLite and PostgreSQL; under ``CONSORTIUM_SOAK=1``, 32 threads
and four processes, each for a minute. Afterwards the log must hold exactly the
acknowledged commands: one event per acknowledged command, carrying its unique mark
(no lost update, no silent overwrite, no event for a refused save), and the
aggregates' versions must count them. Conflicts end as a ``Conflict`` (HTTP 409 in
the web layer) that the writer retried; their rate is reported.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from uuid import UUID

import pytest

from governance.application import Governance
from governance.commitment import Commitment
from governance.consortium import Consortium
from governance.proposal import Proposal
from tests.support.soak import scaled
from tests.support.writers import (
    ATTEMPTS,
    KINDS,
    Plan,
    Tally,
    a_plan,
    hammer,
    hammer_in_process,
)
from web.ops.storage import Stores, open_stores
from web.settings import Settings

THREADS = scaled(8, 32)
SECONDS = scaled(4, 60)
PROCESSES = scaled(2, 4)
# Short by default (spawning costs a second per process); a minute under soak.
PROCESS_SECONDS = scaled(3, 60)


@pytest.fixture
def stores(settings: Settings) -> Iterator[Stores]:
    opened = open_stores(settings)
    yield opened
    opened.close()


def versions(governance: Governance, plan: Plan) -> dict[str, int]:
    """The stored version of each contended aggregate."""
    return {
        "axis": governance.repository.get(UUID(plan.consortium_id)).version,
        "vote": governance.repository.get(UUID(plan.proposal_id)).version,
        "amend": governance.repository.get(UUID(plan.commitment_id)).version,
    }


def stored_marks(governance: Governance, plan: Plan) -> dict[str, list[str]]:
    """The marks the stored events carry, read back from the log itself."""
    consortium = governance.events.get(UUID(plan.consortium_id))
    proposal = governance.events.get(UUID(plan.proposal_id))
    commitment = governance.events.get(UUID(plan.commitment_id))
    return {
        "axis": [
            e.axis for e in consortium if isinstance(e, Consortium.PartnerAxisChanged)
        ],
        "vote": [
            e.reason
            for e in proposal
            if isinstance(e, Proposal.VoteCast | Proposal.VoteChanged)
        ],
        "amend": [e.reason for e in commitment if isinstance(e, Commitment.Amended)],
    }


def check_and_report(
    label: str, governance: Governance, plan: Plan, before: dict[str, int], tally: Tally
) -> None:
    assert tally.errors == []
    after = versions(governance, plan)
    stored = stored_marks(governance, plan)
    lost = 0
    for kind in KINDS:
        acknowledged = tally.acknowledged[kind]
        assert len(set(acknowledged)) == len(acknowledged)
        # Every acknowledged command is stored once, and nothing else is stored.
        assert sorted(stored[kind]) == sorted(acknowledged), kind
        assert after[kind] - before[kind] == len(acknowledged), kind
        lost += len(set(acknowledged) - set(stored[kind]))
    commands = sum(len(tally.acknowledged[k]) for k in KINDS)
    conflicts = sum(tally.conflicts.values())
    attempts = commands + conflicts + sum(tally.gave_up.values())
    print(  # noqa: T201
        f"\nR1 {label}: {commands} commands acknowledged "
        f"({', '.join(f'{k} {len(tally.acknowledged[k])}' for k in KINDS)}), "
        f"events stored for them {sum(len(stored[k]) for k in KINDS)}, lost {lost}, "
        f"conflicts {conflicts} ({conflicts / max(attempts, 1):.1%} of attempts; "
        f"{dict(tally.conflicts)}), gave up after {ATTEMPTS} tries "
        f"{sum(tally.gave_up.values())}, errors {len(tally.errors)}"
    )


def backend(settings: Settings) -> str:
    return "postgres" if settings.uses_postgres else "sqlite"


def test_threads_on_the_same_aggregates_lose_no_event(
    stores: Stores, settings: Settings
) -> None:
    governance = stores.governance
    plan = a_plan(governance)
    before = versions(governance, plan)

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        tallies = list(
            pool.map(lambda w: hammer(governance, plan, w, SECONDS), range(THREADS))
        )
    elapsed = time.monotonic() - started

    tally = Tally()
    for one in tallies:
        tally.merge(one)
    check_and_report(
        f"{backend(settings)} {THREADS} threads x {elapsed:.1f} s",
        governance,
        plan,
        before,
        tally,
    )


def test_processes_on_the_same_aggregates_lose_no_event(
    stores: Stores, settings: Settings
) -> None:
    governance = stores.governance
    plan = a_plan(governance)
    before = versions(governance, plan)

    started = time.monotonic()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(hammer_in_process, settings, plan, w, PROCESS_SECONDS)
            for w in range(PROCESSES)
        ]
        tallies = [f.result() for f in futures]
    elapsed = time.monotonic() - started

    tally = Tally()
    for one in tallies:
        tally.merge(one)
    # This process's cache may hold older versions: read the store afresh.
    fresh = open_stores(settings, create_tables=False)
    try:
        check_and_report(
            f"{backend(settings)} {PROCESSES} processes x {elapsed:.1f} s",
            fresh.governance,
            plan,
            before,
            tally,
        )
    finally:
        fresh.close()
