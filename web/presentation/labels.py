"""Words for the domain's values and errors, in the request's language.

Strings are marked with ``N_`` so Babel extracts them; they are translated when
shown. Every enum member and every rule code has an entry (a test checks it).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

from governance.errors import RuleViolated
from governance.values import (
    AssetType,
    AuthorityLevel,
    CapitalisationKind,
    ContributionKind,
    Funding,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    ReminderChannel,
    ReportKind,
    ReportStatus,
    Unit,
)
from governance.voting import Majority, Outcome
from web.i18n import N_, format_day, format_money, format_quantity, gettext_
from web.presentation.amendment_words import AMENDMENT_LABELS, AMENDMENT_RULES
from web.presentation.budget_words import BUDGET_LABELS, BUDGET_RULES
from web.presentation.call_refusals import CALL_RULES
from web.presentation.daily_words import DAILY_RULES
from web.presentation.document_words import DOCUMENT_LABELS, DOCUMENT_RULES
from web.presentation.expense_words import EXPENSE_LABELS, EXPENSE_RULES
from web.presentation.financial_report_words import FINANCIAL_REPORT_RULES
from web.presentation.funding_words import FUNDING_LABELS, FUNDING_RULES
from web.presentation.workplan_words import WORKPLAN_LABELS, WORKPLAN_RULES

LABELS: dict[Enum, str] = {
    Phase.SETUP: N_("Setup"),
    Phase.APPLICATION_SUBMITTED: N_("Application submitted"),
    Phase.SELECTED: N_("Selected"),
    Phase.REJECTED: N_("Rejected"),
    Phase.AGREEMENT_SIGNED: N_("Agreement signed"),
    Phase.IMPLEMENTATION: N_("Implementation"),
    Phase.CLOSED: N_("Closed"),
    PartnerKind.LOCAL_AUTHORITY: N_("Local authority"),
    PartnerKind.PUBLIC_BODY: N_("Public body"),
    PartnerKind.COMPANY: N_("Company, SME or start-up"),
    PartnerKind.SOCIAL_ECONOMY: N_("Association, cooperative or third place"),
    PartnerKind.ACADEMIC: N_("University or lab"),
    PartnerKind.CITIZENS: N_("Citizens' collective"),
    PartnerKind.FUNDER: N_("Funder"),
    PartnerKind.OTHER: N_("Other"),
    AuthorityLevel.COMMUNE: N_("Commune"),
    AuthorityLevel.EPCI: N_("Inter-municipal authority (EPCI)"),
    AuthorityLevel.DEPARTEMENT: N_("Département"),
    AuthorityLevel.REGION: N_("Region"),
    PartnerRole.LEAD: N_("Lead partner"),
    PartnerRole.PARTNER: N_("Partner"),
    PartnerRole.ASSOCIATED: N_("Associated partner"),
    Paper.NONE: N_("No paper yet"),
    Paper.LETTER_OF_COMMITMENT: N_("Letter of commitment"),
    Paper.CONVENTION_SIGNED: N_("Convention signed"),
    MemberRole.COORDINATOR: N_("Coordinator"),
    MemberRole.MEMBER: N_("Member"),
    MemberRole.PILOT_TEAM: N_("Pilot team"),
    MemberRole.FINANCER: N_("Financer"),
    ContributionKind.FINANCIAL: N_("Financial"),
    ContributionKind.HUMAN: N_("Staff time"),
    ContributionKind.TECHNICAL: N_("Technical"),
    ContributionKind.LOGISTICAL: N_("Logistical"),
    ContributionKind.DATA_SET: N_("Data set"),
    ContributionKind.IN_KIND: N_("Other in-kind"),
    Unit.EUR: N_("€"),
    Unit.PERSON_DAY: N_("person-days"),
    Funding.CO_FINANCING: N_("Co-financing"),
    Funding.REQUESTED: N_("Requested from the funder"),
    Majority.SIMPLE: N_("simple majority of votes cast"),
    Majority.ABSOLUTE: N_("absolute majority of members"),
    Majority.TWO_THIRDS: N_("two-thirds majority of votes cast"),
    Majority.UNANIMITY: N_("unanimity"),
    Majority.TWO_THIRDS_OF_TWO_THIRDS: N_(
        "two thirds of the votes of two thirds of the members"
    ),
    Outcome.ADOPTED: N_("Adopted"),
    Outcome.REJECTED: N_("Rejected"),
    Outcome.NO_QUORUM: N_("No quorum"),
    Outcome.VETOED: N_("Vetoed"),
    ReportKind.ACTIVITY_REPORT: N_("Activity report"),
    ReportKind.FINANCIAL_STATEMENT: N_("Financial statement"),
    ReportKind.INDICATOR_UPDATE: N_("Indicator update"),
    ReportKind.FINAL_REPORT: N_("Final report"),
    ReportStatus.DUE: N_("To write"),
    ReportStatus.DRAFTED: N_("Drafted"),
    ReportStatus.SUBMITTED: N_("Submitted"),
    ReportStatus.CHANGES_REQUESTED: N_("Changes requested"),
    ReportStatus.ACCEPTED: N_("Accepted"),
    ReminderChannel.EMAIL: N_("by e-mail"),
    ReminderChannel.DIGEST: N_("in the daily digest"),
    ReminderChannel.IN_APP: N_("in the application only"),
    CapitalisationKind.LESSON: N_("Lesson learned"),
    CapitalisationKind.ASSET: N_("Reusable asset"),
    CapitalisationKind.REPLICATION: N_("Replication"),
    CapitalisationKind.DISSEMINATION: N_("Dissemination event"),
    AssetType.SOFTWARE: N_("Software"),
    AssetType.METHOD: N_("Method"),
    AssetType.DATA_SET: N_("Data set"),
    AssetType.GUIDE: N_("Guide"),
    **BUDGET_LABELS,
    **WORKPLAN_LABELS,
    **AMENDMENT_LABELS,
    **DOCUMENT_LABELS,
    **EXPENSE_LABELS,
    **FUNDING_LABELS,
}

RULES: dict[str, str] = {
    "call.name_required": N_("The call for projects needs a name."),
    "call.funder_required": N_("The call for projects needs a funder."),
    "call.url_invalid": N_("The call's address must start with http:// or https://."),
    "call.closing_dates_unordered": N_(
        "Closing dates must be different and in chronological order."
    ),
    "call.closes_before_opening": N_("A call cannot close before it opens."),
    "consortium.name_required": N_("The consortium needs a name."),
    "phase.illegal_transition": N_(
        "A consortium in phase “%(current)s” cannot move to “%(requested)s”."
    ),
    "phase.date_before_previous": N_(
        "The date cannot be before the start of the current phase (%(previous)s)."
    ),
    "phase.needs_one_lead_partner": N_(
        "Past setup, a consortium needs exactly one lead partner: admit or name one first."
    ),
    "partner.name_required": N_("The organisation needs a name."),
    "partner.siret_invalid": N_(
        "This SIRET is not valid: 14 digits with a correct check digit."
    ),
    "partner.rna_invalid": N_("This RNA number is not valid: W followed by 9 digits."),
    "partner.authority_level_mismatch": N_(
        "Choose a level for a local authority, and only for a local authority."
    ),
    "partner.siret_taken": N_("This SIRET is already used by %(name)s."),
    "partner.rna_taken": N_("This RNA number is already used by %(name)s."),
    "partner.lead_already_exists": N_(
        "The consortium already has a lead partner: change that partner's role to hand the lead over."
    ),
    "partner.duplicate_id": N_("This partner exists already."),
    "partner.role_unchanged": N_("The partner already has this role."),
    "partner.lead_must_be_handed_over": N_(
        "The lead partner cannot leave that role past setup: make another partner lead first."
    ),
    "partner.axis_unchanged": N_("The partner already carries this axis."),
    "partner.paper_unchanged": N_("This paper is already recorded."),
    "partner.paper_date_required": N_("Give the date the paper was signed."),
    "partner.paper_date_without_paper": N_("A date is only needed with a paper."),
    "partner.withdrawal_reason_required": N_("Give the reason for the withdrawal."),
    "partner.withdrawal_before_joining": N_(
        "A partner cannot withdraw before it joined (%(joined_on)s)."
    ),
    "partner.withdrawn": N_("%(name)s has withdrawn; its record can no longer change."),
    "invitation.duplicate_id": N_("This invitation exists already."),
    "invitation.expired": N_("This invitation has expired. Ask for a new one."),
    "membership.partner_required": N_("A member represents a partner: choose one."),
    "membership.partner_only_for_members": N_("Only members represent a partner."),
    "membership.unchanged": N_("This person already has this role."),
    "membership.last_coordinator": N_("A consortium keeps at least one coordinator."),
    "amount.not_positive": N_("Enter an amount greater than zero."),
    "amount.too_large": N_("This amount is too large (at most a billion)."),
    "amount.too_precise": N_("Use at most two decimals."),
    "daily_rate.not_positive": N_("Enter a daily rate greater than zero."),
    "daily_rate.too_large": N_("This daily rate is too large."),
    "daily_rate.too_precise": N_("Use at most two decimals for the daily rate."),
    "period.ends_before_start": N_("The period cannot end before it starts."),
    "commitment.daily_rate_only_for_human": N_(
        "A daily rate only applies to staff time."
    ),
    "commitment.licence_required": N_("Give the licence of the data set."),
    "commitment.valuation_method_required": N_(
        "Explain how the contribution is valued."
    ),
    "commitment.reason_required": N_("Give the reason."),
    "commitment.unchanged": N_("Nothing changed: give a new amount or period."),
    "commitment.withdrawn": N_(
        "This commitment was withdrawn; it can no longer change."
    ),
    "commitment.partner_not_active": N_(
        "This partner has withdrawn: it can no longer commit."
    ),
    "contribution.description_required": N_("Describe what was delivered."),
    "contribution.before_period": N_(
        "A delivery cannot be dated before the commitment starts (%(starts_on)s)."
    ),
    "contribution.duplicate_id": N_("This contribution exists already."),
    "evidence.too_large": N_("The file is too large (10 MB at most)."),
    "evidence.empty": N_("The file is empty."),
    "evidence.type_not_allowed": N_(
        "Only PDF, images, office documents and CSV files are accepted (checked by their content)."
    ),
    "evidence.archive_unsafe": N_(
        "This document looks unsafe (suspicious archive content)."
    ),
    "evidence.name_invalid": N_("The file name is not valid."),
    "body.duplicate_id": N_("This body exists already."),
    "body.name_required": N_("The body needs a name."),
    "body.members_required": N_("Choose at least one member partner."),
    "body.weight_invalid": N_("Weights go from 1 to 100."),
    "body.quorum_invalid": N_("The quorum goes from 0 to 100 %."),
    "body.veto_days_invalid": N_("The veto window goes from 0 to 90 days."),
    "body.name_taken": N_("Another body has this name."),
    "body.unchanged": N_("Nothing changed."),
    "proxy.to_itself": N_("A partner cannot delegate its vote to itself."),
    "proxy.duplicate_id": N_("This delegation exists already."),
    "proposal.title_required": N_("The proposal needs a title."),
    "proposal.options_invalid": N_("Give at least two different options."),
    "proposal.closing_in_the_past": N_("The vote must close in the future."),
    "proposal.meeting_date_required": N_("Give the date of the meeting."),
    "proposal.mode_invalid": N_("Choose how the proposal is decided."),
    "proposal.body_without_members": N_("This body has no member partner."),
    "proposal.closed": N_("The vote is closed."),
    "proposal.consortium_closed": N_(
        "The project is closed: it takes no new proposals or decisions."
    ),
    "commitment.consortium_closed": N_(
        "The project is closed: it takes no new commitments."
    ),
    "proposal.deadline_not_reached": N_(
        "A written vote closes by itself at its deadline."
    ),
    "proposal.deadline_passed": N_("The deadline has passed: the vote is over."),
    "vote.not_a_member": N_("This partner does not sit in the body."),
    "vote.option_unknown": N_("Choose one of the options."),
    "vote.unchanged": N_("This vote is already recorded."),
    "veto.nothing_to_veto": N_("Only an adopted outcome can be vetoed."),
    "veto.not_allowed_by_rule": N_("This body's rule has no veto."),
    "veto.window_closed": N_("The veto window has closed."),
    "veto.reason_required": N_("Give the reason for the veto."),
    "decision.outcome_invalid": N_("A recorded decision is adopted or rejected."),
    "decision.present_required": N_("Tick the partners present."),
    "reporting.every_months_invalid": N_("A period lasts from 1 to 24 months."),
    "reporting.due_days_invalid": N_(
        "The delay after a period goes from 0 to 365 days."
    ),
    "reporting.count_invalid": N_("Schedule from 1 to 60 periods."),
    "reporting.title_required": N_("Say what is due."),
    "reporting.due_before_period_end": N_(
        "A report cannot be due before its period ends."
    ),
    "reporting.responsible_not_a_member": N_(
        "The person responsible must hold a role in the consortium."
    ),
    "report.not_writable": N_("This report can no longer be changed."),
    "report.empty": N_("Write the report or attach a file."),
    "report.not_drafted": N_("Draft the report before submitting it."),
    "report.not_submitted": N_("Only a submitted report can be reviewed."),
    "report.comment_required": N_("Say what should change."),
    "reminder.report_not_due": N_("This report is no longer due."),
    "reminder.recipient_not_a_member": N_("This person is no longer a member."),
    "reminder.already_sent": N_("This reminder was sent already."),
    "reminder.message_id_required": N_("An e-mail needs its Message-ID."),
    "reminder.too_many_stages": N_(
        "Choose at most %(limit)s reminders before a deadline."
    ),
    "reminder.days_out_of_range": N_(
        "Each reminder must come between 1 and %(limit)s days before the deadline."
    ),
    "report.indicator_twice": N_("An indicator can be included only once."),
    "report.value_outside_period": N_(
        "A report includes only the values measured within its period."
    ),
    "indicator.name_required": N_("The indicator needs a name."),
    "indicator.unit_required": N_("Give the unit."),
    "indicator.target_equals_baseline": N_("The target must differ from the baseline."),
    "checkpoint.already_countersigned": N_(
        "You have already countersigned this checkpoint for this consortium."
    ),
    "checkpoint.bad_position": N_(
        "This checkpoint does not cover a valid part of the log."
    ),
    "checkpoint.bad_hex": N_("This checkpoint is malformed."),
    "indicator.source_required": N_("Say where the value comes from."),
    "baseline.invalid": N_("The baseline is not a valid number."),
    "target.invalid": N_("The target is not a valid number."),
    "measurement.invalid": N_("The value is not a valid number."),
    "capitalisation.title_required": N_("Give a title."),
    "capitalisation.reason_required": N_("Give the reason."),
    "capitalisation.unchanged": N_("Nothing changed."),
    "capitalisation.kind_unchangeable": N_("An entry keeps its kind."),
    "capitalisation.withdrawn": N_(
        "This entry was withdrawn; it can no longer change."
    ),
    "lesson.content_required": N_("Say what worked or what did not."),
    "lesson.for_whom_required": N_("Say for whom this lesson matters."),
    "asset.licence_required": N_("Give the licence under which others may reuse it."),
    "asset.url_required": N_("Give the address where it can be found."),
    "asset.url_invalid": N_("Give an address starting with http:// or https://."),
    "replication.reused_by_required": N_(
        "Say which territory or organisation reuses it."
    ),
    "dissemination.audience_required": N_("Say who the audience was."),
    "dissemination.place_required": N_("Give the place or an address."),
    "dissemination.url_invalid": N_(
        "Give an address starting with http:// or https://."
    ),
    "readiness.unchanged": N_("This is already recorded."),
    **BUDGET_RULES,
    **WORKPLAN_RULES,
    **AMENDMENT_RULES,
    **DOCUMENT_RULES,
    **EXPENSE_RULES,
    **FINANCIAL_REPORT_RULES,
    **FUNDING_RULES,
    **DAILY_RULES,
    **CALL_RULES,
}

WARNINGS: dict[str, str] = {
    "facade.no_commitment": N_(
        "%(partner)s has no commitment: a partner without an envelope looks like a façade partner to funders."
    ),
    "facade.nothing_delivered": N_(
        "%(partner)s joined %(days)s days ago and has delivered nothing yet."
    ),
    "commitments.all_lapsed": N_(
        "All commitments of %(partner)s have ended or were withdrawn."
    ),
    "lead.no_financial_commitment": N_(
        "The lead partner %(partner)s has no financial commitment, which funders expect past setup."
    ),
    "contributions.concentrated": N_(
        "%(partner)s carries %(share)s %% of what is pledged (more than %(threshold)s %%): the consortium depends on one partner."
    ),
}


def label(value: Enum | None) -> str:
    """The translated name of an enum member ("" for None)."""
    if value is None:
        return ""
    return gettext_(LABELS[value])


def warning_message(code: str, params: dict[str, Any]) -> str:
    """The translated sentence of a ledger warning."""
    return gettext_(WARNINGS[code]) % params


def rule_message(error: RuleViolated) -> str:
    """The translated sentence for a refused rule."""
    template = gettext_(RULES.get(error.code, N_("This change is not allowed.")))
    params: dict[str, Any] = {}
    for key, value in error.params.items():
        if hasattr(value, "isoformat"):
            params[key] = format_day(value)
        elif key in {"current", "requested"}:
            params[key] = label(Phase(value))
        elif key == "due":  # an amount of the grant (funding_words)
            params[key] = format_money(value)
        else:
            params[key] = value
    return template % params if params else template


def in_unit(value: object, unit: Unit) -> str:
    """An amount in a commitment's unit ("1 200,00 €", "12,5 jours-personne")."""
    if value is None or value == "":
        return ""
    # A ledger page shows two a row: a Decimal is taken as it is, not rebuilt.
    amount = value if type(value) is Decimal else Decimal(str(value))
    if unit is Unit.EUR:
        return format_money(amount)
    return f"{format_quantity(amount)} {label(unit)}"
