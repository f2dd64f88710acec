"""Who may run which command: the role matrix enforced by the service.

Someone outside the consortium learns nothing (``NotFound``); a member whose role
does not allow the command is told so (``NotPermitted``). Refused commands record
nothing. Most commands are the coordinator's; the others say here who shares them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.application import Application

from governance.actor import Actor
from governance.application import Governance
from governance.application.daily import MeetingBallot
from governance.call.values import CallRules
from governance.convention.values import DocumentKind
from governance.errors import NotFound, NotPermitted
from governance.financing.changes import AmendmentKind
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    TrancheKind,
    grant_id,
)
from governance.financing.statement_values import RefusalReason, statement_id
from governance.financing.values import CostCategory, PlanVersionKind
from governance.indicator import Indicator
from governance.permissions import MATRIX, Action
from governance.values import (
    MEETING,
    MemberRole,
    Paper,
    PartnerRole,
    Phase,
    ReportKind,
)
from governance.voting import FOR, Outcome
from tests.support.builders import (
    COORDINATOR_ID,
    FUNDER,
    MEETING_ON,
    T0,
    a_call,
    a_lesson,
    a_motion,
    a_partner_identity,
    a_pledge,
    a_rule,
    admitted_partner,
    an_asset,
    an_authority,
    an_evidence,
    an_invitation,
    defined_indicator,
    person_in_role,
    scheduled_report,
)
from tests.support.expenses import a_declared_expense, reporting_periods
from tests.support.financial_reports import ReportWorld, explain_all, report_world
from tests.support.financing import a_resource, an_expense, rules

# A field of the world filled in by ``world`` (a dataclass default must be constant).
NO_ID = UUID(int=0)


@dataclass(frozen=True)
class World:
    """A consortium with a lead, a partner, a financer, and a pending invitation.

    Each partner has one commitment, and a proxy that starts in June (so it gives no
    vote today). Both sit on the COPIL, which has an open meeting vote and an adopted
    one whose veto window is open. The member a test asks for represents the partner,
    never the lead (the lead's representative only voted on the adopted proposal).
    Three reports are due to the funder: one still to write, one drafted, one
    submitted. One indicator is defined, not yet measured.
    """

    consortium_id: UUID
    lead_id: str
    partner_id: str
    invitation_id: str
    lead_commitment_id: UUID
    partner_commitment_id: UUID
    body_id: str
    lead_proxy_id: str
    partner_proxy_id: str
    open_proposal_id: UUID
    adopted_proposal_id: UUID
    due_report_id: UUID
    drafted_report_id: UUID
    submitted_report_id: UUID
    indicator_id: UUID
    entry_id: UUID
    expense_line_id: str
    resource_line_id: str
    # Issue 17: a second indicator, measured once, whose value is corrected.
    measured_indicator_id: UUID = NO_ID
    measurement_id: str = ""


def partner_commands(partner: Callable[[World], str]) -> dict[str, Command]:
    """The commands acting for ``partner``: on its commitment, its proxy."""

    def commitment_of(world: World) -> UUID:
        if partner(world) == world.lead_id:
            return world.lead_commitment_id
        return world.partner_commitment_id

    def proxy_of(world: World) -> str:
        if partner(world) == world.lead_id:
            return world.lead_proxy_id
        return world.partner_proxy_id

    def other_than(world: World) -> str:
        if partner(world) == world.lead_id:
            return world.partner_id
        return world.lead_id

    return {
        "pledge": lambda app, actor, w: app.pledge(
            actor, w.consortium_id, partner(w), a_pledge()
        ),
        "amend_commitment": lambda app, actor, w: app.amend_commitment(
            actor,
            commitment_of(w),
            amount=Decimal("20000"),
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 12, 31),
            reason="Budget revu",
        ),
        "withdraw_commitment": lambda app, actor, w: app.withdraw_commitment(
            actor, commitment_of(w), date(2026, 6, 1), "Départ"
        ),
        "deliver": lambda app, actor, w: app.deliver(
            actor,
            commitment_of(w),
            delivered_on=date(2026, 3, 2),
            amount=Decimal("5000"),
            description="Premier versement",
            evidence=None,
        ),
        "delegate_proxy": lambda app, actor, w: app.delegate_proxy(
            actor,
            w.consortium_id,
            from_partner=partner(w),
            to_partner=other_than(w),
            valid_from=date(2026, 3, 2),
            valid_until=date(2026, 3, 31),
        ),
        "revoke_proxy": lambda app, actor, w: app.revoke_proxy(
            actor, w.consortium_id, proxy_of(w)
        ),
    }


def voter_commands(partner: Callable[[World], str]) -> dict[str, Command]:
    """The commands a partner's representative runs for it: voting, vetoing."""
    return {
        "cast_vote": lambda app, actor, w: app.cast_vote(
            actor, w.open_proposal_id, partner(w), FOR, "Budget équilibré"
        ),
        "veto": lambda app, actor, w: app.veto(
            actor, w.adopted_proposal_id, partner(w), "Contraire à la convention"
        ),
    }


Command = Callable[[Governance, Actor, World], object]

# Every command that needs a role in the consortium, with valid arguments.
COMMANDS: dict[str, Command] = {
    "revise_profile": lambda app, actor, w: app.revise_profile(
        actor,
        w.consortium_id,
        name="Autre nom",
        acronym="",
        summary="",
        territory="",
        call=a_call(),
    ),
    "change_phase": lambda app, actor, w: app.change_phase(
        actor, w.consortium_id, Phase.APPLICATION_SUBMITTED, date(2026, 4, 1)
    ),
    "admit_partner": lambda app, actor, w: app.admit_partner(
        actor,
        w.consortium_id,
        a_partner_identity("Nouvelle PME"),
        role=PartnerRole.PARTNER,
        axis="",
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=date(2026, 2, 1),
    ),
    "change_partner_role": lambda app, actor, w: app.change_partner_role(
        actor, w.consortium_id, w.partner_id, PartnerRole.ASSOCIATED
    ),
    "change_partner_axis": lambda app, actor, w: app.change_partner_axis(
        actor, w.consortium_id, w.partner_id, "Évaluation"
    ),
    "record_paper": lambda app, actor, w: app.record_paper(
        actor, w.consortium_id, w.partner_id, Paper.CONVENTION_SIGNED, date(2026, 2, 1)
    ),
    "withdraw_partner": lambda app, actor, w: app.withdraw_partner(
        actor, w.consortium_id, w.partner_id, date(2026, 2, 1), "Départ"
    ),
    "issue_invitation": lambda app, actor, w: app.issue_invitation(
        actor, w.consortium_id, MemberRole.PILOT_TEAM, None, T0 + timedelta(days=7)
    ),
    "cancel_invitation": lambda app, actor, w: app.cancel_invitation(
        actor, w.consortium_id, w.invitation_id
    ),
    "change_member_role": lambda app, actor, w: app.change_member_role(
        actor, w.consortium_id, "acc-funder", MemberRole.PILOT_TEAM, None
    ),
    "revoke_membership": lambda app, actor, w: app.revoke_membership(
        actor, w.consortium_id, "acc-funder"
    ),
    "establish_body": lambda app, actor, w: app.establish_body(
        actor,
        w.consortium_id,
        name="Comité technique",
        members={w.partner_id: 1},
        rule=a_rule(),
    ),
    "change_body": lambda app, actor, w: app.change_body(
        actor,
        w.consortium_id,
        w.body_id,
        name="Comité de pilotage",
        members={w.lead_id: 2, w.partner_id: 1},
        rule=a_rule(),
    ),
    "close_proposal": lambda app, actor, w: app.close_proposal(
        actor, w.open_proposal_id
    ),
    "declare_personal_data": lambda app, actor, w: app.declare_personal_data(
        actor, w.consortium_id, True, w.partner_id
    ),
    "describe_beneficiary_involvement": (
        lambda app, actor, w: app.describe_beneficiary_involvement(
            actor, w.consortium_id, "Un panel d'usagers"
        )
    ),
    "record_decision": lambda app, actor, w: app.record_decision(
        actor,
        w.consortium_id,
        w.body_id,
        title="Adopter le règlement intérieur",
        text="",
        outcome=Outcome.ADOPTED,
        decided_on=MEETING_ON,
        present=(w.lead_id, w.partner_id),
        minutes=None,
    ),
    "plan_expense": lambda app, actor, w: app.plan_expense(
        actor, w.consortium_id, an_expense(partner_id=w.partner_id)
    ),
    "withdraw_expense": lambda app, actor, w: app.withdraw_expense(
        actor, w.consortium_id, w.expense_line_id
    ),
    "plan_resource": lambda app, actor, w: app.plan_resource(
        actor, w.consortium_id, a_resource(partner_id=w.partner_id)
    ),
    "withdraw_resource": lambda app, actor, w: app.withdraw_resource(
        actor, w.consortium_id, w.resource_line_id
    ),
    "set_funding_rules": lambda app, actor, w: app.set_funding_rules(
        actor, w.consortium_id, rules(max_funder_rate=Decimal(70))
    ),
    "file_plan_version": lambda app, actor, w: app.file_plan_version(
        actor,
        w.consortium_id,
        PlanVersionKind.APPLICATION,
        (w.lead_commitment_id, w.partner_commitment_id),
    ),
    # For the lead, which the member these tests act as does not represent.
    **partner_commands(lambda w: w.lead_id),
}
# Issue 17: the chair (a coordinator) records the votes given at a meeting.
COMMANDS["record_meeting_votes"] = lambda app, actor, w: app.record_meeting_votes(
    actor, w.open_proposal_id, [MeetingBallot(w.partner_id, FOR, w.partner_id)]
)
# Issue 16 §7: the call's rules are the coordinator's (they set the plan's too).
COMMANDS["record_call_rules"] = lambda app, actor, w: app.record_call_rules(
    actor, w.consortium_id, CallRules(max_duration_months=36)
)
# For the partner the member represents.
OWN_PARTNER_COMMANDS = partner_commands(lambda w: w.partner_id)
ROLES_WITHOUT_CHANGES = [MemberRole.FINANCER, MemberRole.MEMBER, MemberRole.PILOT_TEAM]
# Coordinators and members may run these; financers and the pilot team may not.
SHARED_COMMANDS: dict[str, Command] = {
    "table_proposal": lambda app, actor, w: app.table_proposal(
        actor, w.consortium_id, w.body_id, a_motion()
    ),
}
# Votes are a partner's: only its representative casts them, not even a coordinator.
OWN_VOTE_COMMANDS = voter_commands(lambda w: w.partner_id)
LEAD_VOTE_COMMANDS = voter_commands(lambda w: w.lead_id)
ROLES_WITHOUT_A_VOTE = [
    MemberRole.COORDINATOR,
    MemberRole.FINANCER,
    MemberRole.PILOT_TEAM,
]
# Coordinators and the pilot team keep the reporting calendar, write the reports,
# and define and measure the indicators.
REPORTING_COMMANDS: dict[str, Command] = {
    "schedule_report": lambda app, actor, w: app.schedule_report(
        actor,
        w.consortium_id,
        funder=FUNDER,
        title="Bilan financier",
        kind=ReportKind.FINANCIAL_STATEMENT,
        responsible_id=COORDINATOR_ID,
        due_on=date(2026, 9, 30),
    ),
    "schedule_periodic_reports": lambda app, actor, w: app.schedule_periodic_reports(
        actor,
        w.consortium_id,
        funder=FUNDER,
        title="Indicateurs trimestriels",
        kind=ReportKind.INDICATOR_UPDATE,
        responsible_id=None,
        first_period_start=date(2026, 1, 1),
        every_months=3,
        due_days=30,
        count=4,
    ),
    "draft_report": lambda app, actor, w: app.draft_report(
        actor, w.due_report_id, "Douze ateliers.", (an_evidence(),)
    ),
    "submit_report": lambda app, actor, w: app.submit_report(
        actor, w.drafted_report_id
    ),
    "define_indicator": lambda app, actor, w: app.define_indicator(
        actor,
        w.consortium_id,
        name="Temps d'attente moyen",
        unit="jours",
        baseline=Decimal("21"),
        target=Decimal("7"),
        target_on=date(2027, 6, 30),
        measured_by="Équipe projet",
    ),
    "measure_indicator": lambda app, actor, w: app.measure_indicator(
        actor, w.indicator_id, Decimal("180"), date(2026, 6, 30), "Fiches d'accueil"
    ),
    "set_reminder_schedule": lambda app, actor, w: app.set_reminder_schedule(
        actor, w.consortium_id, (21, 3)
    ),
    # Issue 17: a measured value corrected or withdrawn, with its reason.
    "correct_measurement": lambda app, actor, w: app.correct_measurement(
        actor,
        w.measured_indicator_id,
        w.measurement_id,
        value=Decimal("140"),
        on=date(2026, 3, 31),
        source="Feuilles",
        reason="Une feuille oubliée",
    ),
    "withdraw_measurement": lambda app, actor, w: app.withdraw_measurement(
        actor, w.measured_indicator_id, w.measurement_id, "Compté deux fois"
    ),
}
# Coordinators, members and the pilot team keep the capitalisation register.
CAPITALISATION_COMMANDS: dict[str, Command] = {
    "record_capitalisation": lambda app, actor, w: app.record_capitalisation(
        actor, w.consortium_id, a_lesson()
    ),
    "amend_capitalisation": lambda app, actor, w: app.amend_capitalisation(
        actor, w.entry_id, an_asset(licence="EUPL-1.2"), "Licence harmonisée"
    ),
    "withdraw_capitalisation": lambda app, actor, w: app.withdraw_capitalisation(
        actor, w.entry_id, "Doublon"
    ),
}
CAPITALISING_ROLES = [MemberRole.COORDINATOR, MemberRole.MEMBER, MemberRole.PILOT_TEAM]
# Financers review what was submitted to them; nobody else, not even a coordinator.
REVIEW_COMMANDS: dict[str, Command] = {
    "accept_report": lambda app, actor, w: app.accept_report(
        actor, w.submitted_report_id, "Conforme."
    ),
    "request_report_changes": lambda app, actor, w: app.request_report_changes(
        actor, w.submitted_report_id, "Ajouter les indicateurs."
    ),
}
# The action each reporting command asks of the role matrix.
REPORTING_ACTIONS = {
    "schedule_report": Action.MANAGE_CALENDAR,
    "schedule_periodic_reports": Action.MANAGE_CALENDAR,
    "draft_report": Action.REPORT,
    "submit_report": Action.REPORT,
    "define_indicator": Action.REPORT,
    "measure_indicator": Action.REPORT,
    "correct_measurement": Action.REPORT,
    "withdraw_measurement": Action.REPORT,
    "set_reminder_schedule": Action.MANAGE_CALENDAR,
    "accept_report": Action.REVIEW_REPORT,
    "request_report_changes": Action.REVIEW_REPORT,
}
# Commands that no role in the consortium gates.
UNGATED = {
    "found_consortium",  # makes its caller the first coordinator
    "accept_invitation",  # the invitation is the permission
    "close_due_proposal",  # run by the scheduler, on its own account
    "request_reminder",  # run by the scheduler, on its own account
    "request_deliverable_reminder",  # run by the scheduler, on its own account
    "record_reminder_sent",  # run by the e-mail sender, on the scheduler's account
    "seal_checkpoint",  # run by the platform, on its own account, with its key
    "request_application_reminder",  # run by the scheduler, on its own account
    # fundreminders: statements due with a report, tranches ready to be paid
    "request_statement_reminder",  # run by the scheduler, on its own account
    "request_tranche_reminder",  # run by the scheduler, on its own account
}


def a_sealed_checkpoint(app: Governance) -> UUID:
    """A checkpoint as the platform records it (hex shapes only: no key needed)."""
    return UUID(
        app.seal_checkpoint(
            position=1,
            tree_size=1,
            root="ab" * 32,
            chain_head="cd" * 32,
            signature="ef" * 64,
            key_id="0123456789abcdef",
            public_key="12" * 32,
        ).id
    )


# Financers vouch for a checkpoint of the log; nobody else, not even a coordinator.
COUNTERSIGN_COMMANDS: dict[str, Command] = {
    "countersign_checkpoint": lambda app, actor, w: app.countersign_checkpoint(
        actor, w.consortium_id, a_sealed_checkpoint(app)
    ),
}


@pytest.fixture
def world(app: Governance, coordinator: Actor, consortium_id: UUID) -> World:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    partner = admitted_partner(app, coordinator, consortium_id)
    person_in_role(app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER)
    invitation = an_invitation(app, coordinator, consortium_id, MemberRole.PILOT_TEAM)
    lead_commitment = app.pledge(coordinator, consortium_id, lead, a_pledge()).id
    partner_commitment = app.pledge(coordinator, consortium_id, partner, a_pledge()).id
    proxies = [
        app.delegate_proxy(
            coordinator,
            consortium_id,
            from_partner=from_partner,
            to_partner=to_partner,
            valid_from=date(2026, 6, 1),
            valid_until=date(2026, 6, 30),
        ).id
        for from_partner, to_partner in ((lead, partner), (partner, lead))
    ]
    body = app.establish_body(
        coordinator,
        consortium_id,
        name="COPIL",
        members={lead: 1, partner: 1},
        rule=a_rule(veto_days=15),
    ).id
    open_proposal = app.table_proposal(
        coordinator, consortium_id, body, a_motion(mode=MEETING)
    ).id
    adopted = UUID(
        app.table_proposal(coordinator, consortium_id, body, a_motion(mode=MEETING)).id
    )
    lead_voter = person_in_role(
        app, coordinator, consortium_id, "acc-lead-voter", MemberRole.MEMBER, lead
    )
    app.cast_vote(lead_voter, adopted, lead, FOR)
    app.close_proposal(coordinator, adopted)
    due, drafted, submitted = (
        scheduled_report(app, coordinator, consortium_id) for _ in range(3)
    )
    for report in (drafted, submitted):
        app.draft_report(coordinator, report, "Brouillon", ())
    app.submit_report(coordinator, submitted)
    indicator = defined_indicator(app, coordinator, consortium_id)
    entry = app.record_capitalisation(coordinator, consortium_id, an_asset()).id
    measured = defined_indicator(app, coordinator, consortium_id, name="Ateliers")
    app.measure_indicator(
        coordinator, measured, Decimal("130"), date(2026, 3, 31), "Feuilles"
    )
    indicator_record: Indicator = app.repository.get(measured)
    measurement = indicator_record.measurements[0].measurement_id
    expense_line = app.plan_expense(
        coordinator, consortium_id, an_expense(partner_id=lead)
    ).id
    resource_line = app.plan_resource(
        coordinator, consortium_id, a_resource(partner_id=lead)
    ).id
    return World(
        consortium_id,
        lead,
        partner,
        invitation,
        UUID(lead_commitment),
        UUID(partner_commitment),
        body,
        *proxies,
        UUID(open_proposal),
        adopted,
        due,
        drafted,
        submitted,
        indicator,
        UUID(entry),
        expense_line,
        resource_line,
        measured_indicator_id=measured,
        measurement_id=measurement,
    )


def someone_in_role(
    app: Governance, coordinator: Actor, world: World, role: MemberRole
) -> Actor:
    """A person holding ``role``; a member represents the world's partner."""
    partner_id = world.partner_id if role is MemberRole.MEMBER else None
    return person_in_role(
        app, coordinator, world.consortium_id, f"acc-{role.value}", role, partner_id
    )


def test_every_command_needing_a_role_is_covered_here() -> None:
    # The commands are spread over mixins: every class of ours in the MRO counts,
    # except for the library's hooks it overrides.
    ours = [c for c in Governance.__mro__ if c.__module__.startswith("governance.")]
    public = {
        name
        for cls in ours
        for name, value in vars(cls).items()
        if callable(value) and not name.startswith("_")
    } - set(dir(Application))
    covered = {
        *COMMANDS,
        *OWN_PARTNER_COMMANDS,
        *SHARED_COMMANDS,
        *OWN_VOTE_COMMANDS,
        *REPORTING_COMMANDS,
        *REVIEW_COMMANDS,
        *COUNTERSIGN_COMMANDS,
        *CAPITALISATION_COMMANDS,
        *ALL_MONEY_COMMANDS,
        *FUNDING_COMMANDS,
        *FINANCIAL_REPORT_COMMANDS,
    }

    assert public - covered == UNGATED
    assert covered <= public


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_the_coordinator_may_run_every_command(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    before = app.recorder.max_notification_id() or 0

    command(app, coordinator, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("role", ROLES_WITHOUT_CHANGES, ids=lambda r: r.value)
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_other_roles_are_not_permitted_to_change_anything(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        command(app, actor, world)

    assert refused.value.actor_id == actor.account_id
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_someone_outside_the_consortium_gets_not_found(
    app: Governance, world: World, command: Command
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        command(app, Actor("acc-stranger"), world)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        world.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "command", OWN_PARTNER_COMMANDS.values(), ids=OWN_PARTNER_COMMANDS.keys()
)
def test_a_member_may_act_for_the_partner_they_represent(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id() or 0

    command(app, member, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
@pytest.mark.parametrize(
    "command", OWN_PARTNER_COMMANDS.values(), ids=OWN_PARTNER_COMMANDS.keys()
)
def test_financers_and_the_pilot_team_may_not_act_for_the_partner_either(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        command(app, actor, world)

    assert app.recorder.max_notification_id() == before


# -- commands members share with coordinators -----------------------------------------


@pytest.mark.parametrize(
    "role", [MemberRole.COORDINATOR, MemberRole.MEMBER], ids=lambda r: r.value
)
@pytest.mark.parametrize(
    "command", SHARED_COMMANDS.values(), ids=SHARED_COMMANDS.keys()
)
def test_coordinators_and_members_may_table_proposals(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id() or 0

    command(app, actor, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
@pytest.mark.parametrize(
    "command", SHARED_COMMANDS.values(), ids=SHARED_COMMANDS.keys()
)
def test_financers_and_the_pilot_team_may_not_table_proposals(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        command(app, actor, world)

    assert refused.value.actor_id == actor.account_id
    assert app.recorder.max_notification_id() == before


# -- votes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", OWN_VOTE_COMMANDS.values(), ids=OWN_VOTE_COMMANDS.keys()
)
def test_a_member_votes_and_vetoes_for_the_partner_they_represent(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id() or 0

    command(app, member, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "command", LEAD_VOTE_COMMANDS.values(), ids=LEAD_VOTE_COMMANDS.keys()
)
def test_a_member_may_not_vote_or_veto_for_another_partner(
    app: Governance, coordinator: Actor, world: World, command: Command
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        command(app, member, world)

    assert (refused.value.action, refused.value.actor_id) == ("vote", "acc-member")
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("role", ROLES_WITHOUT_A_VOTE, ids=lambda r: r.value)
@pytest.mark.parametrize(
    "command", OWN_VOTE_COMMANDS.values(), ids=OWN_VOTE_COMMANDS.keys()
)
def test_other_roles_may_not_vote_or_veto_even_the_coordinator(
    app: Governance,
    coordinator: Actor,
    world: World,
    command: Command,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        command(app, actor, world)

    assert (refused.value.action, refused.value.actor_id) == (
        "vote",
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "command",
    [*SHARED_COMMANDS.values(), *OWN_VOTE_COMMANDS.values()],
    ids=[*SHARED_COMMANDS.keys(), *OWN_VOTE_COMMANDS.keys()],
)
def test_someone_outside_the_consortium_may_not_table_or_vote_and_gets_not_found(
    app: Governance, world: World, command: Command
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        command(app, Actor("acc-stranger"), world)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        world.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


# -- reporting ------------------------------------------------------------------------


def test_every_reporting_command_names_the_action_it_needs() -> None:
    assert set(REPORTING_ACTIONS) == {*REPORTING_COMMANDS, *REVIEW_COMMANDS}


@pytest.mark.parametrize(
    "role", [MemberRole.COORDINATOR, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
@pytest.mark.parametrize("name", list(REPORTING_COMMANDS))
def test_coordinators_and_the_pilot_team_keep_the_calendar_and_write_reports(
    app: Governance,
    coordinator: Actor,
    world: World,
    name: str,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id() or 0

    REPORTING_COMMANDS[name](app, actor, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role", [MemberRole.MEMBER, MemberRole.FINANCER], ids=lambda r: r.value
)
@pytest.mark.parametrize("name", list(REPORTING_COMMANDS))
def test_members_and_financers_may_not_keep_the_calendar_or_write_reports(
    app: Governance,
    coordinator: Actor,
    world: World,
    name: str,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        REPORTING_COMMANDS[name](app, actor, world)

    assert (refused.value.action, refused.value.actor_id) == (
        REPORTING_ACTIONS[name].value,
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(REVIEW_COMMANDS))
def test_a_financer_reviews_a_submitted_report(
    app: Governance, coordinator: Actor, world: World, name: str
) -> None:
    financer = someone_in_role(app, coordinator, world, MemberRole.FINANCER)
    before = app.recorder.max_notification_id() or 0

    REVIEW_COMMANDS[name](app, financer, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role",
    [MemberRole.COORDINATOR, MemberRole.MEMBER, MemberRole.PILOT_TEAM],
    ids=lambda r: r.value,
)
@pytest.mark.parametrize("name", list(REVIEW_COMMANDS))
def test_nobody_but_a_financer_reviews_a_report_not_even_the_coordinator(
    app: Governance,
    coordinator: Actor,
    world: World,
    name: str,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        REVIEW_COMMANDS[name](app, actor, world)

    assert (refused.value.action, refused.value.actor_id) == (
        "review_report",
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(REPORTING_ACTIONS))
def test_someone_outside_the_consortium_may_not_report_and_gets_not_found(
    app: Governance, world: World, name: str
) -> None:
    command = {**REPORTING_COMMANDS, **REVIEW_COMMANDS}[name]
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        command(app, Actor("acc-stranger"), world)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        world.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


def test_a_financer_countersigns_a_checkpoint(
    app: Governance, coordinator: Actor, world: World
) -> None:
    financer = someone_in_role(app, coordinator, world, MemberRole.FINANCER)
    before = app.recorder.max_notification_id() or 0

    COUNTERSIGN_COMMANDS["countersign_checkpoint"](app, financer, world)

    assert (app.recorder.max_notification_id() or 0) == before + 2  # seal, countersign


@pytest.mark.parametrize(
    "role", [r for r in MemberRole if r is not MemberRole.FINANCER], ids=str
)
def test_nobody_but_a_financer_countersigns_a_checkpoint(
    app: Governance, coordinator: Actor, world: World, role: MemberRole
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    checkpoint_id = a_sealed_checkpoint(app)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        app.countersign_checkpoint(actor, world.consortium_id, checkpoint_id)

    assert refused.value.action == "countersign"
    assert app.recorder.max_notification_id() == before


# -- capitalisation -------------------------------------------------------------------


@pytest.mark.parametrize("role", CAPITALISING_ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("name", list(CAPITALISATION_COMMANDS))
def test_coordinators_members_and_the_pilot_team_keep_the_capitalisation_register(
    app: Governance,
    coordinator: Actor,
    world: World,
    name: str,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id() or 0

    CAPITALISATION_COMMANDS[name](app, actor, world)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("name", list(CAPITALISATION_COMMANDS))
def test_financers_read_the_capitalisation_register_only(
    app: Governance, coordinator: Actor, world: World, name: str
) -> None:
    financer = someone_in_role(app, coordinator, world, MemberRole.FINANCER)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        CAPITALISATION_COMMANDS[name](app, financer, world)

    assert (refused.value.action, refused.value.actor_id) == (
        Action.CAPITALISE.value,
        financer.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(CAPITALISATION_COMMANDS))
def test_someone_outside_the_consortium_may_not_capitalise_and_gets_not_found(
    app: Governance, world: World, name: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        CAPITALISATION_COMMANDS[name](app, Actor("acc-stranger"), world)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        world.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


# -- money: the work plan, amendments, the convention's documents, statements ---------


@dataclass(frozen=True)
class Money:
    """The world with its plan signed, a work plan, a document and statements.

    Work package 1 is led by the partner; package 2 holds nothing. One deliverable
    is the partner's, one the lead's, one (the partner's) is submitted. One
    amendment is a draft that takes out the lead's travel; another, extending the
    period, is proposed. In the first half of 2026 the partner and the lead each
    declared one expense (drafts); in the second half the partner's statement is
    submitted.
    """

    consortium_id: UUID
    lead_id: str
    partner_id: str
    package_id: str
    empty_package_id: str
    own_deliverable_id: str
    lead_deliverable_id: str
    submitted_deliverable_id: str
    milestone_id: str
    draft_amendment_id: UUID
    proposed_amendment_id: UUID
    resource_line_id: str
    expense_line_id: str
    document_id: UUID
    first_period_id: UUID
    second_period_id: UUID
    own_statement_id: UUID
    own_line_id: str
    lead_statement_id: UUID
    lead_line_id: str
    submitted_statement_id: UUID
    submitted_line_id: str


MoneyCommand = Callable[[Governance, Actor, Money], object]


@pytest.fixture
def money(app: Governance, coordinator: Actor, world: World) -> Money:
    cid, lead, partner = world.consortium_id, world.lead_id, world.partner_id
    app.set_funding_rules(
        coordinator,
        cid,
        rules(eligible_from=date(2026, 1, 1), eligible_until=date(2027, 12, 31)),
    )
    app.file_plan_version(coordinator, cid, PlanVersionKind.APPLICATION, ())
    app.file_plan_version(coordinator, cid, PlanVersionKind.CONVENTION, ())
    draft = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Moins de trajets."
        ).id
    )
    app.withdraw_in_amendment(coordinator, cid, draft, world.expense_line_id)
    proposed = UUID(
        app.draft_amendment(
            coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Retard des travaux."
        ).id
    )
    app.extend_amendment_period(coordinator, cid, proposed, date(2028, 6, 30))
    app.propose_amendment(coordinator, cid, proposed)
    package = app.define_work_package(
        coordinator, cid, code="L1", title="Ateliers", lead_id=partner
    ).id
    empty = app.define_work_package(
        coordinator, cid, code="L2", title="Évaluation", lead_id=lead
    ).id
    own, of_lead, submitted = (
        app.plan_deliverable(
            coordinator,
            cid,
            package_id=package,
            title=f"Livrable {n}",
            due_on=date(2026, 6, 30),
            responsible_id=responsible,
        ).id
        for n, responsible in ((1, partner), (2, lead), (3, partner))
    )
    app.submit_deliverable(coordinator, cid, submitted, an_evidence())
    milestone = app.plan_milestone(
        coordinator,
        cid,
        package_id=package,
        title="Premier atelier",
        planned_on=date(2026, 2, 15),
    ).id
    document = UUID(
        app.file_document(
            coordinator,
            cid,
            DocumentKind.PARTNERSHIP_CONVENTION,
            "Convention de partenariat",
            an_evidence(),
        ).id
    )
    first, second = reporting_periods(app, coordinator, cid)
    own_line, lead_line = (
        app.declare_expense(coordinator, cid, first, p, a_declared_expense()).id
        for p in (partner, lead)
    )
    submitted_line = app.declare_expense(
        coordinator,
        cid,
        second,
        partner,
        a_declared_expense(spent_on=date(2026, 9, 14)),
    ).id
    app.submit_statements(coordinator, cid, second)

    def statement(period: UUID, partner_id: str) -> UUID:
        return statement_id(str(cid), str(period), partner_id)

    return Money(
        cid,
        lead,
        partner,
        package,
        empty,
        own,
        of_lead,
        submitted,
        milestone,
        draft,
        proposed,
        world.resource_line_id,
        world.expense_line_id,
        document,
        first,
        second,
        statement(first, partner),
        own_line,
        statement(first, lead),
        lead_line,
        statement(second, partner),
        submitted_line,
    )


# The coordinator's alone: the work plan, amendments, documents, submitting.
MONEY_COMMANDS: dict[str, MoneyCommand] = {
    "define_work_package": lambda app, actor, m: app.define_work_package(
        actor, m.consortium_id, code="L3", title="Diffusion", lead_id=m.lead_id
    ),
    "change_work_package": lambda app, actor, m: app.change_work_package(
        actor,
        m.consortium_id,
        m.package_id,
        code="L1",
        title="Ateliers d'usagers",
        lead_id=m.partner_id,
    ),
    "withdraw_work_package": lambda app, actor, m: app.withdraw_work_package(
        actor, m.consortium_id, m.empty_package_id
    ),
    "plan_deliverable": lambda app, actor, m: app.plan_deliverable(
        actor,
        m.consortium_id,
        package_id=m.package_id,
        title="Guide d'animation",
        due_on=date(2026, 9, 30),
        responsible_id=m.partner_id,
    ),
    "plan_milestone": lambda app, actor, m: app.plan_milestone(
        actor,
        m.consortium_id,
        package_id=m.package_id,
        title="Dernier atelier",
        planned_on=date(2026, 11, 15),
    ),
    "reach_milestone": lambda app, actor, m: app.reach_milestone(
        actor,
        m.consortium_id,
        m.milestone_id,
        reached_on=date(2026, 2, 16),
        note="Douze participants.",
    ),
    "draft_amendment": lambda app, actor, m: app.draft_amendment(
        actor, m.consortium_id, AmendmentKind.BUDGET_REALLOCATION, "Plus d'ateliers."
    ),
    "add_amendment_expense": lambda app, actor, m: app.add_amendment_expense(
        actor,
        m.consortium_id,
        m.draft_amendment_id,
        an_expense(partner_id=m.partner_id),
    ),
    "add_amendment_resource": lambda app, actor, m: app.add_amendment_resource(
        actor,
        m.consortium_id,
        m.draft_amendment_id,
        a_resource(partner_id=m.partner_id),
    ),
    "withdraw_in_amendment": lambda app, actor, m: app.withdraw_in_amendment(
        actor, m.consortium_id, m.draft_amendment_id, m.resource_line_id
    ),
    "drop_amendment_change": lambda app, actor, m: app.drop_amendment_change(
        actor, m.consortium_id, m.draft_amendment_id, m.expense_line_id
    ),
    "extend_amendment_period": lambda app, actor, m: app.extend_amendment_period(
        actor, m.consortium_id, m.draft_amendment_id, date(2028, 3, 31)
    ),
    "propose_amendment": lambda app, actor, m: app.propose_amendment(
        actor, m.consortium_id, m.draft_amendment_id
    ),
    "file_document": lambda app, actor, m: app.file_document(
        actor,
        m.consortium_id,
        DocumentKind.LETTER_OF_COMMITMENT,
        "Lettre d'engagement",
        an_evidence(),
        partner_id=m.partner_id,
    ),
    "file_document_version": lambda app, actor, m: app.file_document_version(
        actor, m.consortium_id, m.document_id, an_evidence(sha256="ab" * 32)
    ),
    "record_signature": lambda app, actor, m: app.record_signature(
        actor,
        m.consortium_id,
        m.document_id,
        m.partner_id,
        "Camille Roux",
        date(2026, 3, 1),
    ),
    "submit_statements": lambda app, actor, m: app.submit_statements(
        actor, m.consortium_id, m.first_period_id
    ),
}


def money_partner_commands(own: bool) -> dict[str, MoneyCommand]:
    """A partner's deliverable and expenses: the partner's (``own``) or the lead's."""

    def partner(m: Money) -> str:
        return m.partner_id if own else m.lead_id

    def deliverable(m: Money) -> str:
        return m.own_deliverable_id if own else m.lead_deliverable_id

    def statement(m: Money) -> tuple[UUID, str]:
        if own:
            return m.own_statement_id, m.own_line_id
        return m.lead_statement_id, m.lead_line_id

    return {
        "submit_deliverable": lambda app, actor, m: app.submit_deliverable(
            actor, m.consortium_id, deliverable(m), an_evidence()
        ),
        "declare_expense": lambda app, actor, m: app.declare_expense(
            actor,
            m.consortium_id,
            m.first_period_id,
            partner(m),
            a_declared_expense(label="Repas des ateliers"),
        ),
        "withdraw_statement_line": lambda app, actor, m: app.withdraw_statement_line(
            actor, *statement(m)
        ),
    }


# Coordinators, and a member for the partner they represent only.
OWN_MONEY_COMMANDS = money_partner_commands(own=True)
LEAD_MONEY_COMMANDS = money_partner_commands(own=False)
# The financer's alone, not even the coordinator's: reviews and decisions.
MONEY_REVIEW_COMMANDS: dict[str, MoneyCommand] = {
    "accept_deliverable": lambda app, actor, m: app.accept_deliverable(
        actor, m.consortium_id, m.submitted_deliverable_id, "Conforme."
    ),
    "request_deliverable_changes": (
        lambda app, actor, m: app.request_deliverable_changes(
            actor, m.consortium_id, m.submitted_deliverable_id, "Ajouter le bilan."
        )
    ),
    "approve_amendment": lambda app, actor, m: app.approve_amendment(
        actor, m.consortium_id, m.proposed_amendment_id, "Justifié.", ()
    ),
    "refuse_amendment": lambda app, actor, m: app.refuse_amendment(
        actor, m.consortium_id, m.proposed_amendment_id, "Hors délai."
    ),
    "refuse_statement_line": lambda app, actor, m: app.refuse_statement_line(
        actor,
        m.submitted_statement_id,
        m.submitted_line_id,
        RefusalReason.UNSUPPORTED,
        "Facture absente.",
    ),
    "accept_statement": lambda app, actor, m: app.accept_statement(
        actor, m.submitted_statement_id, "Conforme."
    ),
    "accept_statements": lambda app, actor, m: app.accept_statements(
        actor, m.consortium_id, m.second_period_id, "Conformes."
    ),
}
# The action each money command asks of the role matrix.
MONEY_ACTIONS = {
    **dict.fromkeys(
        [
            "define_work_package",
            "change_work_package",
            "withdraw_work_package",
            "plan_deliverable",
            "plan_milestone",
            "reach_milestone",
        ],
        Action.MANAGE_WORKPLAN,
    ),
    **dict.fromkeys(
        [
            "draft_amendment",
            "add_amendment_expense",
            "add_amendment_resource",
            "withdraw_in_amendment",
            "drop_amendment_change",
            "extend_amendment_period",
            "propose_amendment",
        ],
        Action.PROPOSE_AMENDMENT,
    ),
    **dict.fromkeys(
        ["file_document", "file_document_version", "record_signature"],
        Action.FILE_DOCUMENTS,
    ),
    "submit_statements": Action.SUBMIT_EXPENSES,
    "submit_deliverable": Action.SUBMIT_DELIVERABLE,
    "declare_expense": Action.DECLARE_EXPENSES,
    "withdraw_statement_line": Action.DECLARE_EXPENSES,
    "accept_deliverable": Action.REVIEW_DELIVERABLE,
    "request_deliverable_changes": Action.REVIEW_DELIVERABLE,
    "approve_amendment": Action.DECIDE_AMENDMENT,
    "refuse_amendment": Action.DECIDE_AMENDMENT,
    "refuse_statement_line": Action.REVIEW_EXPENSES,
    "accept_statement": Action.REVIEW_EXPENSES,
    "accept_statements": Action.REVIEW_EXPENSES,
}
ALL_MONEY_COMMANDS = {
    **MONEY_COMMANDS,
    **OWN_MONEY_COMMANDS,
    **MONEY_REVIEW_COMMANDS,
}


def test_every_money_command_names_the_action_it_needs() -> None:
    assert set(MONEY_ACTIONS) == set(ALL_MONEY_COMMANDS)
    assert set(LEAD_MONEY_COMMANDS) == set(OWN_MONEY_COMMANDS)


@pytest.mark.parametrize("name", list(ALL_MONEY_COMMANDS))
def test_the_money_tables_follow_the_role_matrix(name: str) -> None:
    if name in MONEY_COMMANDS:
        roles = {MemberRole.COORDINATOR}
    elif name in OWN_MONEY_COMMANDS:
        roles = {MemberRole.COORDINATOR, MemberRole.MEMBER}
    else:
        roles = {MemberRole.FINANCER}

    assert MATRIX[MONEY_ACTIONS[name]] == roles


@pytest.mark.parametrize("name", [*MONEY_COMMANDS, *OWN_MONEY_COMMANDS], ids=str)
def test_the_coordinator_keeps_the_work_plan_amendments_documents_and_statements(
    app: Governance, coordinator: Actor, money: Money, name: str
) -> None:
    before = app.recorder.max_notification_id() or 0

    ALL_MONEY_COMMANDS[name](app, coordinator, money)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("role", ROLES_WITHOUT_CHANGES, ids=lambda r: r.value)
@pytest.mark.parametrize("name", list(MONEY_COMMANDS))
def test_other_roles_may_not_plan_work_amend_file_documents_or_submit_statements(
    app: Governance,
    coordinator: Actor,
    world: World,
    money: Money,
    name: str,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        MONEY_COMMANDS[name](app, actor, money)

    assert (refused.value.action, refused.value.actor_id) == (
        MONEY_ACTIONS[name].value,
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(OWN_MONEY_COMMANDS))
def test_a_member_hands_in_and_declares_for_the_partner_they_represent(
    app: Governance, coordinator: Actor, world: World, money: Money, name: str
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id() or 0

    OWN_MONEY_COMMANDS[name](app, member, money)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("name", list(LEAD_MONEY_COMMANDS))
def test_a_member_may_not_hand_in_or_declare_for_another_partner(
    app: Governance, coordinator: Actor, world: World, money: Money, name: str
) -> None:
    member = someone_in_role(app, coordinator, world, MemberRole.MEMBER)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        LEAD_MONEY_COMMANDS[name](app, member, money)

    assert (refused.value.action, refused.value.actor_id) == (
        MONEY_ACTIONS[name].value,
        member.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "role", [MemberRole.FINANCER, MemberRole.PILOT_TEAM], ids=lambda r: r.value
)
@pytest.mark.parametrize("name", list(OWN_MONEY_COMMANDS))
def test_financers_and_the_pilot_team_may_not_hand_in_or_declare(
    app: Governance,
    coordinator: Actor,
    world: World,
    money: Money,
    name: str,
    role: MemberRole,
) -> None:
    actor = someone_in_role(app, coordinator, world, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        OWN_MONEY_COMMANDS[name](app, actor, money)

    assert (refused.value.action, refused.value.actor_id) == (
        MONEY_ACTIONS[name].value,
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(MONEY_REVIEW_COMMANDS))
def test_a_financer_reviews_deliverables_amendments_and_statements(
    app: Governance, coordinator: Actor, world: World, money: Money, name: str
) -> None:
    financer = someone_in_role(app, coordinator, world, MemberRole.FINANCER)
    before = app.recorder.max_notification_id() or 0

    MONEY_REVIEW_COMMANDS[name](app, financer, money)

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize(
    "role",
    [MemberRole.COORDINATOR, MemberRole.MEMBER, MemberRole.PILOT_TEAM],
    ids=lambda r: r.value,
)
@pytest.mark.parametrize("name", list(MONEY_REVIEW_COMMANDS))
def test_nobody_but_a_financer_reviews_or_decides_not_even_the_coordinator(
    app: Governance,
    coordinator: Actor,
    world: World,
    money: Money,
    name: str,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        MONEY_REVIEW_COMMANDS[name](app, actor, money)

    assert (refused.value.action, refused.value.actor_id) == (
        MONEY_ACTIONS[name].value,
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(ALL_MONEY_COMMANDS))
def test_someone_outside_the_consortium_may_not_touch_the_money_and_gets_not_found(
    app: Governance, money: Money, name: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        ALL_MONEY_COMMANDS[name](app, Actor("acc-stranger"), money)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        money.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


# -- special cases --------------------------------------------------------------------


def test_a_platform_admin_outside_the_consortium_gets_not_found(
    app: Governance, world: World
) -> None:
    admin = Actor("acc-admin", is_platform_admin=True)

    with pytest.raises(NotFound):
        COMMANDS["revise_profile"](app, admin, world)


def test_a_revoked_person_is_a_stranger_again(
    app: Governance, coordinator: Actor, world: World
) -> None:
    pilot = person_in_role(
        app, coordinator, world.consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
    )
    app.revoke_membership(coordinator, world.consortium_id, pilot.account_id)

    with pytest.raises(NotFound):
        COMMANDS["change_partner_axis"](app, pilot, world)


def test_a_person_promoted_to_coordinator_may_manage_the_consortium(
    app: Governance, coordinator: Actor, world: World
) -> None:
    deputy = person_in_role(
        app, coordinator, world.consortium_id, "acc-deputy", MemberRole.COORDINATOR
    )

    COMMANDS["change_partner_axis"](app, deputy, world)

    assert app.repository.get(world.consortium_id).partners[world.partner_id].axis == (
        "Évaluation"
    )


# -- the funder's grant: the financer's alone, not even the coordinator's -----------


@dataclass(frozen=True)
class Granted:
    """The world's grant (100,000 € at 70 %): the convention signed, 29,000 € of the
    30,000 € advance paid, both periods' reports and statements (1,000 € each)
    accepted, so that a payment (on the advance) and a recovery are both due."""

    consortium_id: UUID
    advance_id: str


FINANCER = Actor("acc-funder")
GrantCommand = Callable[[Governance, Actor, Granted], object]
FUNDING_COMMANDS: dict[str, GrantCommand] = {
    "set_grant": lambda app, actor, g: app.set_grant(
        actor,
        g.consortium_id,
        GrantTerms(Decimal(1000), Decimal(70)),
        [PlannedTranche(TrancheKind.ADVANCE, "Avance", Decimal(100))],
    ),
    "record_payment": lambda app, actor, g: app.record_payment(
        actor, g.consortium_id, g.advance_id, Decimal(1), date(2026, 3, 1)
    ),
    "record_recovery": lambda app, actor, g: app.record_recovery(
        actor, g.consortium_id, Decimal(1), date(2026, 3, 1), "Trop perçu."
    ),
}
FUNDING_ACTIONS = {
    "set_grant": Action.MANAGE_GRANT,
    "record_payment": Action.RECORD_PAYMENT,
    "record_recovery": Action.RECORD_PAYMENT,
}


@pytest.fixture
def granted(app: Governance, coordinator: Actor, world: World) -> Granted:
    cid = world.consortium_id
    for phase, day in (
        (Phase.APPLICATION_SUBMITTED, date(2026, 1, 10)),
        (Phase.SELECTED, date(2026, 1, 20)),
        (Phase.AGREEMENT_SIGNED, date(2026, 1, 30)),
    ):
        app.change_phase(coordinator, cid, phase, day)
    periods = reporting_periods(app, coordinator, cid)
    for period, day in zip(periods, (date(2026, 3, 1), date(2026, 9, 1)), strict=True):
        app.declare_expense(
            coordinator,
            cid,
            period,
            world.lead_id,
            a_declared_expense(
                spent_on=day, amount_incl=None, amount_excl=Decimal(1000)
            ),
        )
        app.submit_statements(coordinator, cid, period)
        app.accept_statements(FINANCER, cid, period, "")
        app.draft_report(coordinator, period, "Rapport.")
        app.submit_report(coordinator, period)
        app.accept_report(FINANCER, period, "Merci.")
    app.set_grant(
        FINANCER,
        cid,
        GrantTerms(Decimal(100_000), Decimal(70)),
        [
            PlannedTranche(TrancheKind.ADVANCE, "Avance", Decimal(30_000)),
            PlannedTranche(TrancheKind.BALANCE, "Solde", None, str(periods[1])),
        ],
    )
    grant: Grant = app.repository.get(grant_id(str(cid)))
    advance = grant.tranches[0].tranche_id
    app.record_payment(FINANCER, cid, advance, Decimal(29_000), date(2026, 2, 2))
    return Granted(cid, advance)


@pytest.mark.parametrize(
    "role",
    [MemberRole.COORDINATOR, MemberRole.MEMBER, MemberRole.PILOT_TEAM],
    ids=lambda r: r.value,
)
@pytest.mark.parametrize("name", list(FUNDING_COMMANDS))
def test_nobody_but_a_financer_sets_up_the_grant_or_records_money(
    app: Governance,
    coordinator: Actor,
    world: World,
    granted: Granted,
    name: str,
    role: MemberRole,
) -> None:
    actor = (
        coordinator
        if role is MemberRole.COORDINATOR
        else someone_in_role(app, coordinator, world, role)
    )
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        FUNDING_COMMANDS[name](app, actor, granted)

    assert refused.value.action == FUNDING_ACTIONS[name].value
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", ["record_payment", "record_recovery"])
def test_the_financer_records_payments_and_recoveries(
    app: Governance, granted: Granted, name: str
) -> None:
    before = app.recorder.max_notification_id() or 0

    FUNDING_COMMANDS[name](app, FINANCER, granted)

    assert (app.recorder.max_notification_id() or 0) > before


def test_the_financer_sets_up_the_grant(app: Governance, world: World) -> None:
    before = app.recorder.max_notification_id() or 0

    FUNDING_COMMANDS["set_grant"](app, FINANCER, Granted(world.consortium_id, ""))

    assert (app.recorder.max_notification_id() or 0) > before


@pytest.mark.parametrize("name", list(FUNDING_COMMANDS))
def test_someone_outside_the_consortium_learns_nothing_of_its_grant(
    app: Governance, granted: Granted, name: str
) -> None:
    with pytest.raises(NotFound):
        FUNDING_COMMANDS[name](app, Actor("acc-stranger"), granted)


def test_the_grant_commands_follow_the_role_matrix() -> None:
    for action in set(FUNDING_ACTIONS.values()):
        assert MATRIX[action] == {MemberRole.FINANCER}


# -- the financial report (issue 16 §6): the coordinator's alone --------------------

ReportCommand = Callable[[Governance, Actor, ReportWorld], object]
FINANCIAL_REPORT_COMMANDS: dict[str, ReportCommand] = {
    "explain_variance": lambda app, actor, w: app.explain_variance(
        actor, w.consortium_id, w.first, CostCategory.STAFF, "Une autre raison."
    ),
    "certify_financial_report": lambda app, actor, w: app.certify_financial_report(
        actor,
        w.consortium_id,
        w.first,
        signatory="Claire Fontaine",
        capacity="Présidente",
    ),
}


@pytest.fixture
def reviewed(app: Governance, coordinator: Actor, consortium_id: UUID) -> ReportWorld:
    """A first period accepted, its variances explained: ready to certify."""
    world = report_world(app, coordinator, consortium_id)
    explain_all(app, coordinator, world)
    return world


@pytest.mark.parametrize("name", list(FINANCIAL_REPORT_COMMANDS))
def test_the_coordinator_explains_and_certifies_the_financial_report(
    app: Governance, coordinator: Actor, reviewed: ReportWorld, name: str
) -> None:
    before = app.recorder.max_notification_id() or 0

    FINANCIAL_REPORT_COMMANDS[name](app, coordinator, reviewed)

    assert (app.recorder.max_notification_id() or 0) > before
    assert MATRIX[Action.FINANCIAL_REPORT] == {MemberRole.COORDINATOR}


@pytest.mark.parametrize("who", ["member", "pilot", "financer"])
@pytest.mark.parametrize("name", list(FINANCIAL_REPORT_COMMANDS))
def test_nobody_else_explains_or_certifies_the_financial_report(
    app: Governance, reviewed: ReportWorld, name: str, who: str
) -> None:
    actor = getattr(reviewed, who)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        FINANCIAL_REPORT_COMMANDS[name](app, actor, reviewed)

    assert (refused.value.action, refused.value.actor_id) == (
        Action.FINANCIAL_REPORT.value,
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", list(FINANCIAL_REPORT_COMMANDS))
def test_someone_outside_the_consortium_learns_nothing_of_its_financial_report(
    app: Governance, reviewed: ReportWorld, name: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound):
        FINANCIAL_REPORT_COMMANDS[name](app, Actor("acc-stranger"), reviewed)

    assert app.recorder.max_notification_id() == before
