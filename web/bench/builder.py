"""A synthetic but realistic platform history, written through the application.

Each consortium lives a year shaped like the demo's (``web/ops/demo/``): seven
partners admitted, people invited, papers, phases, pledges in every kind, governance
bodies, written and meeting votes, reports scheduled, drafted, submitted, reviewed,
indicators measured, deliveries, a recorded decision, and the reminders the scheduler
would have issued and sent (about 200 events). One consortium, the *flagship* that the
pages are measured on, goes on for nine more years (at every size: ten times a
demo-sized consortium's commitments and reports), so its pages have a long history
behind them; its years are spread over the whole build, so a page deep in its history is
deep in the log too.

Every command goes through the ``Governance`` service (permissions, invariants,
events) but the service here is a ``BatchingGovernance``: it keeps the aggregates a
command touched in memory and saves them together, thousands of events per
transaction, instead of one transaction per command. That is what makes a million
events take minutes rather than hours; nothing else differs from the real path.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from web.bench.batching import BatchingGovernance
from web.bench.life import Life, flagship_year, found
from web.ops.demo.pdf import demo_pdf
from web.ops.storage import Stores

EVENTS_PER_YEAR = 200
"""About how many events one consortium-year writes (the demo writes 197)."""
FLAGSHIP_YEARS = 10
"""How many years the measured consortium lives, at every size: it holds ten times
the commitments and reports of a demo-sized consortium (one year), and seven times
its votes, which the benchmark compares with one of the others on the same store."""
SPREAD_CONSORTIA = 32
"""How many other consortia the build notes for the writers to spread over."""


@dataclass
class People:
    """A pool of accounts; each consortium draws its people from it."""

    account_ids: list[str]
    cursor: int = 0

    def take(self, count: int) -> list[str]:
        chosen = []
        for _ in range(count):
            chosen.append(self.account_ids[self.cursor % len(self.account_ids)])
            self.cursor += 1
        return chosen


@dataclass
class Flagship:
    """What the measurements need to know about the measured consortium."""

    consortium_id: str
    coordinator_id: str
    coordinator_email: str
    coordinator_password: str
    partner_id: str = ""
    first_positions: list[int] = field(default_factory=list)
    others: list[list[str]] = field(default_factory=list)
    """Other consortia the concurrent writers spread over: for each, its id, its
    coordinator's e-mail (same password as the flagship's) and one partner's id."""


@dataclass
class BuildResult:
    """What was built and how long it took."""

    events: int
    consortia: int
    seconds: float
    flagship: Flagship


def build(
    stores: Stores,
    events: int,
    *,
    progress: Callable[[int], None] | None = None,
    people_per_consortium: int = 8,
) -> BuildResult:
    """Write about ``events`` events; returns what was built and the flagship."""
    started = time.perf_counter()
    governance = BatchingGovernance(dict(stores.governance.env))
    try:
        return _build(
            stores, governance, events, progress, people_per_consortium, started
        )
    finally:
        governance.close()


def _build(
    stores: Stores,
    governance: BatchingGovernance,
    events: int,
    progress: Callable[[int], None] | None,
    per: int,
    started: float,
) -> BuildResult:
    years = FLAGSHIP_YEARS
    # At least one demo-sized consortium beside the measured one, whatever the size.
    others = max(1, (events - years * EVENTS_PER_YEAR) // EVENTS_PER_YEAR)
    password = secrets.token_urlsafe(12)
    pool_size = max(4 * per, min(2 * (others + 1), 5000))
    now = datetime.now(UTC)
    pool = People(
        [
            stores.accounts.create_account(
                f"person{n}@bench.example",
                f"Personne {n}",
                # One password for every synthetic person, so that the writers
                # can log in as the coordinators of several consortia.
                password,
                now=now,
            ).account_id
            for n in range(pool_size)
        ]
    )
    evidence = stores.evidence.save(BytesIO(demo_pdf("Justificatif")), "piece.pdf")
    reported = 0

    def report() -> None:
        nonlocal reported
        if progress is not None and governance.events_saved > reported:
            progress(governance.events_saved - reported)
            reported = governance.events_saved

    flagship_people = pool.take(per)
    flagship = found(governance, 0, date(2020, 1, 1), flagship_people, evidence)
    first_positions = _positions_after_flush(governance)
    governance.forget()
    report()
    # The flagship's later years are spread over the build of the others.
    due_years = iter(range(1, years))
    every = max(1, others // max(1, years - 1)) if others else 1
    spread: list[list[str]] = []
    for number in range(1, others + 1):
        start = date(2020, 1, 1) + timedelta(days=number % 1500)
        first = pool.cursor % len(pool.account_ids)
        life = found(governance, number, start, pool.take(per), evidence)
        if len(spread) < SPREAD_CONSORTIA:
            email = f"person{first}@bench.example"
            spread.append([str(life.cid), email, life.partners[1]])
        governance.forget()
        if number % every == 0:
            _next_flagship_year(governance, flagship, due_years)
        report()
    for year in due_years:
        _next_flagship_year(governance, flagship, iter([year]))
    governance.forget()
    report()
    return BuildResult(
        events=governance.events_saved,
        consortia=others + 1,
        seconds=time.perf_counter() - started,
        flagship=Flagship(
            consortium_id=str(flagship.cid),
            coordinator_id=flagship.coordinator.account_id,
            coordinator_email="person0@bench.example",
            coordinator_password=password,
            partner_id=flagship.partners[1],
            first_positions=first_positions,
            others=spread,
        ),
    )


def _positions_after_flush(governance: BatchingGovernance) -> list[int]:
    """The log's last position once everything written so far is saved."""
    governance.flush()
    return [int(governance.recorder.max_notification_id() or 0)]


def _next_flagship_year(
    governance: BatchingGovernance, flagship: Life, years: Iterator[int]
) -> None:
    year = next(years, None)
    if year is None:
        return
    flagship.use()
    flagship_year(flagship, year)
    governance.forget()
