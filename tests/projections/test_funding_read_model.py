"""The grant's read model: tranches with their state and what they wait on, the
payments with what released them, the money received up to a date, the portfolio's
figures; exact amounts on both backends, rebuild-safe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.financing.grant_values import (
    TrancheCondition,
    TrancheKind,
    grant_id,
)
from projections.funding import payments_received, received_total
from projections.funding_status import (
    Funding,
    TrancheState,
    Waiting,
    funding_of,
    money_at_a_glance,
)
from projections.runtime import ReadSide
from tests.projections.test_rebuild import all_rows
from tests.support.builders import founded_consortium
from tests.support.funding import (
    Funded,
    a_funded_consortium,
    accept_period,
    set_the_grant,
    sign_convention,
)


@pytest.fixture
def funded(app: Governance, coordinator: Actor) -> Funded:
    """A grant of 100,000 € at 70 %: the advance paid, the first period's report and
    statements (40,000.10 €) accepted and the interim payment made; the second
    period's statements submitted, its report not yet."""
    funded = a_funded_consortium(app, coordinator, founded_consortium(app, coordinator))
    set_the_grant(app, funded)
    sign_convention(app, coordinator, funded.consortium_id)
    grant = app.repository.get(grant_id(str(funded.consortium_id)))
    advance, interim, _ = (t.tranche_id for t in grant.tranches)
    app.record_payment(
        funded.financer,
        funded.consortium_id,
        advance,
        Decimal("30000.00"),
        date(2026, 2, 2),
    )
    accept_period(app, coordinator, funded, 0, Decimal("40000.10"))
    app.record_payment(
        funded.financer,
        funded.consortium_id,
        interim,
        Decimal("12345.67"),
        date(2026, 3, 2),
        funded.periods,
    )
    return funded


def funding(read_side: ReadSide, funded: Funded) -> Funding:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        found = funding_of(connection, str(funded.consortium_id))
    assert found is not None
    return found


def test_each_tranche_says_what_was_paid_what_is_due_and_what_it_waits_on(
    read_side: ReadSide, funded: Funded
) -> None:
    advance, interim, balance = funding(read_side, funded).tranches

    assert (advance.state, advance.figures.paid, advance.figures.remaining) == (
        TrancheState.PAID,
        Decimal("30000.00"),
        Decimal(0),
    )
    assert interim.state is TrancheState.READY
    assert interim.figures.due == Decimal("17654.33")
    assert interim.figures.remaining == Decimal("17654.33")
    assert balance.state is TrancheState.WAITING
    assert balance.waiting is Waiting.REPORT
    assert balance.report is not None
    assert balance.figures.planned == Decimal("40000.00")


def test_a_payment_keeps_the_report_that_released_it(
    read_side: ReadSide, funded: Funded
) -> None:
    interim = funding(read_side, funded).tranches[1]

    (payment,) = interim.payments
    assert payment.release.condition is TrancheCondition.REPORT_ACCEPTED
    assert payment.release.obligation_id == str(funded.periods[0])
    assert payment.release.report_title == "Rapport financier"
    assert payment.release.accepted_in_report == Decimal("40000.10")
    assert payment.recorded_by == "acc-funder"


def test_payments_received_up_to_a_date(read_side: ReadSide, funded: Funded) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        cid = str(funded.consortium_id)
        february = payments_received(connection, cid, date(2026, 2, 28))
        everything = received_total(connection, cid)

    assert [p.amount for p in february] == [Decimal("30000.00")]
    assert everything == Decimal("42345.67")


def test_the_portfolio_reads_granted_received_remaining_and_the_next_tranche(
    read_side: ReadSide, funded: Funded
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        money = money_at_a_glance(connection, str(funded.consortium_id))

    assert money is not None
    assert money.granted == Decimal("100000.00")
    assert money.received == Decimal("42345.67")
    assert money.remaining == Decimal("57654.33")
    assert money.accepted == Decimal("40000.10")
    assert money.next_tranche is not None
    assert money.next_tranche.tranche.kind is TrancheKind.INTERIM


def test_no_grant_reads_as_none(
    read_side: ReadSide, app: Governance, coordinator: Actor
) -> None:
    cid = founded_consortium(app, coordinator)
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        assert funding_of(connection, str(cid)) is None
        assert money_at_a_glance(connection, str(cid)) is None
        assert received_total(connection, str(cid)) == Decimal(0)


def test_catching_up_step_by_step_equals_a_rebuild(
    read_side: ReadSide, funded: Funded
) -> None:
    read_side.catch_up()
    incremental = all_rows(read_side)

    read_side.rebuild(["funding"])

    assert all_rows(read_side) == incremental
