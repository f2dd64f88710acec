"""Each entry of the history links to what it is about: on the page, and in the
trail's exports (the "About" column, the address from the consortium's page on).

The history keeps what an entry is about (a kind and an id); the web turns it into
an address from route names. Every kind of entry is made once here, so a kind whose
link is lost or changed shows at once.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.application.daily import MeetingBallot
from governance.call.values import CallRules, application_deadline_id
from governance.convention.values import DocumentKind
from governance.financing.changes import AmendmentKind
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    TrancheKind,
    grant_id,
)
from governance.financing.report_values import FINAL
from governance.financing.statement_values import RefusalReason, statement_id
from governance.financing.values import (
    DIRECT_CATEGORIES,
    CostCategory,
    Expense,
    FundingRules,
    PlanVersionKind,
    Resource,
    ResourceSource,
)
from governance.reminder import Reminder
from governance.values import (
    Funding,
    MemberRole,
    Motion,
    Paper,
    PartnerRole,
    Phase,
    ReminderChannel,
    ReportKind,
)
from governance.voting import DEFAULT_OPTIONS, FOR, Outcome, VotingRule
from notifications.checkpoints import load_or_create_key, seal_checkpoint
from projections.history import AREA_OF_KIND
from tests.support.builders import a_lesson, a_pledge, an_evidence
from tests.support.builders import an_evidence as a_file
from tests.support.expenses import a_declared_expense
from tests.support.old_history import as_an_older_version_left_it
from tests.web.conftest import World, a_call, build_world, login, stores_of
from web.app import create_app
from web.settings import Settings

# What each kind of entry links to, from the consortium's page on ("": no link).
ABOUT = {
    "founded": "",
    "profile_revised": "",
    "phase_changed": "",
    "partner_joined": "partners/{subject}",
    "partner_role_changed": "partners/{subject}",
    "partner_axis_changed": "partners/{subject}",
    "partner_paper_recorded": "partners/{subject}",
    "partner_withdrew": "partners/{subject}",
    "invitation_issued": "members",
    "invitation_cancelled": "members",
    "membership_granted": "members",
    "membership_revoked": "members",
    "commitment_pledged": "commitments/{commitment}",
    "commitment_amended": "commitments/{commitment}",
    "commitment_withdrawn": "commitments/{commitment}",
    "contribution_delivered": "commitments/{commitment}",
    "body_established": "bodies",
    "body_changed": "bodies",
    "proxy_delegated": "bodies",
    "proxy_revoked": "bodies",
    "proposal_tabled": "proposals/{proposal}",
    "vote_cast": "proposals/{proposal}",
    "vote_recorded": "proposals/{meeting}",
    "vote_recorded_by_proxy": "proposals/{meeting}",
    "measurement_corrected": "indicators",
    "measurement_withdrawn": "indicators",
    "vote_changed": "proposals/{proposal}",
    "proposal_closed": "proposals/{proposal}",
    "outcome_vetoed": "proposals/{proposal}",
    "decision_recorded": "decisions",
    "report_scheduled": "reports/{report}",
    "report_drafted": "reports/{report}",
    "report_submitted": "reports/{report}",
    "report_accepted": "reports/{report}",
    "report_changes_requested": "reports/{report}",
    "indicator_defined": "indicators",
    "indicator_measured": "indicators",
    "reminder_schedule_set": "reporting",
    "reminder_requested": "reports/{report}",
    "reminder_sent": "",
    "capitalisation_recorded": "capitalisation/{entry}",
    "capitalisation_amended": "capitalisation/{entry}",
    "capitalisation_withdrawn": "capitalisation/{entry}",
    "personal_data_handled": "readiness",
    "personal_data_no_partner": "readiness",
    "personal_data_not_handled": "readiness",
    "beneficiaries_described": "readiness",
    "beneficiaries_cleared": "readiness",
    "checkpoint_countersigned": "audit",
    **dict.fromkeys(
        (
            "expense_planned",
            "expense_withdrawn",
            "resource_planned",
            "resource_withdrawn",
            "funding_rules_set",
            "funding_rules_set_with_rate",
            "plan_version_filed",
        ),
        "budget",
    ),
    **dict.fromkeys(
        (
            "work_package_defined",
            "work_package_changed",
            "work_package_withdrawn",
            "milestone_planned",
            "milestone_reached",
        ),
        "workplan",
    ),
    **dict.fromkeys(
        (
            "deliverable_planned",
            "deliverable_submitted",
            "deliverable_accepted",
            "deliverable_changes_requested",
            "deliverable_reminder_requested",
        ),
        "workplan/deliverables/{deliverable}",
    ),
    # Amendments: one approved, one refused; both drafted and proposed.
    **dict.fromkeys(
        (
            "amendment_expense_added",
            "amendment_resource_added",
            "amendment_line_withdrawn",
            "amendment_change_dropped",
            "amendment_approved",
        ),
        "budget/amendments/{amendment}",
    ),
    "amendment_refused": "budget/amendments/{refused_amendment}",
    **dict.fromkeys(
        ("document_filed", "document_version_filed", "document_signed"), "documents"
    ),
    **dict.fromkeys(
        (
            "expense_declared",
            "expense_line_withdrawn",
            "expense_statement_submitted",
            "expense_line_refused",
            "expense_statement_accepted",
        ),
        "expenses/statements/{statement}",
    ),
    **dict.fromkeys(
        ("variance_explained", "financial_report_certified"),
        "financial-report/{financial_period}",
    ),
    **dict.fromkeys(
        ("final_variance_explained", "final_financial_report_certified"),
        "financial-report/final",
    ),
    **dict.fromkeys(
        (
            "grant_set",
            "payment_at_signature",
            "payment_on_report",
            "recovery_recorded",
        ),
        "funding",
    ),
    "call_rules_recorded": "call",
    "application_reminder_requested": "call",
    "application_reminder_sent": "call",
    # fundreminders
    "statement_reminder_requested": "reports/{report}",
    "tranche_reminder_requested": "funding",
}
# Kinds whose entries are about either of two things (both amendments have them).
ABOUT_EITHER = dict.fromkeys(
    ("amendment_drafted", "amendment_period_extended", "amendment_proposed"),
    ("budget/amendments/{amendment}", "budget/amendments/{refused_amendment}"),
)
# Daily use (issue 17): a second proposal, the meeting whose votes the chair records.
ABOUT_EITHER["proposal_tabled"] = ("proposals/{proposal}", "proposals/{meeting}")
# The financial report's statement (another partner's, accepted after the grant's
# recovery) has these kinds too.
ABOUT_EITHER.update(
    dict.fromkeys(
        (
            "expense_declared",
            "expense_statement_submitted",
            "expense_statement_accepted",
        ),
        (
            "expenses/statements/{statement}",
            "expenses/statements/{financial_statement}",
        ),
    )
)
ENTRY = re.compile(r"<li><span class=\"who\">.*?#(\d+)</span></li>", re.S)
LINK = re.compile(r"</span> <a href=\"([^\"]*)\">")


def every_kind_once(client: TestClient, world: World, tmp_path: Path) -> dict[str, str]:
    """One entry of each kind in the world's consortium; the ids they are about."""
    stores = stores_of(client)
    g = stores.governance
    people = {
        role: account.account_id
        for role, email in world.emails.items()
        if (account := stores.accounts.by_email(email)) is not None
    }
    coordinator, member = Actor(people["coordinator"]), Actor(people["member"])
    financer = Actor(people["financer"])
    cid, partner, lead = world.consortium_id, world.partner_id, world.lead_id
    g.revise_profile(
        coordinator,
        cid,
        name="Inclusion Numérique",
        acronym="IN",
        summary="Déposé",
        territory="Val",
        call=a_call(),
    )
    # While it sets up, the coordinator is reminded of the application's closing date.
    closes = a_call().closing_dates[0]
    g.request_application_reminder(cid, closes, -1, people["coordinator"], 0)
    g.record_reminder_sent(
        Reminder.create_id(
            application_deadline_id(str(cid), closes), closes, -1, people["coordinator"]
        ),
        ReminderChannel.EMAIL,
        "<a@x>",
    )
    g.change_phase(coordinator, cid, Phase.APPLICATION_SUBMITTED, date(2026, 4, 1))
    g.change_partner_role(coordinator, cid, partner, PartnerRole.ASSOCIATED)
    g.change_partner_role(coordinator, cid, partner, PartnerRole.PARTNER)
    g.change_partner_axis(coordinator, cid, partner, "Médiation")
    g.record_paper(coordinator, cid, partner, Paper.CONVENTION_SIGNED, date(2026, 2, 1))
    g.withdraw_partner(
        coordinator, cid, world.other_partner_id, date(2026, 5, 1), "Fin"
    )
    later = datetime.now(UTC) + timedelta(days=1)
    invitation = g.issue_invitation(coordinator, cid, MemberRole.MEMBER, lead, later)
    g.cancel_invitation(coordinator, cid, invitation.id)
    g.revoke_membership(coordinator, cid, people["pilot"])
    commitment = UUID(
        g.pledge(coordinator, cid, lead, a_pledge(funding=Funding.CO_FINANCING)).id
    )
    g.amend_commitment(
        coordinator,
        commitment,
        amount=Decimal("12000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        reason="Budget revu",
    )
    g.deliver(
        coordinator,
        commitment,
        delivered_on=date(2026, 3, 1),
        amount=Decimal("100"),
        description="Virement",
        evidence=None,
    )
    g.withdraw_commitment(coordinator, commitment, date(2026, 6, 1), "Retrait")
    rule = VotingRule(veto_days=5)
    body = g.establish_body(
        coordinator, cid, name="COPIL", members={partner: 1, lead: 1}, rule=rule
    ).id
    proxy = g.delegate_proxy(
        coordinator,
        cid,
        from_partner=lead,
        to_partner=partner,
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    ).id
    g.revoke_proxy(coordinator, cid, proxy)
    g.change_body(coordinator, cid, body, name="COPIL", members={partner: 1}, rule=rule)
    proposal = g.table_proposal(
        coordinator,
        cid,
        body,
        Motion(
            "Charte",
            "Adopter.",
            DEFAULT_OPTIONS,
            "meeting",
            meeting_on=date(2026, 3, 2),
        ),
    ).id
    g.cast_vote(member, UUID(proposal), partner, "against")
    g.cast_vote(member, UUID(proposal), partner, FOR, "Convaincus")
    g.close_proposal(coordinator, UUID(proposal))
    g.veto(member, UUID(proposal), partner, "Contraire à la convention")
    g.record_decision(
        coordinator,
        cid,
        body,
        title="Budget",
        text="Adopté.",
        outcome=Outcome.ADOPTED,
        decided_on=date(2026, 3, 2),
        present=(partner,),
        minutes=None,
    )
    report = UUID(
        g.schedule_report(
            coordinator,
            cid,
            funder="Région",
            title="Bilan",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=people["coordinator"],
            due_on=datetime.now(UTC).date() + timedelta(days=1),
        ).id
    )
    g.request_reminder(report, -1, people["coordinator"], 0)
    reminder = Reminder.create_id(
        str(report),
        datetime.now(UTC).date() + timedelta(days=1),
        -1,
        people["coordinator"],
    )
    g.record_reminder_sent(reminder, ReminderChannel.EMAIL, "<r@x>")
    # fundreminders: the lead partner's statement due with the report.
    g.request_statement_reminder(cid, report, lead, -1, people["coordinator"], 0)
    g.set_reminder_schedule(coordinator, cid, (10, 2))
    g.draft_report(coordinator, report, "Texte.")
    g.submit_report(coordinator, report)
    g.request_report_changes(financer, report, "Précisez.")
    g.draft_report(coordinator, report, "Texte précisé.")
    g.submit_report(coordinator, report)
    g.accept_report(financer, report, "Merci.")
    indicator = g.define_indicator(
        coordinator,
        cid,
        name="Personnes aidées",
        unit="personnes",
        baseline=Decimal("0"),
        target=Decimal("100"),
        target_on=date(2027, 12, 31),
        measured_by="Comptage",
    ).id
    g.measure_indicator(
        coordinator, UUID(indicator), Decimal("12"), date(2026, 3, 1), "Comptage"
    )
    entry = UUID(g.record_capitalisation(coordinator, cid, a_lesson()).id)
    g.amend_capitalisation(coordinator, entry, a_lesson(title="Ateliers"), "Titre")
    g.withdraw_capitalisation(coordinator, entry, "Doublon")
    g.declare_personal_data(coordinator, cid, True, lead)
    g.declare_personal_data(coordinator, cid, True, None)
    g.declare_personal_data(coordinator, cid, False, None)
    g.describe_beneficiary_involvement(coordinator, cid, "Ateliers ouverts")
    g.describe_beneficiary_involvement(coordinator, cid, "")
    stores.read_side.catch_up()
    sealed = seal_checkpoint(
        g, stores.read_side, load_or_create_key(tmp_path / "key.pem")
    )
    assert sealed is not None
    g.countersign_checkpoint(financer, cid, UUID(sealed.id))
    g.set_funding_rules(coordinator, cid, FundingRules(indirect_rate=Decimal(7)))
    g.set_funding_rules(coordinator, cid, FundingRules(max_funder_rate=Decimal(70)))
    expense = g.plan_expense(
        coordinator, cid, Expense(lead, CostCategory.TRAVEL, "Trains", Decimal(90))
    ).id
    resource = g.plan_resource(
        coordinator, cid, Resource(lead, ResourceSource.REQUESTED, Decimal(60))
    ).id
    g.file_plan_version(coordinator, cid, PlanVersionKind.APPLICATION, [])
    g.withdraw_expense(coordinator, cid, expense)
    g.withdraw_resource(coordinator, cid, resource)
    package = g.define_work_package(
        coordinator, cid, code="WP1", title="Diagnostic", lead_id=lead
    ).id
    g.change_work_package(
        coordinator, cid, package, code="WP1", title="Diagnostic partagé", lead_id=lead
    )
    spare = g.define_work_package(
        coordinator, cid, code="WP2", title="Vide", lead_id=lead
    ).id
    g.withdraw_work_package(coordinator, cid, spare)
    deliverable = g.plan_deliverable(
        coordinator,
        cid,
        package_id=package,
        title="Rapport",
        due_on=date(2026, 9, 30),
        responsible_id=lead,
    ).id
    g.request_deliverable_reminder(cid, deliverable, -7, people["coordinator"], 0)
    g.submit_deliverable(coordinator, cid, deliverable, a_file())
    g.request_deliverable_changes(financer, cid, deliverable, "Précisez.")
    g.submit_deliverable(coordinator, cid, deliverable, a_file())
    g.accept_deliverable(financer, cid, deliverable, "")
    milestone = g.plan_milestone(
        coordinator, cid, package_id=package, title="Lancement",
        planned_on=date(2026, 2, 1),
    ).id  # fmt: skip
    g.reach_milestone(
        coordinator, cid, milestone, reached_on=date(2026, 2, 2), note="Tenu."
    )
    kept = g.plan_expense(
        coordinator, cid, Expense(lead, CostCategory.TRAVEL, "Cars", Decimal(80))
    ).id
    g.file_plan_version(coordinator, cid, PlanVersionKind.CONVENTION, [])
    amendment = UUID(
        g.draft_amendment(
            coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Réaffectation"
        ).id
    )
    g.add_amendment_expense(
        coordinator,
        cid,
        amendment,
        Expense(lead, CostCategory.STAFF, "Chef", Decimal(70)),
    )
    g.add_amendment_resource(
        coordinator,
        cid,
        amendment,
        Resource(lead, ResourceSource.REQUESTED, Decimal(50)),
    )
    g.withdraw_in_amendment(coordinator, cid, amendment, kept)
    g.extend_amendment_period(coordinator, cid, amendment, date(2030, 1, 1))
    g.drop_amendment_change(coordinator, cid, amendment, kept)
    g.propose_amendment(coordinator, cid, amendment)
    g.approve_amendment(financer, cid, amendment, "Conforme.", [])
    refused = UUID(
        g.draft_amendment(
            coordinator, cid, AmendmentKind.PERIOD_EXTENSION, "Prolongation"
        ).id
    )
    g.extend_amendment_period(coordinator, cid, refused, date(2031, 1, 1))
    g.propose_amendment(coordinator, cid, refused)
    g.refuse_amendment(financer, cid, refused, "Non justifiée.")
    convention = UUID(
        g.file_document(
            coordinator,
            cid,
            DocumentKind.PARTNERSHIP_CONVENTION,
            "Convention",
            an_evidence(sha256="e" * 64),
        ).id
    )
    g.file_document_version(coordinator, cid, convention, an_evidence(), "Annexe")
    g.record_signature(coordinator, cid, convention, lead, "Mme", date(2026, 1, 9))
    period = report  # a report without a period takes lines of any date
    kept = g.declare_expense(coordinator, cid, period, lead, a_declared_expense()).id
    dropped = g.declare_expense(coordinator, cid, period, lead, a_declared_expense())
    statement = statement_id(str(cid), str(period), lead)
    g.withdraw_statement_line(coordinator, statement, dropped.id)
    g.submit_statements(coordinator, cid, period)
    g.refuse_statement_line(financer, statement, kept, RefusalReason.INELIGIBLE, "")
    g.accept_statement(financer, statement, "")
    # The grant: the advance at signature, an interim payment on the accepted report
    # (whose statement's lines were all refused), then everything recovered.
    g.change_phase(coordinator, cid, Phase.SELECTED, date(2026, 4, 10))
    g.change_phase(coordinator, cid, Phase.AGREEMENT_SIGNED, date(2026, 4, 20))
    g.set_grant(
        financer,
        cid,
        GrantTerms(Decimal(1000), Decimal(50)),
        [
            PlannedTranche(TrancheKind.ADVANCE, "", Decimal(600)),
            PlannedTranche(TrancheKind.INTERIM, "", Decimal(100), str(report)),
            PlannedTranche(TrancheKind.BALANCE, "", None, str(report)),
        ],
    )
    grant: Grant = g.repository.get(grant_id(str(cid)))
    # fundreminders: the advance ready to be paid, reminded to the financer.
    advance = grant.tranches[0].tranche_id
    g.request_tranche_reminder(
        cid, advance, date(2026, 4, 20), 0, people["financer"], 0
    )
    for tranche, euros in zip(grant.tranches[:2], (600, 100), strict=True):
        g.record_payment(
            financer, cid, tranche.tranche_id, Decimal(euros), date(2026, 4, 21)
        )
    g.record_recovery(financer, cid, Decimal(700), date(2026, 4, 22), "Trop perçu")
    # The period's financial report, on the partner's statement accepted after the
    # grant's recovery (so the grant's figures stay its own), then the final one.
    g.declare_expense(coordinator, cid, period, world.partner_id, a_declared_expense())
    g.submit_statements(coordinator, cid, period)
    financial_statement = statement_id(str(cid), str(period), world.partner_id)
    g.accept_statement(financer, financial_statement, "")
    for scope in (str(period), FINAL):
        for category in DIRECT_CATEGORIES:
            g.explain_variance(coordinator, cid, scope, category, "Écart expliqué.")
        g.certify_financial_report(
            coordinator,
            cid,
            scope,
            signatory="Claire Fontaine",
            capacity="Présidente",
            periods=[period],
        )

    # Daily use (issue 17): a meeting's votes recorded by the chair, a value
    # corrected and one withdrawn.
    g.delegate_proxy(
        coordinator,
        cid,
        from_partner=partner,
        to_partner=lead,
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    meeting = g.table_proposal(
        coordinator,
        cid,
        body,
        Motion("Local", "", DEFAULT_OPTIONS, "meeting", meeting_on=date(2026, 4, 2)),
    ).id
    g.record_meeting_votes(
        coordinator, UUID(meeting), [MeetingBallot(partner, FOR, partner)]
    )
    g.record_meeting_votes(
        coordinator, UUID(meeting), [MeetingBallot(partner, "against", lead)]
    )
    g.measure_indicator(
        coordinator, UUID(indicator), Decimal("60"), date(2026, 4, 1), "Comptage"
    )
    measured = stores.governance.repository.get(UUID(indicator)).measurements
    g.correct_measurement(
        coordinator,
        UUID(indicator),
        measured[-1].measurement_id,
        value=Decimal("6"),
        on=date(2026, 4, 1),
        source="Comptage",
        reason="Un zéro de trop",
    )
    g.withdraw_measurement(
        coordinator, UUID(indicator), measured[0].measurement_id, "Compté deux fois"
    )

    g.record_call_rules(coordinator, cid, CallRules(max_duration_months=36))
    stores.read_side.catch_up()
    return {
        "financial_period": str(period),
        "financial_statement": str(financial_statement),
        "deliverable": deliverable,
        "amendment": str(amendment),
        "refused_amendment": str(refused),
        "statement": str(statement),
        "commitment": str(commitment),
        "proposal": proposal,
        "meeting": meeting,
        "report": str(report),
        "entry": str(entry),
    }


def test_every_kind_of_entry_links_to_what_it_is_about_on_the_page_and_in_exports(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    ids = every_kind_once(client, world, tmp_path)
    login(client, world.emails["coordinator"])
    base = f"/consortia/{world.consortium_id}"

    trail = [
        json.loads(line)
        for line in client.get(f"{base}/history.jsonl").text.splitlines()
    ]
    links: dict[int, str] = {}
    # Every entry, the scheduler's reminders included (hidden by default).
    page = client.get(f"{base}/history?automatic=1").text
    while True:
        for item in ENTRY.finditer(page):
            found = LINK.search(item.group(0))
            links[int(item.group(1))] = found.group(1) if found else ""
        older = re.search(r"href=\"[^\"]*older_than=(\d+)\"", page)
        if older is None:
            break
        page = client.get(
            f"{base}/history?automatic=1&older_than={older.group(1)}"
        ).text

    assert {line["kind"] for line in trail} == set(AREA_OF_KIND)
    wrong = [
        (line["kind"], line["about"], links[line["position"]])
        for line in trail
        if line["about"]
        not in {
            about.format(**ids, subject=line["subject_id"])
            for about in ABOUT_EITHER.get(line["kind"], (ABOUT.get(line["kind"]),))
        }
        or links[line["position"]]
        != (f"{base}/{line['about']}" if line["about"] else "")
    ]
    assert wrong == []


def test_a_store_whose_history_kept_web_paths_links_its_entries_after_a_restart(
    tmp_path: Path,
) -> None:
    # SQLite: a web process catches up itself (on PostgreSQL the worker does).
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        world = build_world(client)
        as_an_older_version_left_it(stores_of(client).read_side.engine)

    with TestClient(create_app(settings), base_url="https://testserver") as client:
        login(client, world.emails["coordinator"])
        page = client.get(f"/consortia/{world.consortium_id}/history").text

    partner = f"/consortia/{world.consortium_id}/partners/{world.partner_id}"
    assert f'<a href="{partner}">admitted Partner Co' in page
