"""The job closing written votes at their deadline, on a real service and read side.

Governance and read models live in SQLite files; the clock is fixed and moved on by
hand, and the job is given the same moment the service's clock shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from governance import events
from governance.actor import SCHEDULER, Actor
from governance.application import Governance
from governance.values import MemberRole, Motion, PartnerKind
from governance.voting import DEFAULT_OPTIONS, FOR, Outcome, VotingRule
from notifications.jobs import close_due_proposals
from projections.base import Envelope
from projections.catalogue import all_projections
from projections.decisions import ProposalRow, proposal, steps_of
from projections.event_log import LibraryEventLog
from projections.runtime import ReadSide
from tests.support.builders import (
    COORDINATOR_ID,
    RNA_A,
    SIRET_B,
    T0,
    a_governance,
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_invitation,
    founded_consortium,
)
from tests.support.fakes import FixedClock
from web.ops.storage import sqlite_engine

COORDINATOR = Actor(COORDINATOR_ID)
MAYOR = Actor("acc-mairie")
RESEARCHER = Actor("acc-labo")


@dataclass(frozen=True)
class Steering:
    """A consortium with three partners in a steering committee; two can vote."""

    consortium_id: UUID
    body_id: str
    lead_id: str
    lab_id: str
    association_id: str


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


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


@pytest.fixture
def steering(governance: Governance) -> Steering:
    """Found, admit three partners, establish the committee, invite two voters."""
    cid = founded_consortium(governance, COORDINATOR)
    lead = admitted_partner(governance, COORDINATOR, cid, an_authority())
    lab = admitted_partner(
        governance,
        COORDINATOR,
        cid,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
    )
    association = admitted_partner(
        governance, COORDINATOR, cid, a_partner_identity("Association Clic", rna=RNA_A)
    )
    body = governance.establish_body(
        COORDINATOR,
        cid,
        name="Comité de pilotage",
        members={lead: 1, lab: 1, association: 1},
        rule=VotingRule(),
    )
    for person, partner in ((MAYOR, lead), (RESEARCHER, lab)):
        invitation = an_invitation(
            governance, COORDINATOR, cid, MemberRole.MEMBER, partner
        )
        governance.accept_invitation(person, cid, invitation)
    return Steering(cid, body.id, lead, lab, association)


def a_written_vote(
    governance: Governance,
    steering: Steering,
    title: str = "Répartition du budget",
    *,
    closes_in: timedelta = timedelta(hours=1),
) -> UUID:
    """Table a written vote closing ``closes_in`` from the service's clock."""
    motion = Motion(
        title,
        "Le comité adopte la répartition annexée.",
        DEFAULT_OPTIONS,
        "written",
        closes_at=governance.clock.now() + closes_in,
    )
    return UUID(
        governance.table_proposal(
            COORDINATOR, steering.consortium_id, steering.body_id, motion
        ).id
    )


def a_meeting_vote(governance: Governance, steering: Steering) -> UUID:
    motion = Motion(
        "Adoption de la charte",
        "Charte d'éthique du consortium.",
        DEFAULT_OPTIONS,
        "meeting",
        meeting_on=date(2026, 3, 2),
    )
    return UUID(
        governance.table_proposal(
            COORDINATOR, steering.consortium_id, steering.body_id, motion
        ).id
    )


def row(read_side: ReadSide, steering: Steering, proposal_id: UUID) -> ProposalRow:
    with read_side.engine.connect() as connection:
        found = proposal(connection, str(steering.consortium_id), str(proposal_id))
    assert found is not None
    return found


def last_position(governance: Governance) -> int:
    return int(governance.recorder.max_notification_id() or 0)


def recorded_since(governance: Governance, position: int) -> list[Envelope]:
    log = LibraryEventLog(governance.recorder, governance.mapper)
    return list(log.read(position, 1000))


def test_a_written_vote_past_its_deadline_is_closed_with_its_outcome(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a written vote where two of three partners voted for
    proposal_id = a_written_vote(governance, steering)
    governance.cast_vote(MAYOR, proposal_id, steering.lead_id, FOR)
    governance.cast_vote(RESEARCHER, proposal_id, steering.lab_id, FOR)
    # When its deadline has passed and the job runs
    clock.advance(timedelta(hours=1, minutes=1))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then it is closed, adopted, and the read model shows it
    decided = row(read_side, steering, proposal_id)
    assert closed == 1
    assert (decided.outcome, decided.closed_at) == (Outcome.ADOPTED, clock.now())


def test_a_vote_is_closed_exactly_at_its_deadline(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    proposal_id = a_written_vote(governance, steering)

    clock.advance(timedelta(hours=1))
    closed = close_due_proposals(governance, read_side, clock.now())

    assert closed == 1
    assert row(read_side, steering, proposal_id).outcome is Outcome.NO_QUORUM


def test_the_closing_is_recorded_as_done_by_the_scheduler(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a written vote past its deadline
    proposal_id = a_written_vote(governance, steering)
    clock.advance(timedelta(hours=2))
    before = last_position(governance)
    # When the job closes it
    close_due_proposals(governance, read_side, clock.now())
    # Then one Closed event is recorded, by the scheduler, at the clock's time
    recorded = recorded_since(governance, before)
    assert [type(e.event) for e in recorded] == [events.ProposalClosed]
    (closing,) = recorded
    assert (closing.originator_id, closing.actor_id) == (str(proposal_id), SCHEDULER)
    assert closing.event.closed_at == clock.now()
    with read_side.engine.connect() as connection:
        last_step = steps_of(connection, str(proposal_id))[-1]
    assert (last_step.kind, last_step.actor_id) == ("closed", SCHEDULER)


def test_a_second_run_closes_nothing_and_records_nothing(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a due vote the job has already closed
    a_written_vote(governance, steering)
    clock.advance(timedelta(hours=2))
    assert close_due_proposals(governance, read_side, clock.now()) == 1
    before = last_position(governance)
    # When the job runs again, even later
    clock.advance(timedelta(minutes=1))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then nothing is closed and the log does not grow
    assert closed == 0
    assert last_position(governance) == before


def test_a_vote_before_its_deadline_stays_open(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a written vote closing in an hour, with a vote cast
    proposal_id = a_written_vote(governance, steering)
    governance.cast_vote(MAYOR, proposal_id, steering.lead_id, FOR)
    before = last_position(governance)
    # When the job runs a minute before the deadline
    clock.advance(timedelta(minutes=59))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then the vote stays open and nothing is recorded
    assert closed == 0
    assert row(read_side, steering, proposal_id).is_open
    assert last_position(governance) == before


def test_a_meeting_vote_is_never_closed_by_the_job(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a vote held in a meeting whose day is long past
    proposal_id = a_meeting_vote(governance, steering)
    # When the job runs weeks later
    clock.advance(timedelta(days=30))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then the meeting vote waits for a coordinator to close it
    assert closed == 0
    assert row(read_side, steering, proposal_id).is_open


def test_only_due_written_votes_are_closed_among_others(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a due written vote, a written vote not due yet and a meeting vote
    due = a_written_vote(governance, steering, "Budget", closes_in=timedelta(hours=1))
    later = a_written_vote(
        governance, steering, "Calendrier", closes_in=timedelta(days=3)
    )
    meeting = a_meeting_vote(governance, steering)
    # When the job runs a day later
    clock.advance(timedelta(days=1))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then only the due one is closed
    assert closed == 1
    assert [row(read_side, steering, p).is_open for p in (due, later, meeting)] == [
        False,
        True,
        True,
    ]


def test_one_run_after_a_downtime_closes_every_vote_that_fell_due(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given three votes falling due hours apart and one closing next week
    due = [
        a_written_vote(
            governance, steering, f"Motion {n}", closes_in=timedelta(hours=n)
        )
        for n in (1, 2, 3)
    ]
    governance.cast_vote(MAYOR, due[0], steering.lead_id, FOR)
    governance.cast_vote(RESEARCHER, due[0], steering.lab_id, FOR)
    next_week = a_written_vote(
        governance, steering, "Motion suivante", closes_in=timedelta(days=7)
    )
    # When the scheduler was down for half a day and runs once
    clock.advance(timedelta(hours=12))
    before = last_position(governance)
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then the three due votes are closed in that one run, each once
    outcomes = [row(read_side, steering, p).outcome for p in due]
    assert closed == 3
    assert outcomes == [Outcome.ADOPTED, Outcome.NO_QUORUM, Outcome.NO_QUORUM]
    assert row(read_side, steering, next_week).is_open
    closings = recorded_since(governance, before)
    assert sorted(e.originator_id for e in closings) == sorted(str(p) for p in due)
    assert {e.actor_id for e in closings} == {SCHEDULER}


def test_the_job_catches_the_read_side_up_before_choosing(
    governance: Governance, read_side: ReadSide, steering: Steering, clock: FixedClock
) -> None:
    # Given a vote tabled while the read models were not caught up
    assert read_side.position() < last_position(governance)
    proposal_id = a_written_vote(governance, steering)
    # When the job runs past its deadline
    clock.advance(timedelta(hours=1))
    closed = close_due_proposals(governance, read_side, clock.now())
    # Then it found the vote, closed it and left the read models up to date
    assert closed == 1
    assert read_side.position() == last_position(governance)
    assert not row(read_side, steering, proposal_id).is_open
