"""The grant's arithmetic and its schedule's rules: paid, due and remaining per
tranche, the balance from accepted expenses × rate capped at the grant, the recovery
when they fall short; a schedule refused in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.actor import acting_as
from governance.errors import RuleViolated
from governance.financing.funding_figures import entitled_to, funding_figures
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    Payment,
    PlannedTranche,
    Recovery,
    Release,
    Tranche,
    TrancheCondition,
    TrancheKind,
)

TERMS = GrantTerms(Decimal("100000.00"), Decimal("70"))
SCHEDULE = (
    Tranche("a", TrancheKind.ADVANCE, "", Decimal("30000.00")),
    Tranche("i", TrancheKind.INTERIM, "", Decimal("30000.00"), "r1"),
    Tranche("b", TrancheKind.BALANCE, "", Decimal(0), "r2"),
)
SIGNED = Release(TrancheCondition.CONVENTION_SIGNED)


def paid(tranche_id: str, euros: str) -> Payment:
    return Payment(
        "p-" + euros, tranche_id, Decimal(euros), date(2026, 2, 1), SIGNED, Decimal(0)
    )


def test_the_balance_plans_what_the_grant_leaves_after_the_other_tranches() -> None:
    figures = funding_figures(TERMS, SCHEDULE, [], [], Decimal(0), set())

    assert [t.planned for t in figures.tranches] == [
        Decimal("30000.00"),
        Decimal("30000.00"),
        Decimal("40000.00"),
    ]
    assert all(t.due == 0 and not t.ready for t in figures.tranches)


def test_a_ready_tranche_is_due_up_to_what_is_left_of_it() -> None:
    figures = funding_figures(
        TERMS, SCHEDULE, [paid("a", "12000.50")], [], Decimal(0), {"a"}
    )

    advance = figures.tranches[0]
    assert (advance.paid, advance.due, advance.remaining) == (
        Decimal("12000.50"),
        Decimal("17999.50"),
        Decimal("17999.50"),
    )


def test_the_balance_is_accepted_expenses_times_rate_less_what_was_received() -> None:
    figures = funding_figures(
        TERMS,
        SCHEDULE,
        [paid("a", "30000"), paid("i", "30000")],
        [],
        Decimal("90000.01"),
        {"a", "i", "b"},
    )

    # 90,000.01 × 70 % = 63,000.007, to the cent 63,000.01.
    assert figures.entitled == Decimal("63000.01")
    assert figures.tranches[2].due == Decimal("3000.01")
    assert figures.recovery_due == 0


def test_the_balance_is_capped_at_the_grant() -> None:
    assert entitled_to(TERMS, Decimal("1000000")) == Decimal("100000.00")


def test_a_recovery_is_due_when_accepted_expenses_fall_short_of_what_was_paid() -> None:
    figures = funding_figures(
        TERMS, SCHEDULE, [paid("a", "30000")], [], Decimal("30000"), {"a", "b"}
    )

    assert figures.tranches[2].due == 0
    assert figures.recovery_due == Decimal("9000.00")


def test_a_recovery_already_recorded_lowers_what_is_still_to_recover() -> None:
    recovered = Recovery(
        "r", Decimal("4000"), date(2026, 12, 1), "", Decimal(0), SIGNED
    )
    figures = funding_figures(
        TERMS, SCHEDULE, [paid("a", "30000")], [recovered], Decimal("30000"), {"b"}
    )

    assert figures.received == Decimal("26000")
    assert figures.recovery_due == Decimal("5000.00")


def test_no_recovery_is_due_before_the_final_report() -> None:
    figures = funding_figures(
        TERMS, SCHEDULE, [paid("a", "30000")], [], Decimal(0), {"a"}
    )

    assert figures.recovery_due == 0


def set_up(*planned: PlannedTranche, terms: GrantTerms = TERMS) -> Grant:
    with acting_as("acc-funder"):
        return Grant.set_up("c", terms, planned, [str(i) for i in range(len(planned))])


@pytest.mark.parametrize(
    ("planned", "code", "field"),
    [
        ((), "grant.no_tranche", None),
        (
            (PlannedTranche(TrancheKind.INTERIM, "", Decimal(10)),),
            "tranche.report_required",
            "obligation_id",
        ),
        (
            (PlannedTranche(TrancheKind.ADVANCE, "", Decimal(10), "r"),),
            "tranche.advance_has_no_report",
            "obligation_id",
        ),
        (
            (PlannedTranche(TrancheKind.BALANCE, "", Decimal(10), "r"),),
            "tranche.balance_is_computed",
            "amount",
        ),
        (
            (
                PlannedTranche(TrancheKind.BALANCE, "", None, "r"),
                PlannedTranche(TrancheKind.INTERIM, "", Decimal(10), "r"),
            ),
            "grant.balance_last",
            None,
        ),
        (
            (
                PlannedTranche(TrancheKind.ADVANCE, "", Decimal(10)),
                PlannedTranche(TrancheKind.ADVANCE, "", Decimal(10)),
            ),
            "grant.one_advance",
            None,
        ),
        (
            (PlannedTranche(TrancheKind.ADVANCE, "", Decimal("-1")),),
            "amount.not_positive",
            "amount",
        ),
        (
            (PlannedTranche(TrancheKind.ADVANCE, "", Decimal("0.001")),),
            "amount.too_precise",
            "amount",
        ),
        (
            (PlannedTranche(TrancheKind.ADVANCE, "", Decimal("100000.01")),),
            "grant.tranches_over_grant",
            "amount",
        ),
    ],
)
def test_a_schedule_breaking_a_rule_is_refused(
    planned: tuple[PlannedTranche, ...], code: str, field: str | None
) -> None:
    with pytest.raises(RuleViolated) as refused:
        set_up(*planned)

    assert (refused.value.code, refused.value.field) == (code, field)


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (GrantTerms(Decimal(0), Decimal(70)), "amount.not_positive"),
        (GrantTerms(Decimal(100), Decimal("100.01")), "rate.over_hundred"),
        (GrantTerms(Decimal(100), Decimal("70.001")), "rate.too_precise"),
        (
            GrantTerms(Decimal(100), Decimal(70), date(2026, 2, 1), date(2026, 1, 1)),
            "period.ends_before_start",
        ),
    ],
)
def test_bad_terms_are_refused(terms: GrantTerms, code: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        set_up(PlannedTranche(TrancheKind.ADVANCE, "", Decimal(1)), terms=terms)

    assert refused.value.code == code


def test_a_payment_of_a_tranche_not_ready_or_above_its_due_is_refused() -> None:
    grant = set_up(
        PlannedTranche(TrancheKind.ADVANCE, "", Decimal(100)),
        PlannedTranche(TrancheKind.INTERIM, "", Decimal(100), "r1"),
    )
    advance, interim = (t.tranche_id for t in grant.tranches)
    figures = funding_figures(
        grant.terms, grant.tranches, [], [], Decimal(0), {advance}
    )

    with acting_as("acc-funder"):
        with pytest.raises(RuleViolated) as waiting:
            grant.record_payment(
                "p", interim, Decimal(1), date(2026, 2, 1), figures, SIGNED
            )
        with pytest.raises(RuleViolated) as above:
            grant.record_payment(
                "p", advance, Decimal("100.01"), date(2026, 2, 1), figures, SIGNED
            )
        grant.record_payment(
            "p", advance, Decimal(100), date(2026, 2, 1), figures, SIGNED
        )

    assert waiting.value.code == "tranche.condition_not_met"
    assert above.value.code == "payment.above_due"
    assert [p.amount for p in grant.payments] == [Decimal(100)]
