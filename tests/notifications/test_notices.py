"""Notices of the steps that wait on someone, from the step to the SMTP server.

Each test takes a step through the service, runs the scheduler's tick as the
scheduler would, and reads the e-mails the real SMTP sink received: one per person
concerned, none to the person who acted, and never a second one (another tick, a
second sender, a rebuild of the projections).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from governance.actor import Actor
from governance.values import MemberRole, Motion
from governance.voting import Outcome
from notifications.notice_store import NoticeStore
from notifications.scheduler import Jobs
from projections.decisions import bodies
from tests.notifications.conftest import Reminded, at_paris
from tests.support.builders import an_invitation
from tests.support.fakes import FixedClock
from tests.support.smtp import SmtpServer
from web.ops.jobs import make_jobs
from web.ops.storage import Stores
from web.settings import Settings

OPTIONS = ("for", "against", "abstain")


@pytest.fixture
def jobs(stores: Stores, mail_settings: Settings, clock: FixedClock) -> Iterator[Jobs]:
    """The scheduler's jobs with the notices of steps (the reminders' tests leave
    them out)."""
    made = make_jobs(stores, mail_settings)
    made.now = clock.now
    yield made
    made.stop()


def mails_to(smtp: SmtpServer, address: str, subject: str) -> list[object]:
    return [
        m for m in smtp.received if m["To"] == address and subject in str(m["Subject"])
    ]


def body_of(message: object) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def copil(stores: Stores, reminded: Reminded) -> str:
    with stores.read_side.engine.connect() as connection:
        return str(
            connection.scalar(
                select(bodies.c.body_id).where(
                    bodies.c.consortium_id == str(reminded.consortium_id)
                )
            )
        )


def copil_partners(stores: Stores, reminded: Reminded) -> list[str]:
    with stores.read_side.engine.connect() as connection:
        members = connection.scalar(
            select(bodies.c.members).where(
                bodies.c.consortium_id == str(reminded.consortium_id)
            )
        )
    return list(json.loads(members))


def table_written_vote(
    stores: Stores, reminded: Reminded, clock: FixedClock, hours: int = 96
) -> UUID:
    motion = Motion(
        "Répartition du budget",
        "Le comité adopte la répartition annexée.",
        OPTIONS,
        "written",
        closes_at=clock.now() + timedelta(hours=hours),
    )
    created = stores.governance.table_proposal(
        Actor(reminded.coordinator),
        reminded.consortium_id,
        copil(stores, reminded),
        motion,
    )
    return UUID(created.id)


def submitted_report(stores: Stores, reminded: Reminded) -> None:
    pilot = Actor(reminded.pilot)
    stores.governance.draft_report(pilot, reminded.report_id, "Ce que nous avons fait.")
    stores.governance.submit_report(pilot, reminded.report_id)


def test_members_whose_partner_may_vote_get_one_email_when_a_vote_opens(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    # Given a vote tabled to the COPIL (only the steering member's partner sits on it)
    table_written_vote(stores, reminded, clock)
    # When the scheduler ticks twice
    jobs.tick()
    jobs.tick()
    # Then the steering member got one e-mail, in French, with the vote's link
    [mail] = mails_to(smtp, reminded.emails["steering"], "Vote ouvert")
    assert "Répartition du budget" in str(mail["Subject"])  # type: ignore[index]
    assert "/proposals/" in body_of(mail)
    assert str(mail["Message-ID"]).startswith("<notice.")  # type: ignore[index]
    # And nobody else was told: not the other member, not the coordinator who acted
    for role in ("other", "coordinator", "pilot", "financer"):
        assert not mails_to(smtp, reminded.emails[role], "Vote ouvert")


def test_a_vote_closing_within_48_hours_is_told_once_to_members_who_have_not_voted(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    table_written_vote(stores, reminded, clock, hours=72)
    jobs.tick()
    assert not mails_to(smtp, reminded.emails["steering"], "clôture")
    # When the clock reaches 48 hours before the closing, and ticks go on
    clock.advance(timedelta(hours=25))
    jobs.tick()
    clock.advance(timedelta(hours=1))
    jobs.tick()
    # Then one reminder that the vote closes soon
    [mail] = mails_to(smtp, reminded.emails["steering"], "clôture")
    assert "pas encore voté" in body_of(mail)


def test_a_closed_vote_tells_its_outcome_to_the_members_and_coordinators(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    proposal_id = table_written_vote(stores, reminded, clock, hours=1)
    clock.advance(timedelta(hours=2))
    # When the scheduler closes the vote (no quorum: nobody voted)
    jobs.tick()
    jobs.tick()
    # Then the members and the coordinator learn the outcome, once
    [mail] = mails_to(smtp, reminded.emails["steering"], "Vote clos")
    assert "quorum non atteint" in str(mail["Subject"])  # type: ignore[index]
    assert len(mails_to(smtp, reminded.emails["coordinator"], "Vote clos")) == 1
    assert str(proposal_id) in body_of(mail)


def test_a_submitted_report_is_told_to_the_financer_then_the_review_to_the_pilot(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    submitted_report(stores, reminded)
    jobs.tick()
    [mail] = mails_to(smtp, reminded.emails["financer"], "Rapport remis")
    assert "Rapport d'activité 1" in str(mail["Subject"])  # type: ignore[index]
    assert not mails_to(smtp, reminded.emails["pilot"], "Rapport remis")
    # When the financer asks for changes, then (after a new submission) accepts
    financer = Actor(reminded.financer)
    stores.governance.request_report_changes(financer, reminded.report_id, "Chiffres ?")
    jobs.tick()
    submitted_report(stores, reminded)
    stores.governance.accept_report(financer, reminded.report_id, "Merci.")
    jobs.tick()
    jobs.tick()
    # Then the pilot responsible got one e-mail for each, the financer none of them
    assert len(mails_to(smtp, reminded.emails["pilot"], "Modifications demandées")) == 1
    assert len(mails_to(smtp, reminded.emails["pilot"], "Rapport accepté")) == 1
    assert len(mails_to(smtp, reminded.emails["financer"], "Rapport remis")) == 2
    assert not mails_to(smtp, reminded.emails["financer"], "Rapport accepté")


def test_an_accepted_invitation_and_a_recorded_decision_are_told(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    coordinator = Actor(reminded.coordinator)
    newcomer = stores.accounts.create_account(
        "newcomer@reminded.example",
        "Newcomer",
        "correct horse battery",
        now=clock.now(),
    ).account_id
    invitation = an_invitation(
        stores.governance, coordinator, reminded.consortium_id, MemberRole.PILOT_TEAM
    )
    stores.governance.accept_invitation(
        Actor(newcomer), reminded.consortium_id, invitation
    )
    stores.governance.record_decision(
        coordinator,
        reminded.consortium_id,
        copil(stores, reminded),
        title="Charte adoptée",
        text="",
        outcome=Outcome.ADOPTED,
        decided_on=clock.now().date(),
        present=tuple(copil_partners(stores, reminded)),
        minutes=None,
    )
    jobs.tick()
    [joined] = mails_to(smtp, reminded.emails["coordinator"], "Newcomer")
    assert "a rejoint" in str(joined["Subject"])  # type: ignore[index]
    [decided] = mails_to(smtp, reminded.emails["steering"], "Décision enregistrée")
    assert "Charte adoptée" in body_of(decided)
    assert not mails_to(smtp, reminded.emails["coordinator"], "Décision enregistrée")


def test_a_sealed_checkpoint_asks_the_financer_to_countersign(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    jobs.tick()  # seals the first checkpoint
    jobs.tick()
    [mail] = mails_to(smtp, reminded.emails["financer"], "contresigner")
    assert "/audit" in body_of(mail)
    # A day later, with nothing done in the consortium since, the next checkpoint
    # asks nothing more of its financer
    clock.advance(timedelta(days=1, minutes=1))
    jobs.tick()
    jobs.tick()
    assert len(mails_to(smtp, reminded.emails["financer"], "contresigner")) == 1
    # and after a step taken by a person, it asks again
    submitted_report(stores, reminded)
    clock.advance(timedelta(days=1, minutes=1))
    jobs.tick()
    jobs.tick()
    assert len(mails_to(smtp, reminded.emails["financer"], "contresigner")) == 2


def test_nothing_is_sent_twice_after_the_projections_are_rebuilt(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    table_written_vote(stores, reminded, clock)
    submitted_report(stores, reminded)
    jobs.tick()
    jobs.tick()  # the checkpoint the first tick sealed is told by the second
    before = sorted(str(m["Message-ID"]) for m in smtp.received)
    # When the read models are rebuilt and the scheduler ticks again
    stores.read_side.rebuild()
    jobs.tick()
    jobs.tick()
    # Then no e-mail went out again
    assert sorted(str(m["Message-ID"]) for m in smtp.received) == before
    assert len(set(before)) == len(before)


def test_a_second_sender_running_the_same_steps_sends_nothing_more(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    table_written_vote(stores, reminded, clock)
    assert jobs.reminders is not None
    assert jobs.reminders.notices is not None
    steps = jobs.reminders.notices
    # Two intakes and two dispatches, as two workers started by mistake would do
    steps.run(clock.now())
    steps.run(clock.now())
    jobs.reminders.send(clock.now())
    jobs.reminders.send(clock.now())
    assert len(mails_to(smtp, reminded.emails["steering"], "Vote ouvert")) == 1


def test_people_who_chose_the_digest_get_their_notices_in_one_morning_email(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    stores.accounts.update_preferences(reminded.financer, delivery="digest")
    stores.accounts.update_preferences(reminded.steering_member, delivery="in_app")
    table_written_vote(stores, reminded, clock)
    submitted_report(stores, reminded)
    jobs.tick()
    assert not mails_to(smtp, reminded.emails["financer"], "")
    # When 8 am comes in Paris
    clock.advance(at_paris(clock.now().date(), 8, 5) - clock.now())
    jobs.tick()
    jobs.tick()
    [digest] = mails_to(smtp, reminded.emails["financer"], "Vos notifications")
    assert "Rapport d'activité 1" in body_of(digest)
    # And the person who chose the application only got nothing by e-mail
    assert not mails_to(smtp, reminded.emails["steering"], "")
    store = NoticeStore(stores.outbox.engine)
    [notice] = [
        n for n in store.of_account(reminded.steering_member) if n.kind == "vote_opened"
    ]
    assert notice.channel == "in_app"


def test_steps_taken_before_notices_existed_are_not_told(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    # Given an installation whose intake begins at the end of its log (an upgrade)
    table_written_vote(stores, reminded, clock)
    store = NoticeStore(stores.outbox.engine)
    with store.engine.begin() as connection:
        from notifications.notice_store import notice_intake

        connection.execute(notice_intake.delete())
    store.start(stores.read_side.log.last_position())
    # When the scheduler ticks
    jobs.tick()
    # Then the older vote is not told
    assert not mails_to(smtp, reminded.emails["steering"], "Vote ouvert")


def test_a_hostile_vote_title_adds_no_header_to_the_email(
    stores: Stores, reminded: Reminded, jobs: Jobs, clock: FixedClock, smtp: SmtpServer
) -> None:
    motion = Motion(
        "Budget\r\nBcc: victim@x.test <script>alert(1)</script>",
        "",
        OPTIONS,
        "written",
        closes_at=clock.now() + timedelta(days=5),
    )
    stores.governance.table_proposal(
        Actor(reminded.coordinator),
        reminded.consortium_id,
        copil(stores, reminded),
        motion,
    )
    jobs.tick()
    [mail] = mails_to(smtp, reminded.emails["steering"], "Vote ouvert")
    assert mail["Bcc"] is None  # type: ignore[index]
    assert "\n" not in str(mail["Subject"])  # type: ignore[index]
    assert not [m for m in smtp.received if "victim" in str(m["To"])]
