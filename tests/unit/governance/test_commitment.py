"""The Commitment aggregate: pledging, amending, withdrawing, delivering; each refusal.

Commands are checked on the events they record (``collect_events``); a refused
command records nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest

from governance.commitment import Commitment, Delivery
from governance.errors import RuleViolated
from governance.values import (
    UNIT_OF_KIND,
    ContributionKind,
    Funding,
    Pledge,
    Unit,
    check_amount,
    check_period,
)
from tests.support.builders import (
    PLEDGE_ENDS_ON,
    PLEDGE_STARTS_ON,
    a_pledge,
    an_evidence,
)

pytestmark = pytest.mark.usefixtures("acting")

CONSORTIUM = "c-1"
PARTNER = "p-lab"
DELIVERED_ON = date(2026, 3, 2)

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

Emitted = list[tuple[type, dict[str, object]]]


def emitted(commitment: Commitment) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in commitment.collect_events()
    ]


def pledged(**overrides: Any) -> Commitment:
    """A commitment just pledged, its creation event already collected."""
    commitment = Commitment.pledge(CONSORTIUM, PARTNER, a_pledge(**overrides))
    commitment.collect_events()
    return commitment


@pytest.fixture
def commitment() -> Commitment:
    """15,000 euros of co-financing pledged over 2026, nothing delivered yet."""
    return pledged()


@pytest.fixture
def withdrawn(commitment: Commitment) -> Commitment:
    commitment.withdraw(date(2026, 5, 1), "Départ")
    commitment.collect_events()
    return commitment


def deliver(
    commitment: Commitment,
    amount: Decimal = Decimal("5000"),
    *,
    contribution_id: str = "ctb-1",
    delivered_on: date = DELIVERED_ON,
    description: str = "Premier versement",
) -> None:
    commitment.deliver(contribution_id, delivered_on, amount, description, None)


# -- pledging ------------------------------------------------------------------------


def test_pledging_records_the_pledge_with_the_unit_of_its_kind() -> None:
    commitment = Commitment.pledge(
        CONSORTIUM,
        PARTNER,
        a_pledge(
            kind=ContributionKind.HUMAN,
            amount=Decimal("40"),
            daily_rate=Decimal("450.00"),
            covers="  Médiation en bibliothèque ",
            funding=Funding.REQUESTED,
        ),
    )

    assert emitted(commitment) == [
        (
            Commitment.Pledged,
            {
                "consortium_id": CONSORTIUM,
                "partner_id": PARTNER,
                "kind": ContributionKind.HUMAN,
                "unit": Unit.PERSON_DAY,
                "amount": Decimal("40"),
                "daily_rate": Decimal("450.00"),
                "starts_on": PLEDGE_STARTS_ON,
                "ends_on": PLEDGE_ENDS_ON,
                "covers": "Médiation en bibliothèque",
                "funding": Funding.REQUESTED,
                "licence": "",
                "valuation_method": "",
            },
        )
    ]


@pytest.mark.parametrize("kind", list(ContributionKind), ids=lambda k: k.value)
def test_every_kind_has_its_unit(kind: ContributionKind) -> None:
    commitment = pledged(
        kind=kind, licence="Licence Ouverte 2.0", valuation_method="Prix du marché"
    )

    assert commitment.unit is UNIT_OF_KIND[kind]


def test_only_time_is_counted_in_person_days() -> None:
    assert [k for k, u in UNIT_OF_KIND.items() if u is Unit.PERSON_DAY] == [
        ContributionKind.HUMAN
    ]


def test_a_new_commitment_is_open_with_nothing_delivered(
    commitment: Commitment,
) -> None:
    assert (commitment.withdrawn_on, commitment.deliveries) == (None, [])
    assert commitment.delivered == Decimal(0)


def test_a_data_set_keeps_its_trimmed_licence() -> None:
    commitment = pledged(kind=ContributionKind.DATA_SET, licence=" ODbL ")

    assert commitment.licence == "ODbL"


def test_in_kind_help_keeps_its_trimmed_valuation_method() -> None:
    commitment = pledged(
        kind=ContributionKind.IN_KIND, valuation_method=" Prix du marché "
    )

    assert commitment.valuation_method == "Prix du marché"


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(Decimal("0.01"), id="one-cent"),
        pytest.param(Decimal("1.50"), id="two-decimals"),
        pytest.param(Decimal("1000000000"), id="a-billion"),
        pytest.param(Decimal("1000000000.00"), id="a-billion-with-cents"),
        pytest.param(Decimal("2E+3"), id="exponent"),
    ],
)
def test_amounts_up_to_a_billion_with_two_decimals_are_accepted(
    amount: Decimal,
) -> None:
    assert pledged(amount=amount).amount == amount


def test_a_period_of_one_day_is_accepted() -> None:
    commitment = pledged(starts_on=PLEDGE_STARTS_ON, ends_on=PLEDGE_STARTS_ON)

    assert commitment.ends_on == PLEDGE_STARTS_ON


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"amount": Decimal(0)}, "amount.not_positive", id="zero"),
        pytest.param({"amount": Decimal("-0")}, "amount.not_positive", id="minus-0"),
        pytest.param({"amount": Decimal("-5")}, "amount.not_positive", id="negative"),
        pytest.param({"amount": Decimal("NaN")}, "amount.not_positive", id="nan"),
        pytest.param({"amount": Decimal("sNaN")}, "amount.not_positive", id="snan"),
        pytest.param(
            {"amount": Decimal("Infinity")}, "amount.not_positive", id="infinity"
        ),
        pytest.param(
            {"amount": Decimal("-Infinity")}, "amount.not_positive", id="-infinity"
        ),
        pytest.param(
            {"amount": Decimal("1000000000.01")}, "amount.too_large", id="too-large"
        ),
        pytest.param(
            {"amount": Decimal("15000.005")}, "amount.too_precise", id="3-decimals"
        ),
        pytest.param(
            {"starts_on": date(2026, 6, 1), "ends_on": date(2026, 5, 31)},
            "period.ends_before_start",
            id="ends-before-start",
        ),
        pytest.param(
            {"daily_rate": Decimal("450")},
            "commitment.daily_rate_only_for_human",
            id="daily-rate-on-money",
        ),
        pytest.param(
            {"kind": ContributionKind.HUMAN, "daily_rate": Decimal(0)},
            "daily_rate.not_positive",
            id="daily-rate-zero",
        ),
        pytest.param(
            {"kind": ContributionKind.HUMAN, "daily_rate": Decimal("NaN")},
            "daily_rate.not_positive",
            id="daily-rate-nan",
        ),
        pytest.param(
            {"kind": ContributionKind.HUMAN, "daily_rate": Decimal("450.125")},
            "daily_rate.too_precise",
            id="daily-rate-3-decimals",
        ),
        pytest.param(
            {"kind": ContributionKind.HUMAN, "daily_rate": Decimal("2E+9")},
            "daily_rate.too_large",
            id="daily-rate-too-large",
        ),
        pytest.param(
            {"kind": ContributionKind.DATA_SET},
            "commitment.licence_required",
            id="data-set-without-licence",
        ),
        pytest.param(
            {"kind": ContributionKind.DATA_SET, "licence": "   "},
            "commitment.licence_required",
            id="data-set-blank-licence",
        ),
        pytest.param(
            {"kind": ContributionKind.IN_KIND},
            "commitment.valuation_method_required",
            id="in-kind-without-valuation",
        ),
        pytest.param(
            {"kind": ContributionKind.IN_KIND, "valuation_method": " "},
            "commitment.valuation_method_required",
            id="in-kind-blank-valuation",
        ),
    ],
)
def test_an_incomplete_or_incoherent_pledge_is_refused(
    overrides: dict[str, Any], code: str
) -> None:
    pledge = a_pledge(**overrides)

    with pytest.raises(RuleViolated) as refused:
        Commitment.pledge(CONSORTIUM, PARTNER, pledge)

    assert refused.value.code == code


def test_a_complete_pledge_passes_its_own_check() -> None:
    pledge: Pledge = a_pledge(kind=ContributionKind.HUMAN, daily_rate=Decimal("450"))

    pledge.check()


def test_an_amount_check_names_the_field_it_checks() -> None:
    with pytest.raises(RuleViolated) as refused:
        check_amount(Decimal("-1"), "daily_rate")

    assert refused.value.code == "daily_rate.not_positive"


def test_a_period_ending_the_day_before_it_starts_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        check_period(date(2026, 2, 2), date(2026, 2, 1))

    assert refused.value.code == "period.ends_before_start"


# -- amending ------------------------------------------------------------------------


def test_amending_records_the_new_amount_and_period_with_the_trimmed_reason(
    commitment: Commitment,
) -> None:
    commitment.amend(
        Decimal("12000"), date(2026, 3, 1), date(2027, 2, 28), "  Budget revu "
    )

    assert emitted(commitment) == [
        (
            Commitment.Amended,
            {
                "amount": Decimal("12000"),
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2027, 2, 28),
                "reason": "Budget revu",
            },
        )
    ]
    assert (commitment.amount, commitment.starts_on, commitment.ends_on) == (
        Decimal("12000"),
        date(2026, 3, 1),
        date(2027, 2, 28),
    )


def test_amending_only_the_period_is_a_change(commitment: Commitment) -> None:
    commitment.amend(commitment.amount, PLEDGE_STARTS_ON, date(2027, 6, 30), "Report")

    assert [kind for kind, _ in emitted(commitment)] == [Commitment.Amended]


@pytest.mark.parametrize(
    ("amount", "starts_on", "ends_on", "reason", "code"),
    [
        pytest.param(
            Decimal("12000"),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "  ",
            "commitment.reason_required",
            id="no-reason",
        ),
        pytest.param(
            Decimal("15000"),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "Rien",
            "commitment.unchanged",
            id="unchanged",
        ),
        pytest.param(
            Decimal(0),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "Annulation",
            "amount.not_positive",
            id="zero",
        ),
        pytest.param(
            Decimal("Infinity"),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "Sans limite",
            "amount.not_positive",
            id="infinity",
        ),
        pytest.param(
            Decimal("2000000000"),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "Erreur",
            "amount.too_large",
            id="too-large",
        ),
        pytest.param(
            Decimal("12000.001"),
            PLEDGE_STARTS_ON,
            PLEDGE_ENDS_ON,
            "Arrondi",
            "amount.too_precise",
            id="3-decimals",
        ),
        pytest.param(
            Decimal("12000"),
            PLEDGE_ENDS_ON,
            PLEDGE_STARTS_ON,
            "Inversion",
            "period.ends_before_start",
            id="ends-before-start",
        ),
    ],
)
def test_an_invalid_amendment_is_refused(
    commitment: Commitment,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    reason: str,
    code: str,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        commitment.amend(amount, starts_on, ends_on, reason)

    assert refused.value.code == code
    assert emitted(commitment) == []
    assert commitment.amount == Decimal("15000.00")


def test_amending_a_withdrawn_commitment_is_refused(withdrawn: Commitment) -> None:
    with pytest.raises(RuleViolated) as refused:
        withdrawn.amend(Decimal("1"), PLEDGE_STARTS_ON, PLEDGE_ENDS_ON, "Trop tard")

    assert refused.value.code == "commitment.withdrawn"
    assert emitted(withdrawn) == []


# -- withdrawing ---------------------------------------------------------------------


def test_withdrawing_records_the_day_and_the_trimmed_reason(
    commitment: Commitment,
) -> None:
    commitment.withdraw(date(2026, 5, 1), " Départ du partenaire ")

    assert emitted(commitment) == [
        (
            Commitment.Withdrawn,
            {"on": date(2026, 5, 1), "reason": "Départ du partenaire"},
        )
    ]
    assert commitment.withdrawn_on == date(2026, 5, 1)


def test_withdrawing_without_a_reason_is_refused(commitment: Commitment) -> None:
    with pytest.raises(RuleViolated) as refused:
        commitment.withdraw(date(2026, 5, 1), "")

    assert refused.value.code == "commitment.reason_required"
    assert emitted(commitment) == []
    assert commitment.withdrawn_on is None


def test_withdrawing_twice_is_refused(withdrawn: Commitment) -> None:
    with pytest.raises(RuleViolated) as refused:
        withdrawn.withdraw(date(2026, 6, 1), "Encore")

    assert refused.value.code == "commitment.withdrawn"
    assert emitted(withdrawn) == []
    assert withdrawn.withdrawn_on == date(2026, 5, 1)


def test_what_was_delivered_stays_delivered_after_withdrawal(
    commitment: Commitment,
) -> None:
    deliver(commitment, Decimal("5000"))

    commitment.withdraw(date(2026, 5, 1), "Départ")

    assert commitment.delivered == Decimal("5000")


# -- delivering ----------------------------------------------------------------------


def test_delivering_records_the_contribution_with_its_evidence(
    commitment: Commitment,
) -> None:
    evidence = an_evidence()

    commitment.deliver(
        "ctb-1", DELIVERED_ON, Decimal("5000.50"), "  Premier versement ", evidence
    )

    assert emitted(commitment) == [
        (
            Commitment.ContributionDelivered,
            {
                "contribution_id": "ctb-1",
                "delivered_on": DELIVERED_ON,
                "amount": Decimal("5000.50"),
                "description": "Premier versement",
                "evidence": evidence,
            },
        )
    ]
    assert commitment.deliveries == [
        Delivery(
            "ctb-1", DELIVERED_ON, Decimal("5000.50"), "Premier versement", evidence
        )
    ]


def test_delivering_without_evidence_is_allowed(commitment: Commitment) -> None:
    deliver(commitment)

    assert commitment.deliveries[0].evidence is None


def test_delivering_on_the_first_day_of_the_period_is_allowed(
    commitment: Commitment,
) -> None:
    deliver(commitment, delivered_on=PLEDGE_STARTS_ON)

    assert commitment.deliveries[0].delivered_on == PLEDGE_STARTS_ON


def test_delivering_beyond_the_pledge_is_allowed_and_counted(
    commitment: Commitment,
) -> None:
    deliver(commitment, Decimal("10000.50"), contribution_id="ctb-1")
    deliver(commitment, Decimal("7000.25"), contribution_id="ctb-2")

    assert commitment.delivered == Decimal("17000.75")
    assert commitment.delivered > commitment.amount


def test_delivering_before_the_period_starts_is_refused(
    commitment: Commitment,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        deliver(commitment, delivered_on=date(2026, 1, 31))

    assert refused.value.code == "contribution.before_period"
    assert refused.value.params == {"starts_on": PLEDGE_STARTS_ON}
    assert emitted(commitment) == []


@pytest.mark.parametrize(
    ("amount", "description", "code"),
    [
        pytest.param(
            Decimal("5000"), "  ", "contribution.description_required", id="blank"
        ),
        pytest.param(Decimal(0), "Rien", "amount.not_positive", id="zero"),
        pytest.param(Decimal("NaN"), "NaN", "amount.not_positive", id="nan"),
        pytest.param(Decimal("Infinity"), "Tout", "amount.not_positive", id="infinity"),
        pytest.param(Decimal("1000000001"), "Trop", "amount.too_large", id="too-large"),
        pytest.param(
            Decimal("10.125"), "Arrondi", "amount.too_precise", id="3-decimals"
        ),
    ],
)
def test_an_invalid_delivery_is_refused(
    commitment: Commitment, amount: Decimal, description: str, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        deliver(commitment, amount, description=description)

    assert refused.value.code == code
    assert emitted(commitment) == []
    assert commitment.delivered == Decimal(0)


def test_delivering_twice_under_the_same_id_is_refused(
    commitment: Commitment,
) -> None:
    deliver(commitment, contribution_id="ctb-1")
    commitment.collect_events()

    with pytest.raises(RuleViolated) as refused:
        deliver(commitment, contribution_id="ctb-1")

    assert refused.value.code == "contribution.duplicate_id"
    assert emitted(commitment) == []
    assert len(commitment.deliveries) == 1


def test_delivering_against_a_withdrawn_commitment_is_refused(
    withdrawn: Commitment,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        deliver(withdrawn)

    assert refused.value.code == "commitment.withdrawn"
    assert emitted(withdrawn) == []


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_commitment() -> None:
    commitment = Commitment.pledge(
        CONSORTIUM,
        PARTNER,
        a_pledge(kind=ContributionKind.HUMAN, daily_rate=Decimal("450")),
    )
    commitment.amend(
        Decimal("30"), PLEDGE_STARTS_ON, date(2027, 1, 31), "Moins de médiation"
    )
    commitment.deliver("ctb-1", DELIVERED_ON, Decimal("12.5"), "Ateliers", None)
    commitment.deliver(
        "ctb-2", date(2026, 4, 6), Decimal("3"), "Permanences", an_evidence()
    )
    commitment.withdraw(date(2026, 5, 1), "Départ du médiateur")
    history = commitment.collect_events()

    replayed = reduce(lambda state, past: past.mutate(state), history, None)

    assert replayed == commitment
    assert replayed is not None
    assert vars(replayed) == vars(commitment)


def test_trailing_zeros_are_not_extra_precision() -> None:
    check_amount(Decimal("1.500"))
    check_amount(Decimal("12000.50"))
