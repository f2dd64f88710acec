"""Words of the call's rules' refusals (``labels.py`` merges them into its table)."""

from __future__ import annotations

from web.i18n import N_

CALL_RULES: dict[str, str] = {
    "call.ceiling_below_floor": N_("The ceiling cannot be below the floor."),
    "budget_floor.not_positive": N_("Enter an amount greater than zero."),
    "budget_floor.too_large": N_("This amount is too large."),
    "budget_floor.too_precise": N_("Use at most two decimals (cents)."),
    "budget_ceiling.not_positive": N_("Enter an amount greater than zero."),
    "budget_ceiling.too_large": N_("This amount is too large."),
    "budget_ceiling.too_precise": N_("Use at most two decimals (cents)."),
    "call.duration_out_of_range": N_("Give a duration between 1 and %(limit)s months."),
    "call.lead_kind_not_eligible": N_(
        "A kind of partner that may lead must also be eligible."
    ),
    "call.contact_email_invalid": N_("Give an e-mail address, like name@example.org."),
}
