"""The service's grant commands: the financer sets up the grant and records payments
only when a tranche's condition holds in the log; the payment names what released
it; the balance and the recovery follow accepted expenses × rate. Refusals store
nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.financing.grant import Grant
from governance.financing.grant_values import (
    GrantTerms,
    PlannedTranche,
    TrancheCondition,
    TrancheKind,
    grant_id,
)
from tests.support.funding import (
    ADVANCE,
    Funded,
    a_funded_consortium,
    accept_period,
    set_the_grant,
    sign_convention,
    the_schedule,
)

TODAY = date(2026, 3, 2)


@pytest.fixture
def funded(app: Governance, coordinator: Actor, consortium_id: UUID) -> Funded:
    return a_funded_consortium(app, coordinator, consortium_id)


def grant(app: Governance, funded: Funded) -> Grant:
    found: Grant = app.repository.get(grant_id(str(funded.consortium_id)))
    return found


def tranche(app: Governance, funded: Funded, kind: TrancheKind) -> str:
    return next(t.tranche_id for t in grant(app, funded).tranches if t.kind is kind)


def pay(
    app: Governance,
    funded: Funded,
    kind: TrancheKind,
    amount: str,
    actor: Actor | None = None,
) -> str:
    return app.record_payment(
        actor or funded.financer,
        funded.consortium_id,
        tranche(app, funded, kind),
        Decimal(amount),
        TODAY,
        funded.periods,
    ).id


def refused(app: Governance, call: object) -> RuleViolated:
    before = app.recorder.max_notification_id()
    with pytest.raises(RuleViolated) as caught:
        call()  # type: ignore[operator]
    assert app.recorder.max_notification_id() == before
    return caught.value


def test_the_financer_sets_up_the_grant_and_its_schedule(
    app: Governance, funded: Funded
) -> None:
    set_the_grant(app, funded)

    found = grant(app, funded)
    assert found.terms.amount == Decimal("100000.00")
    assert [t.kind for t in found.tranches] == [
        TrancheKind.ADVANCE,
        TrancheKind.INTERIM,
        TrancheKind.BALANCE,
    ]
    assert found.tranches[1].condition is TrancheCondition.REPORT_ACCEPTED
    assert found.tranches[1].obligation_id == str(funded.periods[0])


@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_only_the_financer_sets_up_the_grant(
    app: Governance, coordinator: Actor, funded: Funded, who: str
) -> None:
    actor = coordinator if who == "coordinator" else funded.member
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        app.set_grant(
            actor,
            funded.consortium_id,
            GrantTerms(Decimal(1000), Decimal(70)),
            the_schedule(funded),
        )

    assert app.recorder.max_notification_id() == before


def test_an_outsider_does_not_learn_the_consortium_exists(
    app: Governance, funded: Funded
) -> None:
    with pytest.raises(NotFound):
        set_the_grant(app, Funded(**{**funded.__dict__, "financer": Actor("stranger")}))


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (GrantTerms(Decimal("-1"), Decimal(70)), "amount.not_positive"),
        (GrantTerms(Decimal("10.001"), Decimal(70)), "amount.too_precise"),
        (GrantTerms(Decimal(1000), Decimal(120)), "rate.over_hundred"),
        (GrantTerms(Decimal(100), Decimal(70)), "grant.tranches_over_grant"),
    ],
)
def test_bad_terms_are_refused_and_nothing_stored(
    app: Governance, funded: Funded, terms: GrantTerms, code: str
) -> None:
    error = refused(
        app,
        lambda: app.set_grant(
            funded.financer, funded.consortium_id, terms, the_schedule(funded)
        ),
    )
    assert error.code == code


def test_a_tranche_naming_a_report_of_another_consortium_is_refused(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    schedule = [
        PlannedTranche(TrancheKind.INTERIM, "Acompte", Decimal(10), str(UUID(int=7)))
    ]
    error = refused(
        app,
        lambda: app.set_grant(
            funded.financer,
            funded.consortium_id,
            GrantTerms(Decimal(1000), Decimal(70)),
            schedule,
        ),
    )
    assert error.code == "tranche.report_unknown"


def test_the_grant_is_set_up_once(app: Governance, funded: Funded) -> None:
    set_the_grant(app, funded)
    error = refused(app, lambda: set_the_grant(app, funded))
    assert error.code == "grant.already_set"


def test_the_advance_waits_for_the_signed_convention(
    app: Governance, funded: Funded
) -> None:
    set_the_grant(app, funded)
    error = refused(app, lambda: pay(app, funded, TrancheKind.ADVANCE, "30000"))
    assert error.code == "tranche.convention_not_signed"


def test_the_advance_is_paid_once_the_convention_is_signed(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)

    pay(app, funded, TrancheKind.ADVANCE, "30000")

    payment = grant(app, funded).payments[0]
    assert payment.amount == ADVANCE
    assert payment.release.condition is TrancheCondition.CONVENTION_SIGNED


def test_a_payment_above_what_is_due_is_refused(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    pay(app, funded, TrancheKind.ADVANCE, "20000")

    error = refused(app, lambda: pay(app, funded, TrancheKind.ADVANCE, "10000.01"))

    assert error.code == "payment.above_due"
    assert error.params["due"] == Decimal("10000.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5", "amount.not_positive"),
        ("0", "amount.not_positive"),
        ("10.005", "amount.too_precise"),
    ],
)
def test_a_negative_or_fractional_cent_payment_is_refused(
    app: Governance, coordinator: Actor, funded: Funded, amount: str, code: str
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    error = refused(app, lambda: pay(app, funded, TrancheKind.ADVANCE, amount))
    assert error.code == code


@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_only_the_financer_records_a_payment(
    app: Governance, coordinator: Actor, funded: Funded, who: str
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    actor = coordinator if who == "coordinator" else funded.member
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted):
        pay(app, funded, TrancheKind.ADVANCE, "100", actor)

    assert app.recorder.max_notification_id() == before


def test_a_payment_dated_in_the_future_is_refused(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    error = refused(
        app,
        lambda: app.record_payment(
            funded.financer,
            funded.consortium_id,
            tranche(app, funded, TrancheKind.ADVANCE),
            Decimal(100),
            date(2026, 3, 3),
        ),
    )
    assert error.code == "payment.in_future"


def test_the_interim_payment_waits_for_the_accepted_report(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    accept_period(app, coordinator, funded, 0, Decimal(40000), report=False)

    error = refused(app, lambda: pay(app, funded, TrancheKind.INTERIM, "1000"))

    assert error.code == "tranche.report_not_accepted"


def test_the_interim_payment_waits_for_the_accepted_statements(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    accept_period(app, coordinator, funded, 0, Decimal(40000), statements=False)

    error = refused(app, lambda: pay(app, funded, TrancheKind.INTERIM, "1000"))

    assert error.code == "tranche.statement_not_accepted"


def test_the_interim_payment_names_the_report_and_statements_that_released_it(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    accept_period(app, coordinator, funded, 0, Decimal(40000))

    pay(app, funded, TrancheKind.INTERIM, "30000")

    release = grant(app, funded).payments[0].release
    assert release.condition is TrancheCondition.REPORT_ACCEPTED
    assert release.obligation_id == str(funded.periods[0])
    assert release.report_title == "Rapport financier"
    assert len(release.statement_ids) == 1
    assert release.accepted_in_report == Decimal("40000.00")


def test_the_balance_is_accepted_expenses_times_rate_less_what_was_paid(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    pay(app, funded, TrancheKind.ADVANCE, "30000")
    accept_period(app, coordinator, funded, 0, Decimal(40000))
    pay(app, funded, TrancheKind.INTERIM, "30000")
    accept_period(app, coordinator, funded, 1, Decimal(50000))

    # 90,000 € accepted × 70 % = 63,000 €, of which 60,000 € paid.
    error = refused(app, lambda: pay(app, funded, TrancheKind.BALANCE, "3000.01"))
    assert error.params["due"] == Decimal("3000.00")
    pay(app, funded, TrancheKind.BALANCE, "3000")

    assert sum(p.amount for p in grant(app, funded).payments) == Decimal("63000.00")


def test_a_recovery_is_recorded_when_accepted_expenses_fall_short(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    pay(app, funded, TrancheKind.ADVANCE, "30000")
    accept_period(app, coordinator, funded, 0, Decimal(10000))
    accept_period(app, coordinator, funded, 1, Decimal(20000))

    # 30,000 € accepted × 70 % = 21,000 €: 9,000 € were paid too much.
    def recover(amount: str) -> object:
        return app.record_recovery(
            funded.financer,
            funded.consortium_id,
            Decimal(amount),
            TODAY,
            "Dépenses acceptées inférieures à l'avance.",
            funded.periods,
        )

    assert refused(app, lambda: recover("9000.01")).code == "recovery.above_due"
    recover("9000")

    recovery = grant(app, funded).recoveries[0]
    assert recovery.amount == Decimal("9000")
    assert recovery.accepted_expenses == Decimal("30000.00")
    assert recovery.release.obligation_id == str(funded.periods[1])


def test_no_recovery_before_the_final_report_is_accepted(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    pay(app, funded, TrancheKind.ADVANCE, "30000")

    error = refused(
        app,
        lambda: app.record_recovery(
            funded.financer, funded.consortium_id, Decimal(1), TODAY, "Trop perçu."
        ),
    )
    assert error.code == "tranche.report_not_accepted"


def test_a_payment_before_the_grant_is_set_is_refused(
    app: Governance, funded: Funded
) -> None:
    error = refused(
        app,
        lambda: app.record_payment(
            funded.financer, funded.consortium_id, "t", Decimal(1), TODAY
        ),
    )
    assert error.code == "grant.not_set"


def test_the_interim_payment_waits_for_statements_to_be_declared(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    report = funded.periods[0]
    app.draft_report(coordinator, report, "Rapport sans dépenses.")
    app.submit_report(coordinator, report)
    app.accept_report(funded.financer, report, "Merci.")

    error = refused(app, lambda: pay(app, funded, TrancheKind.INTERIM, "1000"))

    assert error.code == "tranche.no_statement"


def test_the_balance_may_come_with_a_final_report_without_statements_of_its_own(
    app: Governance, coordinator: Actor, funded: Funded
) -> None:
    set_the_grant(app, funded)
    accept_period(app, coordinator, funded, 0, Decimal(40000))
    final = funded.periods[1]
    app.draft_report(coordinator, final, "Rapport final.")
    app.submit_report(coordinator, final)
    app.accept_report(funded.financer, final, "Merci.")

    pay(app, funded, TrancheKind.BALANCE, "28000")

    release = grant(app, funded).payments[0].release
    assert release.condition is TrancheCondition.FINAL_REPORT_ACCEPTED
    assert release.statement_ids == ()
