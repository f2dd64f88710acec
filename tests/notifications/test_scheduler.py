"""The scheduler thread: it ticks the jobs at once and stops cleanly.

The scheduler asks the real time, so the vote is tabled on a service clock set two
hours back and is already past its deadline when the clock is brought to now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.values import MemberRole, Motion
from governance.voting import DEFAULT_OPTIONS, FOR, Outcome, VotingRule
from notifications.health import Health
from notifications.outbox import job_runs
from notifications.scheduler import Jobs, start_scheduler, stop_scheduler
from projections.catalogue import all_projections
from projections.decisions import ProposalRow, proposal
from projections.event_log import LibraryEventLog
from projections.runtime import ReadSide
from tests.support.builders import (
    COORDINATOR_ID,
    a_governance,
    admitted_partner,
    an_authority,
    an_invitation,
    founded_consortium,
)
from tests.support.fakes import FixedClock
from web.ops.storage import sqlite_engine

COORDINATOR = Actor(COORDINATOR_ID)
MAYOR = Actor("acc-mairie")
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC) - timedelta(hours=2))


@pytest.fixture
def governance(tmp_path: Path, clock: FixedClock) -> Iterator[Governance]:
    governance = a_governance("sqlite", tmp_path, clock)
    yield governance
    governance.close()


@pytest.fixture
def read_side(tmp_path: Path, governance: Governance) -> Iterator[ReadSide]:
    engine = sqlite_engine(tmp_path / "read.db")
    read_side = ReadSide(
        engine,
        LibraryEventLog(governance.recorder, governance.mapper),
        all_projections(),
    )
    read_side.create_tables()
    yield read_side
    engine.dispose()


def a_due_vote(governance: Governance, clock: FixedClock) -> tuple[UUID, UUID]:
    """A one-partner committee's written vote, voted for, an hour past its deadline.

    Returns the consortium's and the proposal's ids.
    """
    cid = founded_consortium(governance, COORDINATOR)
    lead = admitted_partner(governance, COORDINATOR, cid, an_authority())
    body = governance.establish_body(
        COORDINATOR,
        cid,
        name="Comité de pilotage",
        members={lead: 1},
        rule=VotingRule(),
    )
    invitation = an_invitation(governance, COORDINATOR, cid, MemberRole.MEMBER, lead)
    governance.accept_invitation(MAYOR, cid, invitation)
    motion = Motion(
        "Répartition du budget",
        "Le comité adopte la répartition annexée.",
        DEFAULT_OPTIONS,
        "written",
        closes_at=clock.now() + timedelta(hours=1),
    )
    proposal_id = UUID(governance.table_proposal(COORDINATOR, cid, body.id, motion).id)
    governance.cast_vote(MAYOR, proposal_id, lead, FOR)
    clock.advance(timedelta(hours=2))
    return cid, proposal_id


def a_meeting_vote(governance: Governance, consortium_id: UUID) -> UUID:
    body = governance.establish_body(
        COORDINATOR,
        consortium_id,
        name="Assemblée générale",
        members={admitted_partner(governance, COORDINATOR, consortium_id): 1},
        rule=VotingRule(),
    )
    motion = Motion(
        "Adoption de la charte",
        "Charte d'éthique du consortium.",
        DEFAULT_OPTIONS,
        "meeting",
        meeting_on=date(2026, 3, 2),
    )
    created = governance.table_proposal(COORDINATOR, consortium_id, body.id, motion)
    return UUID(created.id)


def wait_until_decided(
    read_side: ReadSide, consortium_id: UUID, proposal_id: UUID
) -> ProposalRow | None:
    """The proposal once the read model shows it decided, else None after 5 s."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with read_side.engine.connect() as connection:
            row = proposal(connection, str(consortium_id), str(proposal_id))
        if row is not None and row.outcome is not None:
            return row
        time.sleep(POLL_SECONDS)
    return None


def test_the_first_tick_closes_a_due_vote_at_once(
    governance: Governance, read_side: ReadSide, clock: FixedClock
) -> None:
    # Given a written vote past its deadline
    consortium_id, proposal_id = a_due_vote(governance, clock)
    # When the scheduler starts
    scheduler = start_scheduler(Jobs(governance, read_side), seconds=1)
    try:
        decided = wait_until_decided(read_side, consortium_id, proposal_id)
    finally:
        stop_scheduler(scheduler)
    # Then the vote is closed within seconds, with its outcome
    assert decided is not None
    assert decided.outcome is Outcome.ADOPTED


def test_the_scheduler_leaves_a_meeting_vote_open(
    governance: Governance, read_side: ReadSide, clock: FixedClock
) -> None:
    # Given a due written vote and a meeting vote
    consortium_id, due = a_due_vote(governance, clock)
    meeting = a_meeting_vote(governance, consortium_id)
    # When the scheduler has closed the due vote
    scheduler = start_scheduler(Jobs(governance, read_side), seconds=1)
    try:
        decided = wait_until_decided(read_side, consortium_id, due)
    finally:
        stop_scheduler(scheduler)
    # Then the meeting vote is still open
    with read_side.engine.connect() as connection:
        still = proposal(connection, str(consortium_id), str(meeting))
    assert decided is not None
    assert still is not None
    assert still.is_open


def test_stopping_the_scheduler_leaves_no_thread_running(
    governance: Governance, read_side: ReadSide, clock: FixedClock
) -> None:
    # Given a running scheduler that has ticked (it closed a due vote)
    consortium_id, proposal_id = a_due_vote(governance, clock)
    threads_before = set(threading.enumerate())
    scheduler = start_scheduler(Jobs(governance, read_side), seconds=1)
    assert scheduler.running
    assert wait_until_decided(read_side, consortium_id, proposal_id) is not None
    # When it is stopped
    stop_scheduler(scheduler)
    # Then it is not running and every thread it started has ended
    assert not scheduler.running
    assert set(threading.enumerate()) <= threads_before


def test_each_poller_s_runs_are_recorded_under_its_name_failed_or_not(
    governance: Governance, read_side: ReadSide, tmp_path: Path
) -> None:
    # Given a scheduler with two pollers, one of which fails every time
    engine = sqlite_engine(tmp_path / "app.db")
    job_runs.create(engine)
    health = Health(engine)
    polled = threading.Event()

    def good() -> str:
        polled.set()
        return "sent=2"

    def failing() -> str:
        raise ConnectionError("the receiver's database is gone")

    jobs = Jobs(
        governance,
        read_side,
        health=health,
        pollers=[("good", good, 1), ("failing", failing, 1)],
    )
    # When it has run for a little over a second
    scheduler = start_scheduler(jobs, seconds=60)
    try:
        assert polled.wait(timeout=10)
        deadline = time.monotonic() + 10
        while health.last("failing") is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop_scheduler(scheduler)
    # Then each poller's last run is recorded with what it said, or why it failed
    good_run, failed_run = health.last("good"), health.last("failing")
    assert good_run is not None
    assert (good_run.ok, good_run.summary) == (True, "sent=2")
    assert failed_run is not None
    assert (failed_run.ok, failed_run.last_ok_at) == (False, None)
    assert "the receiver's database is gone" in (failed_run.error or "")
