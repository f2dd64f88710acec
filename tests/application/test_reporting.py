"""The service's reporting commands: the calendar of reports and each report's life.

The consortium here has a pilot team member, a partner's member and a financer. The
coordinator and the pilot team schedule and write; the financer reviews.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.reporting import ReportingObligation
from governance.values import MemberRole, ReportKind, ReportStatus
from tests.support.builders import (
    FUNDER,
    a_spreadsheet,
    admitted_partner,
    an_evidence,
    founded_consortium,
    person_in_role,
    scheduled_report,
)
from tests.support.fakes import FixedClock

REPORT_PDF = an_evidence(filename="rapport-s1.pdf")


@dataclass(frozen=True)
class Team:
    """A consortium and the people holding each role in it besides its coordinator."""

    consortium_id: UUID
    pilot: Actor
    member: Actor
    financer: Actor


@pytest.fixture
def team(app: Governance, coordinator: Actor, consortium_id: UUID) -> Team:
    partner = admitted_partner(app, coordinator, consortium_id)
    return Team(
        consortium_id,
        person_in_role(
            app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
        ),
        person_in_role(
            app, coordinator, consortium_id, "acc-member", MemberRole.MEMBER, partner
        ),
        person_in_role(
            app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER
        ),
    )


@pytest.fixture
def due(app: Governance, team: Team) -> UUID:
    """A one-off activity report scheduled by the pilot team, nothing written."""
    return scheduled_report(app, team.pilot, team.consortium_id)


@pytest.fixture
def drafted(app: Governance, team: Team, due: UUID) -> UUID:
    """The report, drafted by the pilot team."""
    app.draft_report(team.pilot, due, "Brouillon", ())
    return due


@pytest.fixture
def submitted(app: Governance, team: Team, due: UUID) -> UUID:
    """The report, drafted with a PDF and submitted by the pilot team."""
    app.draft_report(team.pilot, due, "Douze ateliers.", (REPORT_PDF,))
    app.submit_report(team.pilot, due)
    return due


def obligation_in(app: Governance, obligation_id: UUID) -> ReportingObligation:
    obligation: object = app.repository.get(obligation_id)
    assert isinstance(obligation, ReportingObligation)
    return obligation


def recorded_since(app: Governance, position: int) -> list[Any]:
    """The events stored after ``position``, in the order of the log."""
    notifications = app.recorder.select_notifications(start=position + 1, limit=1000)
    return [app.mapper.to_domain_event(n) for n in notifications]


def schedule_quarters(
    app: Governance, actor: Actor, team: Team, **overrides: Any
) -> str:
    """Quarterly indicator updates over 2026, each due 30 days after its quarter."""
    arguments: dict[str, Any] = {
        "funder": FUNDER,
        "title": "Indicateurs trimestriels",
        "kind": ReportKind.INDICATOR_UPDATE,
        "responsible_id": team.pilot.account_id,
        "first_period_start": date(2026, 1, 1),
        "every_months": 3,
        "due_days": 30,
        "count": 4,
    }
    arguments.update(overrides)
    return app.schedule_periodic_reports(actor, team.consortium_id, **arguments).id


def actor_of(coordinator: Actor, team: Team, role: MemberRole) -> Actor:
    return {
        MemberRole.COORDINATOR: coordinator,
        MemberRole.PILOT_TEAM: team.pilot,
        MemberRole.MEMBER: team.member,
        MemberRole.FINANCER: team.financer,
    }[role]


WRITERS = [
    pytest.param(MemberRole.COORDINATOR, id="coordinator"),
    pytest.param(MemberRole.PILOT_TEAM, id="pilot-team"),
]


# -- scheduling -----------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_the_coordinator_and_the_pilot_team_schedule_a_report_to_a_funder(
    app: Governance, coordinator: Actor, team: Team, role: MemberRole
) -> None:
    scheduler = actor_of(coordinator, team, role)

    created = app.schedule_report(
        scheduler,
        team.consortium_id,
        funder=f"  {FUNDER} ",
        title="Bilan financier intermédiaire",
        kind=ReportKind.FINANCIAL_STATEMENT,
        responsible_id=team.pilot.account_id,
        due_on=date(2026, 9, 30),
    )

    obligation = obligation_in(app, UUID(created.id))
    assert (
        obligation.consortium_id,
        obligation.funder,
        obligation.title,
        obligation.kind,
        obligation.responsible_id,
        obligation.due_on,
        obligation.status,
    ) == (
        str(team.consortium_id),
        FUNDER,
        "Bilan financier intermédiaire",
        ReportKind.FINANCIAL_STATEMENT,
        "acc-pilot",
        date(2026, 9, 30),
        ReportStatus.DUE,
    )
    assert (obligation.period_start, obligation.period_end) == (None, None)
    assert [e.actor_id for e in app.events.get(obligation.id)] == [scheduler.account_id]
    assert created.position == app.recorder.max_notification_id()


def test_a_one_off_report_is_a_series_of_its_own(app: Governance, team: Team) -> None:
    first = obligation_in(app, scheduled_report(app, team.pilot, team.consortium_id))
    second = obligation_in(app, scheduled_report(app, team.pilot, team.consortium_id))

    assert first.series_id != second.series_id


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.MEMBER], ids=lambda r: r.value
)
def test_anyone_holding_a_role_may_be_responsible_for_a_report(
    app: Governance, coordinator: Actor, team: Team, role: MemberRole
) -> None:
    responsible = actor_of(coordinator, team, role).account_id

    report = scheduled_report(
        app, coordinator, team.consortium_id, responsible_id=responsible
    )

    assert obligation_in(app, report).responsible_id == responsible


@pytest.mark.parametrize(
    "responsible_id",
    [
        pytest.param("acc-stranger", id="a-stranger"),
        pytest.param("acc-revoked", id="someone-revoked"),
    ],
)
def test_a_report_someone_outside_the_consortium_is_responsible_for_is_refused(
    app: Governance, coordinator: Actor, team: Team, responsible_id: str
) -> None:
    person_in_role(
        app, coordinator, team.consortium_id, "acc-revoked", MemberRole.PILOT_TEAM
    )
    app.revoke_membership(coordinator, team.consortium_id, "acc-revoked")
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        scheduled_report(
            app, team.pilot, team.consortium_id, responsible_id=responsible_id
        )
    with pytest.raises(RuleViolated) as refused_series:
        schedule_quarters(app, team.pilot, team, responsible_id=responsible_id)

    assert refused.value.code == "reporting.responsible_not_a_member"
    assert refused_series.value.code == "reporting.responsible_not_a_member"
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"funder": " "}, "call.funder_required", id="no-funder"),
        pytest.param({"title": ""}, "reporting.title_required", id="no-title"),
    ],
)
def test_an_incomplete_report_is_refused_and_records_nothing(
    app: Governance, team: Team, overrides: dict[str, Any], code: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        scheduled_report(app, team.pilot, team.consortium_id, **overrides)

    assert refused.value.code == code
    assert app.recorder.max_notification_id() == before


def test_scheduling_in_an_unknown_consortium_is_not_found(
    app: Governance, coordinator: Actor
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        scheduled_report(app, coordinator, unknown)

    assert (refused.value.kind, refused.value.identifier) == ("consortium", unknown)


# -- periodic schedules ---------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_a_periodic_schedule_saves_one_obligation_per_period_at_once(
    app: Governance, coordinator: Actor, team: Team, role: MemberRole
) -> None:
    scheduler = actor_of(coordinator, team, role)
    before = app.recorder.max_notification_id() or 0

    series_id = schedule_quarters(app, scheduler, team)

    recorded = recorded_since(app, before)
    assert [type(e) for e in recorded] == [ReportingObligation.Scheduled] * 4
    assert {(e.series_id, e.actor_id) for e in recorded} == {
        (series_id, scheduler.account_id)
    }
    assert len({e.originator_id for e in recorded}) == 4
    assert [(e.period_start, e.period_end, e.due_on) for e in recorded] == [
        (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 30)),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 30)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 30)),
    ]
    assert all(
        obligation_in(app, e.originator_id).status is ReportStatus.DUE for e in recorded
    )


def test_the_returned_position_is_that_of_the_last_obligation(
    app: Governance, team: Team
) -> None:
    created = app.schedule_periodic_reports(
        team.pilot,
        team.consortium_id,
        funder=FUNDER,
        title="Rapport semestriel",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        first_period_start=date(2026, 1, 1),
        every_months=6,
        due_days=0,
        count=2,
    )

    last = recorded_since(app, created.position - 1)
    assert created.position == app.recorder.max_notification_id()
    assert [(e.series_id, e.period_end, e.due_on) for e in last] == [
        (created.id, date(2026, 12, 31), date(2026, 12, 31))
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"count": 0}, "reporting.count_invalid", id="no-period"),
        pytest.param({"count": 61}, "reporting.count_invalid", id="61-periods"),
        pytest.param(
            {"every_months": 25}, "reporting.every_months_invalid", id="every-25-months"
        ),
        pytest.param({"due_days": 366}, "reporting.due_days_invalid", id="366-days"),
        pytest.param({"title": " "}, "reporting.title_required", id="no-title"),
    ],
)
def test_an_invalid_periodic_schedule_records_nothing_at_all(
    app: Governance, team: Team, overrides: dict[str, Any], code: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        schedule_quarters(app, team.pilot, team, **overrides)

    assert refused.value.code == code
    assert app.recorder.max_notification_id() == before


# -- writing --------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_the_coordinator_and_the_pilot_team_draft_and_submit_a_report(
    app: Governance, coordinator: Actor, team: Team, due: UUID, role: MemberRole
) -> None:
    writer = actor_of(coordinator, team, role)

    app.draft_report(writer, due, "Douze ateliers.", (REPORT_PDF,))
    position = app.submit_report(writer, due)

    obligation = obligation_in(app, due)
    assert (obligation.status, obligation.text, obligation.attachments) == (
        ReportStatus.SUBMITTED,
        "Douze ateliers.",
        (REPORT_PDF,),
    )
    assert [e.actor_id for e in app.events.get(due)][1:] == [writer.account_id] * 2
    assert position == app.recorder.max_notification_id()


def test_attachments_come_back_from_the_store_in_order_and_once(
    app: Governance, team: Team, due: UUID
) -> None:
    app.draft_report(team.pilot, due, "Version 1", (REPORT_PDF, a_spreadsheet()))

    app.draft_report(team.pilot, due, "Version 2", (a_spreadsheet(),))

    obligation = obligation_in(app, due)
    assert (obligation.text, obligation.attachments) == (
        "Version 2",
        (REPORT_PDF, a_spreadsheet()),
    )
    assert isinstance(obligation.attachments, tuple)


def test_drafting_an_empty_report_is_refused_and_records_nothing(
    app: Governance, team: Team, due: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.draft_report(team.pilot, due, "   ")

    assert refused.value.code == "report.empty"
    assert app.recorder.max_notification_id() == before


def test_submitting_a_report_not_yet_drafted_is_refused(
    app: Governance, team: Team, due: UUID
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.submit_report(team.pilot, due)

    assert refused.value.code == "report.not_drafted"
    assert obligation_in(app, due).status is ReportStatus.DUE


def test_a_submitted_report_cannot_be_rewritten(
    app: Governance, team: Team, submitted: UUID
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.draft_report(team.pilot, submitted, "Correction")

    assert refused.value.code == "report.not_writable"


# -- reviewing ------------------------------------------------------------------------


def test_a_financer_accepts_a_submitted_report(
    app: Governance, team: Team, submitted: UUID
) -> None:
    app.accept_report(team.financer, submitted, "Conforme à la convention.")

    accepted = list(app.events.get(submitted))[-1]
    assert obligation_in(app, submitted).status is ReportStatus.ACCEPTED
    assert isinstance(accepted, ReportingObligation.ReportAccepted)
    assert (accepted.comment, accepted.actor_id) == (
        "Conforme à la convention.",
        "acc-funder",
    )


def test_changes_requested_by_a_financer_send_the_report_back_to_the_pilot_team(
    app: Governance, team: Team, submitted: UUID, clock: FixedClock
) -> None:
    app.request_report_changes(team.financer, submitted, "Ajouter les indicateurs.")
    clock.advance(timedelta(days=3))
    app.draft_report(team.pilot, submitted, "Avec les indicateurs.", (a_spreadsheet(),))
    app.submit_report(team.pilot, submitted)
    app.accept_report(team.financer, submitted, "")

    history = list(app.events.get(submitted))
    assert [(type(e), e.actor_id) for e in history] == [
        (ReportingObligation.Scheduled, "acc-pilot"),
        (ReportingObligation.ReportDrafted, "acc-pilot"),
        (ReportingObligation.ReportSubmitted, "acc-pilot"),
        (ReportingObligation.ReportChangesRequested, "acc-funder"),
        (ReportingObligation.ReportDrafted, "acc-pilot"),
        (ReportingObligation.ReportSubmitted, "acc-pilot"),
        (ReportingObligation.ReportAccepted, "acc-funder"),
    ]
    assert history[4].timestamp == clock.now()
    assert obligation_in(app, submitted).attachments == (REPORT_PDF, a_spreadsheet())


def test_requesting_changes_without_a_comment_is_refused(
    app: Governance, team: Team, submitted: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.request_report_changes(team.financer, submitted, "  ")

    assert refused.value.code == "report.comment_required"
    assert app.recorder.max_notification_id() == before


def test_a_financer_may_not_review_a_report_before_it_is_submitted(
    app: Governance, team: Team, due: UUID
) -> None:
    with pytest.raises(RuleViolated) as refused:
        app.accept_report(team.financer, due, "Conforme.")

    assert refused.value.code == "report.not_submitted"


# -- who may do what ------------------------------------------------------------------


Run = Callable[[Actor], object]


def write_commands(
    app: Governance, team: Team, report: UUID
) -> dict[str, tuple[str, Run]]:
    """Each scheduling and writing command (on ``report``), and the action it needs."""
    return {
        "schedule_report": (
            "manage_calendar",
            lambda actor: scheduled_report(app, actor, team.consortium_id),
        ),
        "schedule_periodic_reports": (
            "manage_calendar",
            lambda actor: schedule_quarters(app, actor, team),
        ),
        "draft_report": (
            "report",
            lambda actor: app.draft_report(actor, report, "Rapport", (REPORT_PDF,)),
        ),
        "submit_report": ("report", lambda actor: app.submit_report(actor, report)),
    }


def review_commands(app: Governance, report: UUID) -> dict[str, Run]:
    """Each command reviewing ``report``."""
    return {
        "accept_report": lambda actor: app.accept_report(actor, report, "Vu."),
        "request_report_changes": lambda actor: app.request_report_changes(
            actor, report, "À revoir."
        ),
    }


@pytest.mark.parametrize(
    "command",
    ["schedule_report", "schedule_periodic_reports", "draft_report", "submit_report"],
)
@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.MEMBER], ids=lambda r: r.value
)
def test_a_financer_or_a_member_may_not_schedule_or_write_reports(
    app: Governance,
    coordinator: Actor,
    team: Team,
    drafted: UUID,
    command: str,
    role: MemberRole,
) -> None:
    actor = actor_of(coordinator, team, role)
    action, run = write_commands(app, team, drafted)[command]
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        run(actor)

    assert (refused.value.action, refused.value.actor_id) == (action, actor.account_id)
    assert app.recorder.max_notification_id() == before
    assert obligation_in(app, drafted).status is ReportStatus.DRAFTED


@pytest.mark.parametrize("command", ["accept_report", "request_report_changes"])
@pytest.mark.parametrize(
    "role",
    [MemberRole.COORDINATOR, MemberRole.PILOT_TEAM, MemberRole.MEMBER],
    ids=lambda r: r.value,
)
def test_only_a_financer_reviews_not_those_who_wrote_the_report(
    app: Governance,
    coordinator: Actor,
    team: Team,
    submitted: UUID,
    command: str,
    role: MemberRole,
) -> None:
    actor = actor_of(coordinator, team, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        review_commands(app, submitted)[command](actor)

    assert (refused.value.action, refused.value.actor_id) == (
        "review_report",
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before
    assert obligation_in(app, submitted).status is ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "command",
    [
        "schedule_report",
        "schedule_periodic_reports",
        "draft_report",
        "submit_report",
        "accept_report",
        "request_report_changes",
    ],
)
def test_someone_outside_the_consortium_gets_not_found(
    app: Governance, team: Team, submitted: UUID, command: str
) -> None:
    writes = write_commands(app, team, submitted)
    runs = {name: run for name, (_, run) in writes.items()}
    runs |= review_commands(app, submitted)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        runs[command](Actor("acc-stranger"))

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        team.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


def test_the_pilot_team_of_another_consortium_gets_not_found(
    app: Governance, coordinator: Actor, team: Team, due: UUID
) -> None:
    other = founded_consortium(app, coordinator, name="Autre projet")
    outsider = person_in_role(
        app, coordinator, other, "acc-elsewhere", MemberRole.PILOT_TEAM
    )

    with pytest.raises(NotFound) as refused:
        app.draft_report(outsider, due, "Rapport")

    assert refused.value.identifier == team.consortium_id


def test_an_unknown_report_is_not_found(app: Governance, team: Team) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        app.draft_report(team.pilot, unknown, "Rapport")

    assert (refused.value.kind, refused.value.identifier) == ("obligation", unknown)


def test_a_consortium_id_is_not_a_report(app: Governance, team: Team) -> None:
    with pytest.raises(NotFound) as refused:
        app.submit_report(team.pilot, team.consortium_id)

    assert refused.value.kind == "obligation"
