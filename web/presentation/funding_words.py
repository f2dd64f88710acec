"""Words of the funder's grant: tranches, their conditions and states, what a
tranche waits on, what released a payment, and the refusals, in the request's
language.

Strings are marked with ``N_`` for Babel; ``labels.py`` merges ``FUNDING_LABELS``
and ``FUNDING_RULES`` into its tables, so every enum member and rule code is found
where the others are (and the tests that check them see these too).
"""

from __future__ import annotations

from enum import Enum

from governance.financing.grant_values import Release, TrancheCondition, TrancheKind
from projections.funding_status import (
    MoneyAtAGlance,
    TrancheState,
    TrancheView,
    Waiting,
)
from web.i18n import N_, gettext_, ngettext_

FUNDING_LABELS: dict[Enum, str] = {
    TrancheKind.ADVANCE: N_("Advance"),
    TrancheKind.INTERIM: N_("Interim payment"),
    TrancheKind.BALANCE: N_("Balance"),
    TrancheCondition.CONVENTION_SIGNED: N_("When the convention is signed"),
    TrancheCondition.REPORT_ACCEPTED: N_(
        "When an interim report and its expense statements are accepted"
    ),
    TrancheCondition.FINAL_REPORT_ACCEPTED: N_(
        "When the final report and its expense statements are accepted"
    ),
    TrancheState.WAITING: N_("Waiting"),
    TrancheState.READY: N_("Ready to be paid"),
    TrancheState.PAID: N_("Paid"),
    TrancheState.NOTHING_DUE: N_("Nothing due"),
}

FUNDING_RULES: dict[str, str] = {
    "grant.already_set": N_("The grant is set up already."),
    "grant.not_set": N_("The funder has not set up the grant yet."),
    "grant.no_tranche": N_(
        "Plan at least one payment: an advance, an interim payment or the balance."
    ),
    "grant.too_many_tranches": N_("At most %(limit)s payments."),
    "grant.one_advance": N_("A grant has one advance at most."),
    "grant.one_balance": N_("A grant has one balance at most."),
    "grant.balance_last": N_("The balance is the last payment."),
    "grant.tranches_over_grant": N_(
        "The advance and the interim payments come to more than the grant."
    ),
    "amount.required": N_("Give the amount."),
    "tranche.report_required": N_(
        "Choose the report whose acceptance releases this payment."
    ),
    "tranche.advance_has_no_report": N_(
        "The advance is paid at signature: it waits on no report."
    ),
    "tranche.balance_is_computed": N_(
        "The balance is computed from the accepted expenses: give no amount."
    ),
    "tranche.report_unknown": N_("Choose one of the consortium's reports."),
    "tranche.unknown": N_("This payment is not in the grant's schedule."),
    "tranche.condition_not_met": N_("This payment's condition does not hold yet."),
    "tranche.convention_not_signed": N_(
        "The advance waits for the convention to be signed."
    ),
    "tranche.report_not_accepted": N_(
        "This payment waits for the report “%(report)s” to be accepted."
    ),
    "tranche.no_statement": N_(
        "This payment waits for the expense statements of “%(report)s”: none is declared."
    ),
    "tranche.statement_not_accepted": N_(
        "This payment waits for the funder to accept every expense statement of “%(report)s”."
    ),
    "payment.above_due": N_("At most %(due)s is due on this payment."),
    "payment.in_future": N_(
        "Record a payment once it is made: the date is in the future."
    ),
    "recovery.nothing_due": N_(
        "Nothing is to be recovered: the accepted expenses × the rate cover what was paid."
    ),
    "recovery.above_due": N_("At most %(due)s is to be recovered."),
    "recovery.reason_required": N_("Say why the money is recovered."),
}

WAITING: dict[Waiting, str] = {
    Waiting.CONVENTION: N_("the convention to be signed"),
    Waiting.REPORT: N_("the report “%(report)s” to be accepted"),
    Waiting.STATEMENTS_DECLARED: N_(
        "the expense statements of “%(report)s” to be declared"
    ),
    Waiting.STATEMENTS: N_(
        "the funder to accept the expense statements of “%(report)s”"
    ),
}


def waits_on(view: TrancheView) -> str:
    """What the tranche waits on, in words ("" when nothing)."""
    if view.waiting is None:
        return ""
    title = view.report.title if view.report is not None else "?"
    return gettext_(WAITING[view.waiting]) % {"report": title}


def released_by(release: Release) -> str:
    """What released a payment, in words."""
    if release.condition is TrancheCondition.CONVENTION_SIGNED:
        return gettext_(N_("Released by the signed convention."))
    count = len(release.statement_ids)
    return ngettext_(
        "Released by the accepted report “%(report)s” (%(count)s accepted expense statement).",
        "Released by the accepted report “%(report)s” (%(count)s accepted expense statements).",
        count,
    ) % {"report": release.report_title, "count": count}


def tranche_name(view: TrancheView, number: int) -> str:
    """The tranche's label, or its kind (numbered for interim payments)."""
    tranche = view.tranche
    if tranche.label:
        return tranche.label
    if tranche.kind is TrancheKind.INTERIM:
        return gettext_(N_("Interim payment %(number)s")) % {"number": number}
    return gettext_(FUNDING_LABELS[tranche.kind])


def next_tranche_words(money: MoneyAtAGlance) -> str:
    """The next tranche and what it waits on, for the portfolio ("" when all paid)."""
    funding_next = money.next_tranche
    if funding_next is None:
        return ""
    interim = 0
    for view in money.tranches:
        if view.tranche.kind is TrancheKind.INTERIM:
            interim += 1
        if view is funding_next:
            break
    name = tranche_name(funding_next, interim)
    if funding_next.waiting is None:
        return gettext_(N_("%(tranche)s: ready to be paid.")) % {"tranche": name}
    return gettext_(N_("%(tranche)s: waiting for %(what)s.")) % {
        "tranche": name,
        "what": waits_on(funding_next),
    }
