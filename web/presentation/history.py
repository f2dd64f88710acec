"""The consortium's history told in words, in the reader's language.

Each history row has a kind and the parameters a sentence needs; this module holds
one sentence per kind. Names of people come from the accounts store at render time
(personal data stays out of the event log).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from governance.convention.values import DocumentKind
from governance.financing.changes import AmendmentKind
from governance.financing.statement_values import RefusalReason
from governance.financing.values import CostCategory, PlanVersionKind, ResourceSource
from governance.values import (
    CapitalisationKind,
    ContributionKind,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    ReminderChannel,
    Unit,
)
from governance.voting import Outcome
from projections.history import HistoryEntry
from web.i18n import (
    N_,
    format_day,
    format_money,
    format_quantity,
    format_rate,
    gettext_,
    ngettext_,
)
from web.links import PathFor
from web.presentation.amendment_words import AMENDMENT_SENTENCES
from web.presentation.daily_words import DAILY_SENTENCES
from web.presentation.document_words import DOCUMENT_SENTENCES
from web.presentation.labels import in_unit, label
from web.presentation.workplan_words import WORKPLAN_SENTENCES

SENTENCES: dict[str, str] = {
    "founded": N_("founded the consortium “%(name)s”"),
    "profile_revised": N_("revised the consortium's profile and call"),
    "phase_changed": N_("moved the consortium to “%(phase)s” on %(on)s"),
    "partner_joined": N_("admitted %(partner)s as %(role)s (%(kind)s), from %(on)s"),
    "partner_role_changed": N_("made %(partner)s %(role)s"),
    "partner_axis_changed": N_("set the axis of %(partner)s to “%(axis)s”"),
    "partner_paper_recorded": N_(
        "recorded for %(partner)s: %(paper)s, signed on %(on)s"
    ),
    "partner_paper_removed": N_("recorded that %(partner)s has no paper yet"),
    "partner_withdrew": N_(
        "recorded the withdrawal of %(partner)s on %(on)s: %(reason)s"
    ),
    "invitation_issued": N_("invited someone as %(role)s %(partner)s"),
    "invitation_cancelled": N_("cancelled an invitation"),
    "membership_granted": N_("gave %(person)s the role %(role)s %(partner)s"),
    "membership_accepted": N_("joined the consortium as %(role)s %(partner)s"),
    "membership_revoked": N_("removed %(person)s from the consortium"),
    "commitment_pledged": N_(
        "recorded a commitment of %(partner)s: %(kind)s, %(amount)s"
    ),
    "commitment_amended": N_(
        "amended a commitment of %(partner)s (%(kind)s) to %(amount)s: %(reason)s"
    ),
    "commitment_withdrawn": N_(
        "withdrew a commitment of %(partner)s (%(kind)s) on %(on)s: %(reason)s"
    ),
    "capitalisation_recorded": N_(
        "recorded in the capitalisation register: %(entry_kind)s “%(title)s”"
    ),
    "capitalisation_amended": N_(
        "amended the capitalisation entry “%(title)s”: %(reason)s"
    ),
    "capitalisation_withdrawn": N_(
        "withdrew the capitalisation entry “%(title)s”: %(reason)s"
    ),
    "personal_data_handled": N_(
        "declared that the project handles personal data, %(partner)s answering for data protection"
    ),
    "personal_data_no_partner": N_(
        "declared that the project handles personal data, with no partner named for data protection"
    ),
    "personal_data_not_handled": N_(
        "declared that the project handles no personal data"
    ),
    "beneficiaries_described": N_(
        "described how end beneficiaries are involved: %(description)s"
    ),
    "beneficiaries_cleared": N_(
        "removed the description of how end beneficiaries are involved"
    ),
    "contribution_delivered": N_(
        "recorded a delivery of %(partner)s (%(kind)s): %(amount)s on %(on)s"
    ),
    "proxy_delegated": N_(
        "recorded that %(partner)s delegates its vote to %(to)s "
        "from %(on)s to %(until)s"
    ),
    "proxy_revoked": N_("revoked a proxy"),
    "proposal_tabled": N_("tabled “%(title)s” before %(body)s"),
    "vote_cast": N_("voted “%(option)s” for %(partner)s on “%(title)s”"),
    "vote_changed": N_(
        "changed the vote of %(partner)s on “%(title)s” to “%(option)s”: %(reason)s"
    ),
    "proposal_closed": N_("closed the vote on “%(title)s”: %(outcome)s"),
    "outcome_vetoed": N_("vetoed “%(title)s” for %(partner)s: %(reason)s"),
    "decision_recorded": N_(
        "recorded the decision “%(title)s” taken on %(on)s: %(outcome)s"
    ),
    "report_scheduled": N_("scheduled “%(title)s”, due to %(funder)s on %(on)s"),
    "report_submitted": N_("submitted “%(title)s” to the funder"),
    "report_accepted": N_("accepted “%(title)s”: %(comment)s"),
    "report_changes_requested": N_("asked for changes to “%(title)s”: %(comment)s"),
    "indicator_defined": N_(
        "defined the indicator “%(title)s”: from %(baseline)s to %(target)s "
        "%(unit)s by %(on)s"
    ),
    "indicator_measured": N_("measured “%(title)s”: %(value)s on %(on)s (%(source)s)"),
    "reminder_requested": N_("reminded %(person)s of “%(title)s” (%(stage)s)"),
    "reminder_sent": N_("sent the reminder of “%(title)s” %(channel)s"),
    "reminder_schedule_set": N_(
        "set the reminders to %(days)s days before each deadline"
    ),
    "checkpoint_countersigned": N_("countersigned a checkpoint of the log"),
    "expense_planned": N_(
        "planned an expense of %(partner)s in the financing plan: %(category)s, “%(label)s”, %(euros)s"
    ),
    "expense_withdrawn": N_(
        "withdrew from the financing plan an expense of %(partner)s: %(category)s, “%(label)s”, %(euros)s"
    ),
    "resource_planned": N_(
        "planned a resource of %(partner)s in the financing plan: %(resource_source)s, %(euros)s"
    ),
    "resource_withdrawn": N_(
        "withdrew from the financing plan a resource of %(partner)s: %(resource_source)s, %(euros)s"
    ),
    "funding_rules_set": N_("set the funding rules of the financing plan"),
    "funding_rules_set_with_rate": N_(
        "set the funding rules of the financing plan, with a maximum grant rate of %(rate)s"
    ),
    "plan_version_filed": N_(
        "filed version %(number)s of the financing plan (%(version_kind)s): expenses of %(expenses)s, grant requested %(requested)s"
    ),
    **WORKPLAN_SENTENCES,
    **AMENDMENT_SENTENCES,
    **DOCUMENT_SENTENCES,
    **DAILY_SENTENCES,
    "expense_declared": N_(
        "declared an expense of %(partner)s: %(category)s, “%(label)s”, %(euros)s"
    ),
    "expense_line_withdrawn": N_(
        "withdrew a declared expense of %(partner)s: %(category)s, “%(label)s”, %(euros)s"
    ),
    "expense_statement_submitted": N_(
        "submitted the expense statement of %(partner)s to the funder"
    ),
    "expense_line_refused": N_(
        "refused an expense of %(partner)s (%(refusal)s): %(category)s, “%(label)s”, %(euros)s"
    ),
    "expense_statement_accepted": N_("accepted the expense statement of %(partner)s"),
    "variance_explained": N_(
        "explained a variance in the financial report of “%(title)s” — %(category)s: %(explanation)s"
    ),
    "final_variance_explained": N_(
        "explained a variance in the final financial report — %(category)s: %(explanation)s"
    ),
    "financial_report_certified": N_(
        "certified the financial report of “%(title)s” in the name of %(signatory)s, %(capacity)s: %(euros)s of accepted expenses"
    ),
    "final_financial_report_certified": N_(
        "certified the final financial report in the name of %(signatory)s, %(capacity)s: %(euros)s of accepted expenses"
    ),
    "grant_set": N_(
        "set up the grant: %(euros)s, at %(rate)s of the accepted expenses, and its schedule of tranches"
    ),
    "payment_at_signature": N_(
        "recorded a payment of %(euros)s, paid on %(on)s, released by the signed convention"
    ),
    "payment_on_report": N_(
        "recorded a payment of %(euros)s, paid on %(on)s, released by the accepted report “%(report)s” and its accepted expense statements (%(expenses)s)"
    ),
    "recovery_recorded": N_(
        "recorded a recovery of %(euros)s on %(on)s, the accepted expenses (%(expenses)s) × the rate falling short of what was paid: %(reason)s"
    ),
    "call_rules_recorded": N_("recorded the call's rules"),
    "application_reminder_requested": N_(
        "reminded %(person)s of the application's closing date, %(on)s (%(stage)s)"
    ),
    "application_reminder_sent": N_(
        "sent the reminder of the application's closing date %(channel)s"
    ),
    "statement_reminder_requested": N_(
        "reminded %(person)s of the expense statement of %(partner)s for"
        " “%(title)s” (%(stage)s)"
    ),
    "tranche_reminder_requested": N_(
        "reminded %(person)s that the tranche “%(title)s” can be paid, since %(on)s"
    ),
}

AREA_LABELS: dict[str, str] = {
    "consortium": N_("The consortium"),
    "partners": N_("Partners"),
    "people": N_("People"),
    "commitments": N_("Commitments"),
    "decisions": N_("Decisions"),
    "reporting": N_("Reporting and reminders"),
    "capitalisation": N_("Capitalisation and readiness"),
    "audit": N_("Audit"),
    "budget": N_("Financing plan"),
    "workplan": N_("Work plan"),
    "expenses": N_("Expense statements"),
    "financial_report": N_("Financial reports"),
    "funding": N_("Funding"),
}


def stage_words(stage: int) -> str:
    """A reminder's stage in words: days before, the day, days late."""
    if stage < 0:
        return ngettext_("%(days)s day before", "%(days)s days before", -stage) % {
            "days": -stage
        }
    if stage == 0:
        return gettext_(N_("on the day"))
    return ngettext_("%(days)s day late", "%(days)s days late", stage) % {"days": stage}


def _param(key: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if key == "phase":
        return label(Phase(value))
    if key == "role":
        try:
            return label(PartnerRole(value))
        except ValueError:
            return label(MemberRole(value))
    if key == "kind":
        try:
            return label(PartnerKind(value))
        except ValueError:
            return label(ContributionKind(value))
    if key == "unit" and value in {u.value for u in Unit}:
        return label(Unit(str(value)))
    if key == "paper":
        return label(Paper(value))
    if key == "entry_kind":
        return label(CapitalisationKind(value)).lower()
    if key in {"on", "until"} and isinstance(value, str):
        return format_day(date.fromisoformat(value))
    if key == "outcome":
        return label(Outcome(value))
    if key == "channel":
        return label(ReminderChannel(value))
    if key == "stage" and isinstance(value, int):
        return stage_words(value)
    if key == "option" and isinstance(value, str):
        return option_words(value)
    if key in {"value", "baseline", "target"}:
        return format_quantity(Decimal(str(value)))
    if key in {"euros", "expenses", "requested"}:
        return format_money(Decimal(str(value)))
    if key == "rate":
        return format_rate(Decimal(str(value)))
    if key == "category":
        return label(CostCategory(value))
    if key == "resource_source":
        return label(ResourceSource(value))
    if key == "refusal":
        return label(RefusalReason(value)).lower()
    if key == "version_kind":
        return label(PlanVersionKind(value)).lower()
    if key == "amendment_kind":
        return label(AmendmentKind(value)).lower()
    if key == "document_kind":
        return label(DocumentKind(value)).lower()
    return str(value)


# notify: a reminder's line names its report's period (titles repeat).
PERIOD_SENTENCES = {
    "reminder_requested": N_(
        "reminded %(person)s of “%(title)s” (%(period)s, %(stage)s)"
    ),
    "reminder_sent": N_("sent the reminder of “%(title)s” (%(period)s) %(channel)s"),
}


def period_words(recorded: dict[str, object]) -> str:
    """A report's period in words ("period 1 January to 30 June 2026"), or its due
    date when it has no period; "" when the line predates them."""
    start, end = recorded.get("period_from"), recorded.get("period_until")
    if isinstance(start, str) and isinstance(end, str):
        return gettext_(N_("period %(start)s to %(end)s")) % {
            "start": format_day(date.fromisoformat(start)),
            "end": format_day(date.fromisoformat(end)),
        }
    due = recorded.get("due")
    if isinstance(due, str):
        return gettext_(N_("due on %(day)s")) % {
            "day": format_day(date.fromisoformat(due))
        }
    return ""


def option_words(option: str) -> str:
    """A vote option in words: the default ones translated, custom ones as given."""
    defaults = {"for": N_("For"), "against": N_("Against"), "abstain": N_("Abstain")}
    return gettext_(defaults[option]) if option in defaults else option


def describe(entry: HistoryEntry, names: dict[str, str]) -> str:
    """What happened, as a sentence without its author (shown beside it)."""
    params = {k: _param(k, v) for k, v in entry.params.items()}
    if "amount" in entry.params and "unit" in entry.params:
        params["amount"] = in_unit(
            entry.params.get("amount"), Unit(entry.params["unit"])
        )
    if entry.kind in {
        "membership_granted",
        "membership_revoked",
        "reminder_requested",
        "deliverable_reminder_requested",
        "application_reminder_requested",
        "statement_reminder_requested",
        "tranche_reminder_requested",
    }:
        params["person"] = names.get(entry.subject_id or "", gettext_(N_("a person")))
    if params.get("partner") and entry.kind in {
        "invitation_issued",
        "membership_granted",
    }:
        params["partner"] = gettext_(N_("for %(partner)s")) % {
            "partner": params["partner"]
        }
    params.setdefault("partner", "")
    params.setdefault("on", "")
    kind = entry.kind
    if kind == "membership_granted" and entry.subject_id == entry.actor_id:
        kind = "membership_accepted"
    if kind == "partner_paper_recorded" and not entry.params.get("on"):
        kind = "partner_paper_removed"
    if kind in PERIOD_SENTENCES and (period := period_words(entry.params)):
        params["period"] = period
        return (gettext_(PERIOD_SENTENCES[kind]) % params).strip()
    sentence = _counted(kind, entry.params) or gettext_(
        SENTENCES.get(kind, N_("changed the consortium"))
    )
    return (sentence % params).strip()


def _counted(kind: str, recorded: dict[str, object]) -> str | None:
    """The sentences whose words follow a count ("1 member partner", "2 …s")."""
    files = recorded.get("files")
    if kind == "report_drafted" and isinstance(files, int):
        return ngettext_(
            "saved a draft of “%(title)s” (%(files)s attached file)",
            "saved a draft of “%(title)s” (%(files)s attached files)",
            files,
        )
    count = recorded.get("members")
    if not isinstance(count, int):
        return None
    if kind == "body_established":
        return ngettext_(
            "established the body “%(body)s” with %(members)s member partner",
            "established the body “%(body)s” with %(members)s member partners",
            count,
        )
    if kind == "body_changed":
        return ngettext_(
            "changed the body “%(body)s” (%(members)s member partner)",
            "changed the body “%(body)s” (%(members)s member partners)",
            count,
        )
    return None


SYSTEM_ACTORS = {
    "system:scheduler": N_("The scheduler"),
    "system:platform": N_("The platform"),
}


def actor_name(actor_id: str, names: dict[str, str]) -> str:
    """Who did it: a person's name, the scheduler or the platform."""
    if actor_id.startswith("system:"):
        return gettext_(SYSTEM_ACTORS.get(actor_id, N_("The scheduler")))
    return names.get(actor_id, gettext_(N_("A former member")))


def author(entry: HistoryEntry, names: dict[str, str]) -> str:
    """Who did an entry of the history."""
    return actor_name(entry.actor_id, names)


# Where each kind of thing an entry is about is shown: a route, and the parameter
# the thing's id fills (None: a page of all of them, as for bodies or indicators).
# Kinds without a page of their own (the consortium itself, a reminder sent) have
# no link.
PAGES: dict[str, tuple[str, str | None]] = {
    "partner": ("partners:detail", "partner_id"),
    "invitation": ("members:index", None),
    "member": ("members:index", None),
    "commitment": ("ledger:commitment", "commitment_id"),
    "body": ("bodies:index", None),
    "proxy": ("bodies:index", None),
    "proposal": ("proposals:detail", "proposal_id"),
    "decision": ("decisions:index", None),
    "report": ("reporting:report", "obligation_id"),
    "indicator": ("indicators:index", None),
    "reminder_schedule": ("reporting:index", None),
    "capitalisation_entry": ("capitalisation:entry", "entry_id"),
    "readiness": ("readiness:index", None),
    "checkpoint": ("audit:index", None),
    "financing_plan": ("budget:index", None),
    "work_package": ("workplan:index", None),
    "deliverable": ("workplan:deliverable", "deliverable_id"),
    "milestone": ("workplan:index", None),
    "amendment": ("amendments:detail", "amendment_id"),
    "document": ("documents:index", None),
    "expense_statement": ("expenses:statement", "statement_id"),
    "financial_report": ("financial_report:detail", "scope"),
    "grant": ("funding:index", None),
    "call": ("call:index", None),
}


def link(entry: HistoryEntry, path_for: PathFor) -> str:
    """The address of what the entry is about, or "" if it has no page."""
    page = PAGES.get(entry.about_kind)
    if page is None:
        return ""
    name, parameter = page
    params = {"consortium_id": entry.consortium_id}
    if parameter is not None and entry.about_id:
        params[parameter] = entry.about_id
    return path_for(name, **params)


def link_in_consortium(entry: HistoryEntry, path_for: PathFor) -> str:
    """``link`` from the consortium's page on (``partners/…``), as trails export it."""
    address = link(entry, path_for)
    home = path_for("consortia:overview", consortium_id=entry.consortium_id) + "/"
    return address.removeprefix(home) if address else ""
