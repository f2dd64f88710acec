"""Every published event, and snapshots, survive the stored event stores unchanged.

Values are compared with their types (``typed``), so an enum that came back as its
value, a date as a string or a tuple as a list fails here, not in production.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from governance.actor import SCHEDULER, acting_as
from governance.application import Governance
from governance.call.rulebook import CallRulebook
from governance.call.values import CallRules
from governance.capitalisation import CapitalisationRecord
from governance.checkpoint import Checkpoint
from governance.commitment import Commitment
from governance.consortium import Consortium
from governance.convention.document import ConventionDocument
from governance.convention.values import DocumentKind
from governance.events import ALL_EVENTS
from governance.financing.amendment import Amendment
from governance.financing.changes import AmendmentKind
from governance.financing.funding_figures import funding_figures
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    Release,
    TrancheCondition,
    TrancheKind,
)
from governance.financing.plan import FinancingPlan
from governance.financing.report import FinancialReport
from governance.financing.report_values import ReportFigures, Variance
from governance.financing.statement import ExpenseStatement
from governance.financing.statement_values import RefusalReason
from governance.financing.values import (
    CostCategory,
    FundingRules,
    IndirectBase,
    PlanContent,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
)
from governance.indicator import Indicator, Measurement
from governance.proposal import Decision, Proposal
from governance.reminder import Reminder, ReminderSchedule
from governance.reporting import ReportingObligation
from governance.values import (
    MEETING,
    ContributionKind,
    Evidence,
    Funding,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    ReminderChannel,
    ReportedIndicator,
    ReportedValue,
    ReportKind,
    ReportStatus,
)
from governance.voting import FOR, Majority, Outcome
from governance.workplan.plan import WorkPlan
from tests.support.builders import (
    COORDINATOR_ID,
    REPORT_DUE_ON,
    REPORT_PERIOD,
    RNA_A,
    SIRET_B,
    T0,
    a_call,
    a_consortium,
    a_dissemination,
    a_lesson,
    a_motion,
    a_partner_identity,
    a_pledge,
    a_replication,
    a_rule,
    a_spreadsheet,
    admit,
    an_asset,
    an_authority,
    an_evidence,
    an_indicator,
    an_obligation,
    store_env,
)
from tests.support.expenses import a_declared_expense, staff_time
from tests.support.fakes import FixedClock
from tests.support.financing import a_resource, an_expense, committed, rules, staff_days


def typed(value: Any) -> Any:
    """``value`` with the type of each of its parts, for type-strict comparison."""
    if is_dataclass(value) and not isinstance(value, type):
        return (
            type(value),
            tuple((f.name, typed(getattr(value, f.name))) for f in fields(value)),
        )
    if isinstance(value, list | tuple):
        return (type(value), tuple(typed(v) for v in value))
    if isinstance(value, dict):
        return (type(value), {k: typed(v) for k, v in value.items()})
    return (type(value), value)


def described(events: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each event as its class name and its typed fields."""
    return [
        (type(e).__qualname__, {name: typed(v) for name, v in vars(e).items()})
        for e in events
    ]


def a_full_history() -> Consortium:
    """One consortium whose pending events include every published event type."""
    with acting_as(COORDINATOR_ID, at=T0):
        consortium = a_consortium()
        consortium.revise_profile(
            name="Inclusion numérique du Val",
            acronym="INV",
            summary="Deuxième version",
            territory="Val fictif",
            call=a_call(reference="TID-2026-B"),
        )
        lead = admit(consortium, an_authority(), role=PartnerRole.LEAD)
        lab = admit(
            consortium,
            a_partner_identity(
                "Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B
            ),
        )
        association = consortium.admit_partner(
            a_partner_identity("Association Clic", rna=RNA_A),
            role=PartnerRole.ASSOCIATED,
            axis="Médiation",
            paper=Paper.LETTER_OF_COMMITMENT,
            paper_signed_on=date(2026, 1, 20),
            joined_on=date(2026, 1, 20),
        )
        consortium.change_phase(Phase.APPLICATION_SUBMITTED, date(2026, 4, 1))
        consortium.change_partner_role(lab, PartnerRole.LEAD)
        consortium.change_partner_axis(lead, "Pilotage")
        consortium.record_paper(lab, Paper.CONVENTION_SIGNED, date(2026, 4, 2))
        consortium.issue_invitation(
            invitation_id="inv-member",
            role=MemberRole.MEMBER,
            partner_id=association,
            expires_at=T0 + timedelta(days=7),
        )
        consortium.issue_invitation(
            invitation_id="inv-funder",
            role=MemberRole.FINANCER,
            partner_id=None,
            expires_at=T0 + timedelta(days=7),
        )
        consortium.cancel_invitation("inv-funder")
        consortium.accept_invitation("inv-member", "acc-association", T0)
        consortium.issue_invitation(
            invitation_id="inv-pilot",
            role=MemberRole.PILOT_TEAM,
            partner_id=None,
            expires_at=T0 + timedelta(days=7),
        )
        consortium.accept_invitation("inv-pilot", "acc-pilot", T0)
        consortium.change_member_role("acc-pilot", MemberRole.FINANCER, None)
        consortium.revoke_membership("acc-pilot")
        consortium.establish_body(
            "b-copil", "COPIL", {lead: 2, lab: 1, association: 1}, a_rule()
        )
        consortium.establish_body(
            "b-tech",
            "Comité technique",
            {lab: 1},
            a_rule(quorum=Decimal("0.75"), majority=Majority.UNANIMITY),
        )
        consortium.change_body(
            "b-copil",
            "Comité de pilotage",
            {lead: 3, lab: 1, association: 1},
            a_rule(
                quorum=Decimal("0.6"),
                quorum_by_weight=True,
                majority=Majority.TWO_THIRDS_OF_TWO_THIRDS,
                veto_days=30,
            ),
        )
        consortium.delegate_proxy(
            "px-1", association, lab, date(2026, 3, 1), date(2026, 3, 31)
        )
        consortium.delegate_proxy(
            "px-2", lead, lab, date(2026, 4, 1), date(2026, 4, 30)
        )
        consortium.revoke_proxy("px-2")
        consortium.declare_personal_data(True, lab)
        consortium.describe_beneficiary_involvement("Un panel de douze usagers")
        consortium.withdraw_partner(association, date(2026, 5, 1), "Dissolution")
    return consortium


def a_proposal_history(consortium: Consortium) -> Proposal:
    """A written vote with a document, voted, changed, closed, adopted and vetoed."""
    copil = consortium.bodies["b-copil"]
    partners = list(copil.members)
    closes_at = T0 + timedelta(days=1)
    with acting_as(COORDINATOR_ID, at=T0):
        proposal = Proposal.table(
            str(consortium.id),
            "b-copil",
            a_motion(closes_at=closes_at, document=an_evidence(filename="budget.pdf")),
            copil.members,
            copil.rule,
            T0,
        )
        proposal.cast_vote(partners[0], FOR, "Budget équilibré", at=T0)
        proposal.cast_vote(partners[1], "against", "", at=T0)
        proposal.cast_vote(partners[1], FOR, "Après discussion", at=T0)
        proposal.close(at=closes_at)
        proposal.veto(partners[2], "Contraire à la convention", at=closes_at)
    return proposal


def a_meeting_proposal(consortium: Consortium) -> Proposal:
    """A vote with custom options put to a meeting, still open."""
    body = consortium.bodies["b-tech"]
    with acting_as(COORDINATOR_ID, at=T0):
        proposal = Proposal.table(
            str(consortium.id),
            "b-tech",
            a_motion(mode=MEETING, options=("Lyon", "Grenoble", "abstain")),
            body.members,
            body.rule,
            T0,
        )
        proposal.cast_vote(next(iter(body.members)), "Grenoble", "", at=T0)
    return proposal


def a_decision(consortium: Consortium) -> Decision:
    """A decision recorded after a meeting, with its minutes."""
    with acting_as(COORDINATOR_ID, at=T0):
        return Decision.record(
            str(consortium.id),
            "b-copil",
            title="Adopter le règlement intérieur",
            text="Adopté à l'unanimité des présents.",
            outcome=Outcome.ADOPTED,
            decided_on=date(2026, 3, 16),
            present=tuple(consortium.bodies["b-copil"].members),
            minutes=an_evidence(filename="compte-rendu.pdf"),
        )


def a_report_history(consortium: Consortium) -> ReportingObligation:
    """A half-year's report with two files, sent back once, rewritten with the
    indicator values of its period, and accepted."""
    values = an_indicator_history(consortium).reported(*REPORT_PERIOD, REPORT_DUE_ON)
    assert len(values.values) == 2
    with acting_as(COORDINATOR_ID, at=T0):
        obligation = an_obligation(str(consortium.id), "s-half-years")
        obligation.draft(
            "Douze ateliers, 140 personnes accompagnées.",
            (
                an_evidence(filename="rapport-s1.pdf"),
                a_spreadsheet(),
            ),
        )
        obligation.submit()
        obligation.request_changes("Détailler les indicateurs par commune.")
        obligation.draft("Indicateurs détaillés par commune.", (), (values,))
        obligation.submit()
        obligation.accept("Conforme à la convention.")
    assert obligation.status is ReportStatus.ACCEPTED
    return obligation


def a_one_off_report(consortium: Consortium) -> ReportingObligation:
    """A final report with no period and nobody responsible, still to write."""
    with acting_as(COORDINATOR_ID, at=T0):
        return an_obligation(
            str(consortium.id),
            "s-final",
            title="Rapport final",
            kind=ReportKind.FINAL_REPORT,
            responsible_id=None,
            period=None,
            due_on=date(2027, 3, 31),
        )


def an_indicator_history(consortium: Consortium) -> Indicator:
    """Waiting time in days, brought down from 21.50 toward 7, measured twice.

    The values have trailing zeros and many decimals: they come back as written.
    """
    with acting_as(COORDINATOR_ID, at=T0):
        indicator = an_indicator(
            str(consortium.id),
            name="Temps d'attente moyen",
            unit="jours",
            baseline=Decimal("21.50"),
            target=Decimal("7.00"),
            target_on=date(2027, 6, 30),
        )
        indicator.measure(
            "m-1", Decimal("18.250"), date(2026, 3, 31), "Fiches d'accueil"
        )
        indicator.measure(
            "m-2", Decimal("12.3333333333"), date(2026, 6, 30), "Enquête du laboratoire"
        )
    return indicator


def a_reminder_history(consortium: Consortium) -> Reminder:
    """The coordinator reminded of a report a week before it is due, by e-mail."""
    with acting_as(SCHEDULER, at=T0):
        reminder = Reminder(
            consortium_id=str(consortium.id),
            obligation_id="obligation-1",
            due_on=date(2026, 9, 30),
            stage=-7,
            recipient_id=COORDINATOR_ID,
            escalation=0,
        )
        reminder.mark_sent(ReminderChannel.EMAIL, "<reminder.1@example.org>")
    return reminder


def a_reminder_schedule(consortium: Consortium) -> ReminderSchedule:
    """Reminded 21 and 3 days before, then 10 and 2 days before."""
    with acting_as(COORDINATOR_ID, at=T0):
        schedule = ReminderSchedule.set(str(consortium.id), (3, 21))
        schedule.change((10, 2))
    return schedule


def a_countersigned_checkpoint(consortium: Consortium) -> Checkpoint:
    """A checkpoint of the log, countersigned by a financer of the consortium."""
    with acting_as("system:platform", at=T0):
        checkpoint = Checkpoint.seal(
            position=120,
            tree_size=118,
            root="ab" * 32,
            chain_head="cd" * 32,
            signature="ef" * 64,
            key_id="0123456789abcdef",
            public_key="12" * 32,
        )
    with acting_as("acc-financer", at=T0 + timedelta(days=1)):
        checkpoint.countersign(str(consortium.id), "acc-financer")
    return checkpoint


def capitalisation_histories(consortium: Consortium) -> list[CapitalisationRecord]:
    """One entry of each kind: the asset amended, the replication withdrawn."""
    cid = str(consortium.id)
    with acting_as(COORDINATOR_ID, at=T0):
        lesson = CapitalisationRecord.record(cid, a_lesson())
        asset = CapitalisationRecord.record(cid, an_asset())
        asset.amend(an_asset(licence="EUPL-1.2"), "Licence harmonisée")
        replication = CapitalisationRecord.record(cid, a_replication())
        replication.withdraw("Doublon")
        dissemination = CapitalisationRecord.record(cid, a_dissemination())
    return [lesson, asset, replication, dissemination]


def an_amended_asset(consortium: Consortium) -> CapitalisationRecord:
    return capitalisation_histories(consortium)[1]


def a_withdrawn_replication(consortium: Consortium) -> CapitalisationRecord:
    return capitalisation_histories(consortium)[2]


def a_financing_plan_history(consortium: Consortium) -> FinancingPlan:
    """Rules with a flat rate, staff by days, a line withdrawn, other public
    funding, and the application and convention versions filed with commitments."""
    lead, lab, *_ = consortium.partners
    with acting_as(COORDINATOR_ID, at=T0):
        plan = FinancingPlan.open(str(consortium.id))
        plan.set_rules(
            rules(
                max_funder_rate=Decimal("70.00"),
                max_partner_rate=Decimal("80"),
                min_cofinancing=Decimal("20.5"),
                eligible_from=date(2026, 1, 1),
                eligible_until=date(2028, 6, 30),
                eligible_categories=(CostCategory.STAFF, CostCategory.EQUIPMENT),
                indirect_rate=Decimal("15"),
                indirect_base=IndirectBase.DIRECT_COSTS,
                equipment_cap=Decimal("30"),
            )
        )
        plan.plan_expense(staff_days("12.5", "400.00", partner_id=lead).line("e-1"))
        plan.plan_expense(an_expense(partner_id=lab, year=None).line("e-2"))
        plan.withdraw_expense("e-2")
        plan.plan_resource(a_resource(partner_id=lead).line("r-1"))
        plan.plan_resource(
            a_resource(
                partner_id=lab,
                source=ResourceSource.OTHER_PUBLIC,
                public_funder=PublicFunder.EU_FUNDS,
                year=2027,
            ).line("r-2")
        )
        plan.withdraw_resource("r-2")
        plan.file_version(
            PlanVersionKind.APPLICATION,
            (committed("1200.50", partner_id=lead), committed(None, partner_id=lab)),
        )
        plan.file_version(PlanVersionKind.CONVENTION, ())
    with acting_as("acc-financer", at=T0 + timedelta(days=3)):
        amended = replace(plan.in_force(), rules=rules(indirect_rate=Decimal("7")))
        plan.file_amendment(amended)
    return plan


def a_work_plan_history(consortium: Consortium) -> WorkPlan:
    """Packages defined, changed and withdrawn; a deliverable sent back, handed in
    again and accepted; a milestone reached with a file and a note."""
    lead, lab, *_ = consortium.partners
    with acting_as(COORDINATOR_ID, at=T0):
        plan = WorkPlan.open(str(consortium.id))
        plan.define_package("wp-1", "WP1", "Diagnostic", lead, (lab,))
        plan.define_package("wp-2", "WP2", "Brouillon", lab, ())
        plan.change_package("wp-1", "WP1", "Diagnostic partagé", lab, (lead,))
        plan.withdraw_package("wp-2")
        plan.plan_deliverable("d-1", "wp-1", "Rapport", date(2026, 9, 30), lab)
        plan.submit_deliverable("d-1", an_evidence(), "v1")
        plan.request_deliverable_changes("d-1", "Ajoutez l'enquête.")
        plan.submit_deliverable("d-1", an_evidence(filename="v2.pdf"), "")
        plan.accept_deliverable("d-1", "")
        plan.plan_milestone("m-1", "wp-1", "Lancement", date(2026, 2, 1))
        plan.reach_milestone(
            "m-1", date(2026, 2, 3), "Salle comble", (an_evidence(),), T0.date()
        )
    return plan


def amendment_histories(consortium: Consortium) -> list[Amendment]:
    """An amendment built, proposed and approved; another proposed and refused."""
    lead, lab, *_ = consortium.partners
    with acting_as(COORDINATOR_ID, at=T0):
        approved = Amendment.draft(
            str(consortium.id),
            AmendmentKind.PARTNER_ENTERING,
            "Entrée du laboratoire.",
            str(uuid4()),
        )
        approved.add_expense(staff_days("3", "350.50", partner_id=lab).line("a-e1"))
        approved.add_resource(a_resource(partner_id=lab).line("a-r1"))
        approved.add_expense(an_expense(partner_id=lab).line("a-e2"))
        approved.drop_change("a-e2")
        in_force = PlanContent((an_expense(partner_id=lead).line("e-1"),))
        approved.withdraw_line("e-1", in_force)
        approved.extend_period(date(2029, 1, 31), in_force)
        approved.propose(in_force)
        refused = Amendment.draft(
            str(consortium.id), AmendmentKind.PERIOD_EXTENSION, "Retard.", None
        )
        refused.extend_period(date(2029, 6, 30), in_force)
        refused.propose(in_force)
    with acting_as("acc-financer", at=T0 + timedelta(days=2)):
        approved.approve("Conforme à la convention.", 3)
        refused.refuse("Pas justifié.")
    return [approved, refused]


def a_signed_document(consortium: Consortium) -> ConventionDocument:
    """A convention filed, signed by one partner, versioned, signed by another."""
    lead, lab, *_ = consortium.partners
    with acting_as(COORDINATOR_ID, at=T0):
        document = ConventionDocument.file(
            str(consortium.id),
            DocumentKind.PARTNERSHIP_CONVENTION,
            "Convention de partenariat",
            an_evidence(sha256="c" * 64, filename="convention.pdf"),
        )
        document.sign(lead, "Mme la Maire", date(2026, 2, 3))
        document.file_version(an_evidence(sha256="d" * 64), "Annexe financière")
        document.sign(lab, "Le directeur", date(2026, 2, 10))
    return document


def an_expense_statement_history(consortium: Consortium) -> ExpenseStatement:
    """An invoice with its document, staff days, a line withdrawn, submitted, a
    line refused with a reason, accepted."""
    lead, *_ = consortium.partners
    with acting_as(COORDINATOR_ID, at=T0):
        statement = ExpenseStatement.open(
            str(consortium.id), lead, "o-1", (date(2026, 1, 1), date(2026, 6, 30))
        )
        statement.declare(
            a_declared_expense(document=an_evidence(), vat_recoverable=True).line("l-1")
        )
        statement.declare(staff_time("12.5", "320.00").line("l-2"))
        statement.declare(a_declared_expense(amount_incl=None).line("l-3"))
        statement.withdraw_line("l-3")
        statement.submit()
        statement.refuse_line(
            "l-2", RefusalReason.UNSUPPORTED, "Pas de feuille de temps"
        )
        statement.accept("Validé, hors temps non justifié")
    return statement


def a_certified_financial_report(consortium: Consortium) -> FinancialReport:
    """A period's financial report: a variance explained twice, certified with the
    figures (to the cent) by a named person in a capacity."""
    with acting_as(COORDINATOR_ID, at=T0):
        report = FinancialReport.open(str(consortium.id), "o-1", "Rapport financier")
        report.explain(CostCategory.TRAVEL, "Moins de déplacements.")
        report.explain(CostCategory.TRAVEL, "Moins de déplacements l'hiver.")
        figures = ReportFigures(
            Decimal(181) / Decimal(365),
            Decimal(20),
            (Variance("travel", Decimal("991.78"), Decimal("550.00"), True),),
            (),
        )
        report.certify(
            "Claire Fontaine", "Présidente", figures, statements_waiting=False
        )
    return report


def a_grant_history(consortium: Consortium) -> Grant:
    """A grant of 1,000 € at 50 %: the advance paid at signature, then (the final
    report accepted with 800 € of expenses) 200 € recovered."""
    with acting_as(COORDINATOR_ID, at=T0):
        grant = Grant.set_up(
            str(consortium.id),
            GrantTerms(Decimal("1000.00"), Decimal("50"), date(2026, 1, 1), None),
            [
                PlannedTranche(TrancheKind.ADVANCE, "Avance", Decimal("600.00")),
                PlannedTranche(TrancheKind.BALANCE, "Solde", None, "o-1"),
            ],
            ["t-1", "t-2"],
        )
        ready = funding_figures(
            grant.terms, grant.tranches, [], [], Decimal(0), {"t-1"}
        )
        grant.record_payment(
            "p-1",
            "t-1",
            Decimal("600.00"),
            date(2026, 2, 1),
            ready,
            Release(TrancheCondition.CONVENTION_SIGNED),
        )
        final = Release(
            TrancheCondition.FINAL_REPORT_ACCEPTED,
            "o-1",
            "Rapport final",
            ("s-1", "s-2"),
            Decimal("800.00"),
        )
        short = funding_figures(
            grant.terms,
            grant.tranches,
            grant.payments,
            [],
            Decimal("800.00"),
            {"t-1", "t-2"},
        )
        grant.record_recovery(
            "r-1", Decimal("200.00"), date(2026, 12, 1), "Trop perçu", short, final
        )
    return grant


def a_call_rulebook(consortium: Consortium) -> CallRulebook:
    """The call's rules recorded with every field set, then changed."""
    with acting_as(COORDINATOR_ID, at=T0):
        rulebook = CallRulebook.open(str(consortium.id))
        rulebook.record(
            CallRules(
                eligible_kinds=(PartnerKind.LOCAL_AUTHORITY, PartnerKind.COMPANY),
                lead_kinds=(PartnerKind.LOCAL_AUTHORITY,),
                budget_floor=Decimal("50000.00"),
                budget_ceiling=Decimal("400000.50"),
                max_duration_months=36,
                selection_committee_on=date(2026, 6, 15),
                contact_name="Service des appels",
                contact_email="appels@funder.example",
                funding=FundingRules(
                    max_funder_rate=Decimal("70"),
                    eligible_from=date(2026, 1, 1),
                    eligible_categories=(CostCategory.STAFF, CostCategory.TRAVEL),
                    indirect_rate=Decimal("7.5"),
                ),
            )
        )
        rulebook.record(CallRules(max_duration_months=24))
    return rulebook


def every_aggregate() -> list[Any]:
    """A consortium, a commitment, proposals, a decision, reports, an indicator,
    a countersigned checkpoint."""
    consortium = a_full_history()
    return [
        consortium,
        a_commitment_history(consortium),
        a_proposal_history(consortium),
        a_meeting_proposal(consortium),
        a_decision(consortium),
        a_report_history(consortium),
        a_one_off_report(consortium),
        an_indicator_history(consortium),
        a_reminder_history(consortium),
        a_reminder_schedule(consortium),
        a_countersigned_checkpoint(consortium),
        *capitalisation_histories(consortium),
        a_financing_plan_history(consortium),
        a_work_plan_history(consortium),
        *amendment_histories(consortium),
        a_signed_document(consortium),
        an_expense_statement_history(consortium),
        a_certified_financial_report(consortium),
        a_grant_history(consortium),
        *daily_histories(consortium),
        a_call_rulebook(consortium),
    ]


def daily_histories(consortium: Consortium) -> list[Any]:
    """A meeting vote whose ballots the chair recorded (one through a proxy), and an
    indicator whose values were corrected and withdrawn (issue 17)."""
    copil = consortium.bodies["b-copil"]
    first, second, *_ = list(copil.members)
    with acting_as(COORDINATOR_ID, at=T0):
        proposal = Proposal.table(
            str(consortium.id),
            "b-copil",
            a_motion(mode=MEETING),
            copil.members,
            copil.rule,
            T0,
        )
        proposal.record_vote(first, FOR, "", first, at=T0)
        proposal.record_vote(second, "against", "À main levée", first, at=T0)
        indicator = an_indicator(
            str(consortium.id),
            name="Ateliers",
            unit="ateliers",
            baseline=Decimal("0"),
            target=Decimal("12"),
            target_on=date(2027, 6, 30),
        )
        indicator.measure("m-a", Decimal("60"), date(2026, 3, 31), "Feuilles")
        indicator.measure("m-b", Decimal("4"), date(2026, 4, 30), "Feuilles")
        indicator.correct_measurement(
            "m-a", Decimal("6.0"), date(2026, 3, 31), "Feuilles", "Zéro de trop"
        )
        indicator.withdraw_measurement("m-b", "Compté deux fois")
    return [proposal, indicator]


def a_commitment_history(consortium: Consortium) -> Commitment:
    """A commitment of days with a daily rate, amended, delivered twice, withdrawn."""
    with acting_as(COORDINATOR_ID, at=T0):
        commitment = Commitment.pledge(
            str(consortium.id),
            next(iter(consortium.partners)),
            a_pledge(
                kind=ContributionKind.HUMAN,
                amount=Decimal("40"),
                daily_rate=Decimal("450.00"),
                funding=Funding.REQUESTED,
            ),
        )
        commitment.amend(
            Decimal("35.5"), date(2026, 2, 1), date(2027, 1, 31), "Moins de médiation"
        )
        commitment.deliver(
            "ctb-1", date(2026, 3, 2), Decimal("12.5"), "Ateliers", an_evidence()
        )
        commitment.deliver("ctb-2", date(2026, 4, 6), Decimal("3"), "Permanences", None)
        commitment.withdraw(date(2026, 5, 1), "Départ du médiateur")
    return commitment


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def event_store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """A stored event store: a SQLite file, then a PostgreSQL database."""
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    return store_env(request.param, tmp_path, url=url)


@pytest.fixture
def app(event_store: dict[str, str]) -> Iterator[Governance]:
    governance = Governance(env=event_store, clock=FixedClock(T0))
    yield governance
    governance.close()


@pytest.fixture
def reopened(event_store: dict[str, str]) -> Iterator[Governance]:
    """A second service on the same store: nothing it reads comes from memory."""
    governance = Governance(env=event_store, clock=FixedClock(T0))
    yield governance
    governance.close()


def reloaded_events(app: Governance) -> list[Any]:
    notifications = app.recorder.select_notifications(start=1, limit=1000)
    return [app.mapper.to_domain_event(n) for n in notifications]


def test_every_event_type_comes_back_field_by_field_with_its_types(
    app: Governance, reopened: Governance
) -> None:
    aggregates = every_aggregate()
    originals = [e for a in aggregates for e in a.pending_events]
    app.save(*aggregates)

    reloaded = reloaded_events(reopened)

    assert {type(e) for e in reloaded} == set(ALL_EVENTS)
    assert described(reloaded) == described(originals)


def test_every_stored_event_names_its_author(
    app: Governance, reopened: Governance
) -> None:
    app.save(*every_aggregate())

    reloaded = reloaded_events(reopened)

    assert reloaded
    assert all(isinstance(e.actor_id, str) and e.actor_id for e in reloaded)


def test_a_snapshot_of_a_consortium_comes_back_equal_in_state(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    app.save(consortium)

    app.take_snapshot(consortium.id)

    assert reopened.snapshots is not None
    snapshots: list[Any] = list(reopened.snapshots.get(consortium.id))
    from_snapshot = snapshots[-1].mutate(None)
    assert len(snapshots) == 1
    assert from_snapshot == consortium
    assert typed(vars(from_snapshot)) == typed(vars(consortium))
    assert reopened.repository.get(consortium.id) == consortium


def test_a_snapshot_of_a_commitment_comes_back_equal_in_state(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    commitment = a_commitment_history(consortium)
    app.save(consortium, commitment)

    app.take_snapshot(commitment.id)

    assert reopened.snapshots is not None
    snapshots: list[Any] = list(reopened.snapshots.get(commitment.id))
    from_snapshot = snapshots[-1].mutate(None)
    assert len(snapshots) == 1
    assert from_snapshot == commitment
    assert typed(vars(from_snapshot)) == typed(vars(commitment))
    assert reopened.repository.get(commitment.id) == commitment


@pytest.mark.parametrize(
    "history",
    [
        a_proposal_history,
        a_meeting_proposal,
        a_decision,
        a_report_history,
        a_one_off_report,
        an_indicator_history,
        a_reminder_history,
        a_reminder_schedule,
        a_countersigned_checkpoint,
        a_financing_plan_history,
        an_amended_asset,
        a_withdrawn_replication,
        a_work_plan_history,
        an_expense_statement_history,
        a_certified_financial_report,
        a_grant_history,
    ],
    ids=[
        "vetoed-proposal",
        "open-meeting-proposal",
        "decision",
        "accepted-report",
        "one-off-report",
        "measured-indicator",
        "sent-reminder",
        "changed-schedule",
        "countersigned-checkpoint",
        "filed-financing-plan",
        "amended-asset",
        "withdrawn-replication",
        "work-plan",
        "accepted-expense-statement",
        "certified-financial-report",
        "grant-paid-and-recovered",
    ],
)
def test_a_snapshot_of_a_proposal_decision_report_or_indicator_comes_back_equal(
    app: Governance, reopened: Governance, history: Any
) -> None:
    consortium = a_full_history()
    aggregate = history(consortium)
    app.save(consortium, aggregate)

    app.take_snapshot(aggregate.id)

    assert reopened.snapshots is not None
    snapshots: list[Any] = list(reopened.snapshots.get(aggregate.id))
    from_snapshot = snapshots[-1].mutate(None)
    assert len(snapshots) == 1
    assert from_snapshot == aggregate
    assert typed(vars(from_snapshot)) == typed(vars(aggregate))
    assert reopened.repository.get(aggregate.id) == aggregate


def test_a_report_keeps_its_two_attachments_as_a_tuple_of_evidence(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    obligation = a_report_history(consortium)
    drafted = next(
        e
        for e in obligation.pending_events
        if isinstance(e, ReportingObligation.ReportDrafted)
    )
    app.save(consortium, obligation)

    reloaded = next(
        e
        for e in reloaded_events(reopened)
        if isinstance(e, ReportingObligation.ReportDrafted)
    )

    assert typed(reloaded.attachments) == typed(drafted.attachments)
    assert type(reloaded.attachments) is tuple
    assert len(reloaded.attachments) == 2
    assert [type(a) for a in reloaded.attachments] == [Evidence, Evidence]


def test_indicator_values_come_back_as_the_same_decimals_digit_for_digit(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    indicator = an_indicator_history(consortium)
    app.save(consortium, indicator)

    reloaded = [
        e
        for e in reloaded_events(reopened)
        if isinstance(e, Indicator.Defined | Indicator.Measured)
    ]

    defined, *measured = reloaded
    assert isinstance(defined, Indicator.Defined)
    assert [(type(v), str(v)) for v in (defined.baseline, defined.target)] == [
        (Decimal, "21.50"),
        (Decimal, "7.00"),
    ]
    assert [(type(e.value), str(e.value)) for e in measured] == [
        (Decimal, "18.250"),
        (Decimal, "12.3333333333"),
    ]


def test_a_snapshot_of_an_indicator_keeps_its_two_measurements_exactly(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    indicator = an_indicator_history(consortium)
    app.save(consortium, indicator)

    app.take_snapshot(indicator.id)

    assert reopened.snapshots is not None
    snapshots: list[Any] = list(reopened.snapshots.get(indicator.id))
    from_snapshot = snapshots[-1].mutate(None)
    assert len(snapshots) == 1
    assert from_snapshot.measurements == [
        Measurement("m-1", Decimal("18.250"), date(2026, 3, 31), "Fiches d'accueil"),
        Measurement(
            "m-2", Decimal("12.3333333333"), date(2026, 6, 30), "Enquête du laboratoire"
        ),
    ]
    assert [str(m.value) for m in from_snapshot.measurements] == [
        "18.250",
        "12.3333333333",
    ]
    assert (str(from_snapshot.baseline), str(from_snapshot.target)) == ("21.50", "7.00")
    assert typed(vars(from_snapshot)) == typed(vars(indicator))


def test_a_report_keeps_the_indicator_values_it_included_with_their_types(
    app: Governance, reopened: Governance
) -> None:
    consortium = a_full_history()
    obligation = a_report_history(consortium)
    app.save(consortium, obligation)

    drafts = [
        e
        for e in reloaded_events(reopened)
        if isinstance(e, ReportingObligation.ReportDrafted)
    ]

    assert [len(e.indicator_values) for e in drafts] == [0, 1]
    (reported,) = drafts[-1].indicator_values
    assert type(reported) is ReportedIndicator
    assert type(reported.values) is tuple
    assert [type(v) for v in reported.values] == [ReportedValue, ReportedValue]
    assert [str(v.value) for v in reported.values] == ["18.250", "12.3333333333"]
    assert reported.values[0].on == date(2026, 3, 31)


def test_a_draft_stored_before_indicator_values_existed_still_loads(
    app: Governance, reopened: Governance
) -> None:
    """A version 1 ``ReportDrafted`` (no ``indicator_values``, no class version)."""
    consortium = a_full_history()
    with acting_as(COORDINATOR_ID, at=T0):
        obligation = an_obligation(str(consortium.id), "s-old")
        obligation.draft("Rapport écrit avant les indicateurs.", (an_evidence(),))
    stored = []
    for domain_event in obligation.collect_events():
        record = app.mapper.to_stored_event(domain_event)
        state = app.mapper.transcoder.decode(record.state)
        if isinstance(domain_event, ReportingObligation.ReportDrafted):
            assert state.pop("class_version") == 2
            del state["indicator_values"]
        stored.append(replace(record, state=app.mapper.transcoder.encode(state)))
    app.save(consortium)
    app.recorder.insert_events(stored)

    reloaded = [
        e
        for e in reloaded_events(reopened)
        if isinstance(e, ReportingObligation.ReportDrafted)
    ]
    replayed = reopened.repository.get(obligation.id)

    assert [e.indicator_values for e in reloaded] == [()]
    assert replayed.indicator_values == ()
    assert replayed.text == "Rapport écrit avant les indicateurs."
    assert replayed.status is ReportStatus.DRAFTED


def test_a_consortium_snapshot_taken_before_the_readiness_settings_still_loads(
    app: Governance, reopened: Governance
) -> None:
    """A version 1 snapshot (no readiness settings) comes back unanswered."""
    with acting_as(COORDINATOR_ID, at=T0):
        consortium = a_consortium()
        admit(consortium)
    app.save(consortium)
    assert app.snapshots is not None
    record = app.mapper.to_stored_event(Consortium.Snapshot.take(consortium))
    state = app.mapper.transcoder.decode(record.state)
    assert state["state"].pop("class_version") == 2
    for name in (
        "handles_personal_data",
        "data_protection_partner_id",
        "beneficiary_involvement",
    ):
        del state["state"][name]
    app.snapshots.recorder.insert_events(
        [replace(record, state=app.mapper.transcoder.encode(state))]
    )

    replayed = reopened.repository.get(consortium.id)

    assert replayed.handles_personal_data is None
    assert replayed.data_protection_partner_id is None
    assert replayed.beneficiary_involvement == ""
    assert replayed.partners == consortium.partners


def test_a_body_established_before_quorums_were_fractions_keeps_its_exact_share(
    app: Governance, reopened: Governance
) -> None:
    """A stored rule whose quorum is a decimal (as before 2/3 could be entered)."""
    with acting_as(COORDINATOR_ID, at=T0):
        consortium = a_consortium()
        lead = admit(consortium)
        consortium.establish_body(
            "b-old", "COPIL", {lead: 1}, a_rule(quorum=Fraction(2, 3))
        )
    stored = []
    for domain_event in consortium.collect_events():
        record = app.mapper.to_stored_event(domain_event)
        if isinstance(domain_event, Consortium.GovernanceBodyEstablished):
            state = app.mapper.transcoder.decode(record.state)
            # What an older release wrote: the quorum as a decimal.
            object.__setattr__(state["rule"], "quorum", Decimal("0.6667"))
            record = replace(record, state=app.mapper.transcoder.encode(state))
            assert b"decimal" in record.state
            assert b"2/3" not in record.state
        stored.append(record)
    app.recorder.insert_events(stored)

    replayed = reopened.repository.get(consortium.id)

    assert replayed.bodies["b-old"].rule.share == Fraction(6667, 10000)
    assert replayed.bodies["b-old"].rule.quorum == Decimal("0.6667")


def test_a_quorum_of_two_thirds_is_stored_as_the_exact_fraction(
    app: Governance, reopened: Governance
) -> None:
    with acting_as(COORDINATOR_ID, at=T0):
        consortium = a_consortium()
        lead = admit(consortium)
        consortium.establish_body(
            "b-2/3", "COPIL", {lead: 1}, a_rule(quorum=Fraction(2, 3))
        )
    app.save(consortium)

    replayed = reopened.repository.get(consortium.id)

    assert replayed.bodies["b-2/3"].rule.quorum == Fraction(2, 3)
