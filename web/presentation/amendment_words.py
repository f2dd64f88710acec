"""Words of amendments: their kinds and states, their refusals, their history.

``labels.py`` merges ``AMENDMENT_LABELS`` and ``AMENDMENT_RULES`` into its tables and
``history.py`` merges ``AMENDMENT_SENTENCES``, as for the plan's words.
"""

from __future__ import annotations

from enum import Enum

from governance.financing.changes import AmendmentKind, AmendmentStatus
from web.i18n import N_

AMENDMENT_LABELS: dict[Enum, str] = {
    AmendmentKind.BUDGET_REALLOCATION: N_("Budget reallocation"),
    AmendmentKind.PARTNER_ENTERING: N_("Partner entering"),
    AmendmentKind.PARTNER_LEAVING: N_("Partner leaving"),
    AmendmentKind.PERIOD_EXTENSION: N_("Period extension"),
    AmendmentStatus.DRAFT: N_("In draft"),
    AmendmentStatus.PROPOSED: N_("Awaiting the financer"),
    AmendmentStatus.APPROVED: N_("Approved by the financer"),
    AmendmentStatus.REFUSED: N_("Refused by the financer"),
}

AMENDMENT_RULES: dict[str, str] = {
    "amendment.reason_required": N_("Say why the plan needs this amendment."),
    "amendment.refusal_reason_required": N_("Say why the amendment is refused."),
    "amendment.reason_too_long": N_("At most %(limit)s characters."),
    "amendment.plan_not_signed": N_(
        "The plan is not signed yet: until the convention's version is filed, change "
        "the plan itself."
    ),
    "amendment.proposal_unknown": N_("This proposal is not one of this consortium's."),
    "amendment.proposal_not_adopted": N_(
        "This proposal was not adopted: an amendment follows an adopted decision only."
    ),
    "amendment.not_a_draft": N_(
        "This amendment has been proposed: its changes can no longer be edited."
    ),
    "amendment.not_proposed": N_(
        "Only an amendment awaiting the financer can be approved or refused."
    ),
    "amendment.no_change": N_("This amendment changes nothing yet: add a change."),
    "amendment.extension_needs_date": N_(
        "A period extension needs the new end of the eligible period."
    ),
    "amendment.not_an_extension": N_(
        "The new end of the eligible period must be later than the current one."
    ),
    "amendment.already_withdrawn": N_("This line is already withdrawn here."),
    "amendment.entering_needs_new_partner": N_(
        "A partner entering brings its share: add the lines of a partner that has none in the plan in force."
    ),
    "amendment.leaving_needs_every_line": N_(
        "A partner leaving takes its share out: withdraw every line of that partner."
    ),
    "amendment.stale": N_(
        "The plan in force has changed since this amendment was drafted: a line it "
        "withdraws is no longer there."
    ),
}

AMENDMENT_SENTENCES: dict[str, str] = {
    "amendment_drafted": N_(
        "drafted an amendment of the financing plan (%(amendment_kind)s): “%(title)s”"
    ),
    "amendment_expense_added": N_(
        "added to the amendment “%(title)s” an expense of %(partner)s: %(category)s, “%(label)s”, %(euros)s"
    ),
    "amendment_resource_added": N_(
        "added to the amendment “%(title)s” a resource of %(partner)s: %(resource_source)s, %(euros)s"
    ),
    "amendment_line_withdrawn": N_(
        "withdrew in the amendment “%(title)s” a line of %(partner)s, %(euros)s"
    ),
    "amendment_change_dropped": N_("took back a change of the amendment “%(title)s”"),
    "amendment_period_extended": N_(
        "extended in the amendment “%(title)s” the eligible period until %(until)s"
    ),
    "amendment_proposed": N_("proposed the amendment “%(title)s” to the financer"),
    "amendment_approved": N_(
        "approved the amendment “%(title)s”: version %(number)s of the financing plan"
    ),
    "amendment_refused": N_("refused the amendment “%(title)s”: %(reason)s"),
}
