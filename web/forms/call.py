"""The call's rules' form: who may apply and lead, the budget's floor and ceiling,
the duration, the committee's date, the contact, and the funding rules (the same
fields as the plan's, typed here once).

Shape only (numbers, dates, known choices); coherence (a ceiling below the floor, a
lead of a kind that may not apply, a rate over 100 %) is the domain's.
"""

from __future__ import annotations

from collections.abc import Mapping

from governance.call.values import CallRules
from governance.financing.values import FundingRules
from governance.values import PartnerKind
from web.forms.budget import parse_rules, rules_values
from web.forms.fields import Fields, FormErrors, is_whole_number
from web.i18n import N_

CALL_KINDS: tuple[PartnerKind, ...] = tuple(
    k for k in PartnerKind if k is not PartnerKind.FUNDER
)
"""The kinds a call may name (a funder does not apply to its own call)."""


def kind_field(prefix: str, kind: PartnerKind) -> str:
    """The name of the checkbox for ``kind`` (``eligible`` or ``lead``)."""
    return f"{prefix}_kind_{kind.value}"


def parse_call_rules(data: Mapping[str, str]) -> CallRules:
    """Parse the call's rules' form; raises ``FormErrors``."""
    f = Fields(data)
    floor = f.amount("budget_floor", required=False)
    ceiling = f.amount("budget_ceiling", required=False)
    months_text = f.text("max_duration_months", max_length=4)
    months: int | None = None
    if months_text:
        if is_whole_number(months_text):
            months = int(months_text)
        else:
            f.errors.add("max_duration_months", N_("Enter a whole number of months."))
    committee = f.day("selection_committee_on")
    contact_name = f.text("contact_name")
    contact_email = f.text("contact_email")
    funding = FundingRules()
    try:
        funding = parse_rules(data)
    except FormErrors as errors:
        for name, message in errors.errors.items():
            f.errors.add(name, message, errors.params.get(name))
    f.errors.raise_if_any()
    return CallRules(
        eligible_kinds=tuple(
            k for k in CALL_KINDS if data.get(kind_field("eligible", k))
        ),
        lead_kinds=tuple(k for k in CALL_KINDS if data.get(kind_field("lead", k))),
        budget_floor=floor,
        budget_ceiling=ceiling,
        max_duration_months=months,
        selection_committee_on=committee,
        contact_name=contact_name,
        contact_email=contact_email,
        funding=funding,
    )


def call_rules_values(rules: CallRules) -> dict[str, str]:
    """The form filled with the rules in force."""
    values = rules_values(rules.funding)
    values |= {
        "budget_floor": str(rules.budget_floor) if rules.budget_floor else "",
        "budget_ceiling": str(rules.budget_ceiling) if rules.budget_ceiling else "",
        "max_duration_months": str(rules.max_duration_months or ""),
        "selection_committee_on": (
            rules.selection_committee_on.isoformat()
            if rules.selection_committee_on
            else ""
        ),
        "contact_name": rules.contact_name,
        "contact_email": rules.contact_email,
    }
    for kind in rules.eligible_kinds:
        values[kind_field("eligible", kind)] = "on"
    for kind in rules.lead_kinds:
        values[kind_field("lead", kind)] = "on"
    return values
