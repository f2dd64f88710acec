"""A consortium with people, a steering body and a report due, on real stores, with
the reminder pipeline sending to a real SMTP server on 127.0.0.1.

The service's clock is fixed and moved by the test; every run of the pipeline is
given the clock's time, so a test can walk through weeks in a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from governance.actor import Actor
from governance.values import (
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    ReportKind,
)
from governance.voting import VotingRule
from notifications.mail import SmtpSettings, SmtpTransport
from notifications.reminders import ReminderPipeline
from notifications.scheduler import Jobs
from tests.support.builders import FUNDER, a_call, person_in_role
from tests.support.fakes import FixedClock
from tests.support.smtp import SmtpServer
from web.ops.jobs import make_jobs
from web.ops.storage import Stores, open_stores
from web.settings import Settings

DUE_ON = date(2026, 9, 30)
START = datetime(2026, 8, 1, 4, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def mail_settings(
    request: pytest.FixtureRequest, tmp_path: Path, smtp: SmtpServer
) -> Settings:
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    return Settings(
        data_dir=tmp_path,
        database_url=url,
        secret_key="test-secret",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
        base_url="https://ledger.example",
        smtp=SmtpSettings("127.0.0.1", smtp.port, security="none", timeout=5),
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def stores(mail_settings: Settings, clock: FixedClock) -> Iterator[Stores]:
    opened = open_stores(mail_settings, clock=clock)
    yield opened
    opened.close()


@dataclass(frozen=True)
class Reminded:
    """The people and the report of the reminded consortium."""

    consortium_id: UUID
    report_id: UUID
    coordinator: str
    pilot: str
    steering_member: str
    other_member: str
    financer: str
    emails: dict[str, str]


def build_reminded(
    stores: Stores,
    clock: FixedClock,
    *,
    reports: int = 1,
    due_on: date = DUE_ON,
    applied: bool = True,
) -> Reminded:
    """Found the consortium, admit two partners (one on the COPIL), give people their
    roles, and schedule ``reports`` reports due on ``due_on`` (the pilot responsible).

    ``applied``: the application is filed (its call's closing dates are no longer
    reminded); else the consortium is still setting up.
    """
    governance, accounts = stores.governance, stores.accounts
    now = clock.now()
    emails = {
        role: f"{role}@reminded.example"
        for role in ("coordinator", "pilot", "steering", "other", "financer")
    }
    ids = {
        role: accounts.create_account(email, role.title(), PASSWORD, now=now).account_id
        for role, email in emails.items()
    }
    coordinator = Actor(ids["coordinator"])
    cid = UUID(
        governance.found_consortium(
            coordinator,
            name="Val de Brume numérique",
            acronym="VBN",
            summary="",
            territory="Val de Brume",
            call=a_call(),
            founded_on=date(2026, 1, 5),
        ).id
    )

    def admit(name: str, role: PartnerRole) -> str:
        return governance.admit_partner(
            coordinator,
            cid,
            PartnerIdentity(name, PartnerKind.COMPANY),
            role=role,
            axis="",
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=date(2026, 1, 6),
        ).id

    lead = admit("Communauté du Val", PartnerRole.LEAD)
    other = admit("Tiers-lieu", PartnerRole.PARTNER)
    governance.establish_body(
        coordinator, cid, name="COPIL", members={lead: 1}, rule=VotingRule()
    )
    if applied:
        governance.change_phase(
            coordinator, cid, Phase.APPLICATION_SUBMITTED, date(2026, 4, 28)
        )
    for role, member_role, partner in (
        ("pilot", MemberRole.PILOT_TEAM, None),
        ("steering", MemberRole.MEMBER, lead),
        ("other", MemberRole.MEMBER, other),
        ("financer", MemberRole.FINANCER, None),
    ):
        person_in_role(governance, coordinator, cid, ids[role], member_role, partner)
    report_ids = [
        UUID(
            governance.schedule_report(
                coordinator,
                cid,
                funder=FUNDER,
                title=f"Rapport d'activité {n + 1}",
                kind=ReportKind.ACTIVITY_REPORT,
                responsible_id=ids["pilot"],
                due_on=due_on,
            ).id
        )
        for n in range(reports)
    ]
    stores.read_side.catch_up()
    return Reminded(
        cid,
        report_ids[0],
        ids["coordinator"],
        ids["pilot"],
        ids["steering"],
        ids["other"],
        ids["financer"],
        emails,
    )


@pytest.fixture
def reminded(stores: Stores, clock: FixedClock) -> Reminded:
    return build_reminded(stores, clock)


@pytest.fixture
def jobs(stores: Stores, mail_settings: Settings, clock: FixedClock) -> Iterator[Jobs]:
    # Reminders alone: the notices of steps have their own tests (test_notices.py).
    made = make_jobs(stores, mail_settings, notices=False)
    made.now = clock.now
    yield made
    made.stop()  # gives the lead up: closes its PostgreSQL connection


def pipeline_of(jobs: Jobs) -> ReminderPipeline:
    assert jobs.reminders is not None
    return jobs.reminders


def smtp_transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", server.port, security="none"))


def at_paris(day: date, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock moment, in UTC."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return local.astimezone(UTC)


def walk(clock: FixedClock, jobs: Jobs, until: datetime, step: timedelta) -> int:
    """Tick every ``step`` from the clock's time until ``until``; returns the ticks."""
    ticks = 0
    while clock.now() < until:
        clock.advance(min(step, until - clock.now()))
        jobs.tick()
        ticks += 1
    return ticks
