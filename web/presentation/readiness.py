"""Funder-readiness told in words: each item's name, its reason, the page to fix it.

The rules and reason codes are ``governance.readiness``'s; this module only words
them in the reader's language and says where each one is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from governance.readiness import Item, Readiness, Status
from web.i18n import N_, gettext_
from web.links import PathFor
from web.presentation.labels import label

TITLES: dict[str, str] = {
    "papers": N_("Every partner has a letter of commitment or a convention"),
    "governance": N_("A governance body with a decision rule"),
    "commitments": N_("Every partner has a typed commitment"),
    "lead_co_financing": N_("The lead partner co-finances"),
    "indicators": N_("Indicators with targets"),
    "reporting_calendar": N_("A reporting calendar"),
    "capitalisation_plan": N_("A capitalisation plan"),
    "data_protection": N_("A partner competent in data protection"),
    "no_facade": N_("No façade partner"),
    "partner_variety": N_("Partners of more than one kind"),
    "end_beneficiaries": N_("End beneficiaries involved"),
}

REASONS: dict[str, str] = {
    "partners.none": N_(
        "No partner yet: admit the organisations that carry the project."
    ),
    "papers.all": N_("Active partners with their paper: all %(count)s."),
    "papers.missing": N_("No letter or convention yet for: %(partners)s."),
    "papers.undocumented": N_(
        "Declared but not on file (no letter filed, no signature on the convention) for: %(partners)s. File them on the Documents page."
    ),
    "governance.bodies": N_(
        "Governance bodies: %(count)s, each with its decision rule."
    ),
    "governance.none": N_("No governance body: say who steers and how it decides."),
    "commitments.all": N_("Active partners with a commitment: all %(count)s."),
    "commitments.missing": N_("No commitment recorded for: %(partners)s."),
    "lead.none": N_("No lead partner: name the partner that coordinates and signs."),
    "lead.co_finances": N_("%(partner)s brings co-financing."),
    "lead.no_co_financing": N_(
        "%(partner)s has no co-financing commitment: funders expect the lead partner to co-finance."
    ),
    "indicators.defined": N_("Indicators: %(count)s, each with its target."),
    "indicators.none": N_(
        "No indicator: say what is measured and toward which target."
    ),
    "calendar.scheduled": N_("Reports scheduled to funders: %(count)s."),
    "calendar.none": N_("No report scheduled: set the reporting calendar."),
    "capitalisation.recorded": N_("Entries in the capitalisation register: %(count)s."),
    "capitalisation.none": N_(
        "Nothing in the capitalisation register: record what the project will leave behind."
    ),
    "personal_data.unanswered": N_("Say whether the project handles personal data."),
    "personal_data.not_handled": N_(
        "The project handles no personal data: this does not apply."
    ),
    "personal_data.no_partner": N_(
        "The project handles personal data: name the partner competent in data protection (GDPR)."
    ),
    "personal_data.partner_withdrawn": N_(
        "%(partner)s, named for data protection, has withdrawn: name another partner."
    ),
    "personal_data.partner": N_("%(partner)s answers for data protection."),
    "facade.none": N_("Every partner has a commitment and delivers."),
    "facade.found": N_(
        "Façade partners (no commitment, or nothing delivered %(days)s days after joining): %(partners)s."
    ),
    "variety.kinds": N_("Kinds of partners: %(count)s."),
    "variety.one_kind": N_(
        "All partners are of one kind (%(kind)s): funders look for a varied consortium."
    ),
    "beneficiaries.partner": N_("A citizens' collective takes part: %(partners)s."),
    "beneficiaries.described": N_("How they take part: %(description)s"),
    "beneficiaries.none": N_(
        "No citizens' collective and no description of how end beneficiaries take part."
    ),
}

STATUSES: dict[Status, str] = {
    Status.MET: N_("Met"),
    Status.NOT_MET: N_("To do"),
    Status.NOT_APPLICABLE: N_("Does not apply"),
}

# The page that fixes each item (a route name, and a place on that page).
PAGES: dict[str, tuple[str, str]] = {
    "papers": ("partners:index", ""),
    "governance": ("bodies:index", ""),
    "commitments": ("ledger:index", ""),
    "lead_co_financing": ("ledger:index", ""),
    "indicators": ("indicators:index", ""),
    "reporting_calendar": ("reporting:index", ""),
    "capitalisation_plan": ("capitalisation:index", ""),
    "data_protection": ("readiness:index", "#data-protection"),
    "no_facade": ("ledger:index", ""),
    "partner_variety": ("partners:index", ""),
    "end_beneficiaries": ("readiness:index", "#beneficiaries"),
}
# Reasons fixed on another page than the item's usual one.
REASON_PAGES: dict[str, tuple[str, str]] = {
    "partners.none": ("partners:index", ""),
    "lead.none": ("partners:index", ""),
}


@dataclass(frozen=True)
class ItemLine:
    """One readiness item as the page shows it."""

    code: str
    status: Status
    title: str
    status_text: str
    reason: str
    link: str


def _param(value: object) -> object:
    return label(value) if isinstance(value, Enum) else value


def reason_text(item: Item) -> str:
    """The item's reason, in words."""
    params = {k: _param(v) for k, v in item.params.items()}
    return (
        gettext_(REASONS[item.reason]) % params
        if params
        else gettext_(REASONS[item.reason])
    )


def lines(
    readiness: Readiness, consortium_id: str, path_for: PathFor
) -> list[ItemLine]:
    """Every item in words, with the address of the page that fixes it."""

    def link(item: Item) -> str:
        name, place = REASON_PAGES.get(item.reason, PAGES[item.code])
        return path_for(name, consortium_id=consortium_id) + place

    return [
        ItemLine(
            item.code,
            item.status,
            gettext_(TITLES[item.code]),
            gettext_(STATUSES[item.status]),
            reason_text(item),
            link(item),
        )
        for item in readiness.items
    ]
