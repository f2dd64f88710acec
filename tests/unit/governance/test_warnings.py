"""Ledger warnings: the pure rules read plain facts and today's date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from governance.values import ContributionKind, PartnerRole, Phase
from governance.warnings import (
    CommitmentFacts,
    PartnerFacts,
    Warning,
    ledger_warnings,
)

TODAY = date(2026, 6, 1)
JOINED_LONG_AGO = TODAY - timedelta(days=200)


def a_commitment(**overrides: Any) -> CommitmentFacts:
    """A live financial commitment of 10,000 euros, running to the end of 2026,
    with one delivery."""
    facts = CommitmentFacts(
        kind=ContributionKind.FINANCIAL,
        ends_on=date(2026, 12, 31),
        withdrawn=False,
        pledged_eur=Decimal("10000"),
        delivered_count=1,
    )
    return replace(facts, **overrides)


def a_partner(
    partner_id: str = "p-lab",
    *commitments: CommitmentFacts,
    **overrides: Any,
) -> PartnerFacts:
    """An active partner who joined long ago, with the given commitments."""
    facts = PartnerFacts(
        partner_id=partner_id,
        name=f"Partenaire {partner_id}",
        role=PartnerRole.PARTNER,
        active=True,
        joined_on=JOINED_LONG_AGO,
        commitments=commitments,
    )
    return replace(facts, **overrides)


def a_lead(*commitments: CommitmentFacts, **overrides: Any) -> PartnerFacts:
    return a_partner("p-lead", *commitments, role=PartnerRole.LEAD, **overrides)


def warnings_in(
    partners: list[PartnerFacts], phase: Phase = Phase.IMPLEMENTATION, **options: Any
) -> list[Warning]:
    return ledger_warnings(partners, phase, TODAY, **options)


def codes(warnings: list[Warning]) -> list[tuple[str, str | None]]:
    return [(w.code, w.partner_id) for w in warnings]


def test_a_healthy_consortium_has_no_warning() -> None:
    partners = [
        a_lead(a_commitment(pledged_eur=Decimal("12000"))),
        a_partner("p-lab", a_commitment(kind=ContributionKind.HUMAN)),
        a_partner("p-asso", a_commitment(pledged_eur=Decimal("8000"))),
    ]

    assert warnings_in(partners) == []


def test_a_consortium_without_partners_has_no_warning() -> None:
    assert warnings_in([]) == []


# -- facades ------------------------------------------------------------------------


def test_a_partner_without_any_commitment_is_a_facade() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner("p-asso", a_commitment()),
        a_partner("p-lab"),
    ]

    assert warnings_in(partners) == [
        Warning("facade.no_commitment", "p-lab", {"partner": "Partenaire p-lab"})
    ]


def test_a_partner_who_delivered_nothing_long_after_joining_is_a_facade() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner("p-lab", a_commitment(delivered_count=0)),
    ]

    assert warnings_in(partners) == [
        Warning(
            "facade.nothing_delivered",
            "p-lab",
            {"partner": "Partenaire p-lab", "days": 200},
        )
    ]


def test_a_delivery_on_a_withdrawn_commitment_still_counts_as_delivered() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner(
            "p-lab",
            a_commitment(withdrawn=True, delivered_count=2),
            a_commitment(delivered_count=0),
        ),
    ]

    assert warnings_in(partners) == []


@pytest.mark.parametrize(
    ("days_since_joining", "warned"),
    [(89, False), (90, False), (91, True)],
)
def test_nothing_delivered_is_a_facade_only_after_ninety_days(
    days_since_joining: int, warned: bool
) -> None:
    partner = a_partner(
        "p-lab",
        a_commitment(delivered_count=0),
        joined_on=TODAY - timedelta(days=days_since_joining),
    )

    found = codes(warnings_in([partner]))

    assert (("facade.nothing_delivered", "p-lab") in found) is warned


def test_the_facade_delay_can_be_shortened() -> None:
    partner = a_partner(
        "p-lab",
        a_commitment(delivered_count=0),
        joined_on=TODAY - timedelta(days=31),
    )

    assert codes(warnings_in([partner], facade_days=30)) == [
        ("facade.nothing_delivered", "p-lab")
    ]


# -- lapsed commitments -------------------------------------------------------------


def test_a_partner_whose_commitments_all_ended_is_warned() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner(
            "p-lab",
            a_commitment(ends_on=date(2026, 3, 31), pledged_eur=Decimal("5000")),
            a_commitment(
                ends_on=TODAY - timedelta(days=1), pledged_eur=Decimal("5000")
            ),
        ),
    ]

    assert warnings_in(partners) == [
        Warning("commitments.all_lapsed", "p-lab", {"partner": "Partenaire p-lab"})
    ]


def test_a_partner_who_withdrew_every_commitment_is_warned() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner("p-asso", a_commitment()),
        a_partner("p-lab", a_commitment(withdrawn=True)),
    ]

    assert codes(warnings_in(partners)) == [("commitments.all_lapsed", "p-lab")]


def test_a_commitment_ending_today_has_not_lapsed() -> None:
    partners = [a_lead(a_commitment()), a_partner("p-lab", a_commitment(ends_on=TODAY))]

    assert warnings_in(partners) == []


def test_one_running_commitment_is_enough() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner(
            "p-lab",
            a_commitment(ends_on=date(2026, 3, 31), pledged_eur=Decimal("5000")),
            a_commitment(withdrawn=True),
            a_commitment(pledged_eur=Decimal("5000")),
        ),
    ]

    assert warnings_in(partners) == []


# -- the lead -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "commitments",
    [
        pytest.param((a_commitment(kind=ContributionKind.HUMAN),), id="only-time"),
        pytest.param(
            (a_commitment(withdrawn=True), a_commitment(kind=ContributionKind.IN_KIND)),
            id="money-withdrawn",
        ),
    ],
)
def test_a_lead_bringing_no_money_is_warned(
    commitments: tuple[CommitmentFacts, ...],
) -> None:
    partners = [a_lead(*commitments), a_partner("p-lab", a_commitment())]

    assert warnings_in(partners, Phase.APPLICATION_SUBMITTED) == [
        Warning(
            "lead.no_financial_commitment", "p-lead", {"partner": "Partenaire p-lead"}
        )
    ]


def test_a_lead_without_any_commitment_is_both_a_facade_and_moneyless() -> None:
    partners = [
        a_lead(),
        a_partner("p-lab", a_commitment()),
        a_partner("p-asso", a_commitment()),
    ]

    assert codes(warnings_in(partners)) == [
        ("facade.no_commitment", "p-lead"),
        ("lead.no_financial_commitment", "p-lead"),
    ]


def test_the_lead_is_not_warned_about_money_during_setup() -> None:
    partners = [
        a_lead(a_commitment(kind=ContributionKind.HUMAN)),
        a_partner("p-lab", a_commitment(kind=ContributionKind.HUMAN)),
    ]

    assert warnings_in(partners, Phase.SETUP) == []


# -- partners who withdrew ------------------------------------------------------------


def test_a_partner_who_withdrew_from_the_consortium_is_ignored() -> None:
    partners = [
        a_lead(a_commitment()),
        a_partner("p-lab", a_commitment()),
        a_partner("p-gone", active=False),
        a_partner("p-gone-lead", active=False, role=PartnerRole.LEAD),
        a_partner(
            "p-gone-rich",
            a_commitment(pledged_eur=Decimal("1000000"), delivered_count=0),
            active=False,
        ),
    ]

    assert warnings_in(partners) == []


# -- concentration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead_eur", "lab_eur", "warned"),
    [
        pytest.param("6000", "4000", False, id="exactly-60-percent"),
        pytest.param("6000.01", "3999.99", True, id="just-above-60-percent"),
        pytest.param("5999.99", "4000.01", False, id="just-below-60-percent"),
    ],
)
def test_contributions_are_concentrated_only_beyond_the_threshold(
    lead_eur: str, lab_eur: str, warned: bool
) -> None:
    partners = [
        a_lead(a_commitment(pledged_eur=Decimal(lead_eur))),
        a_partner("p-lab", a_commitment(pledged_eur=Decimal(lab_eur))),
    ]

    found = codes(warnings_in(partners))

    assert (("contributions.concentrated", "p-lead") in found) is warned


def test_a_concentration_warning_names_the_partner_and_the_shares() -> None:
    partners = [
        a_partner("p-lab", a_commitment(pledged_eur=Decimal("2000"))),
        a_lead(a_commitment(pledged_eur=Decimal("7500"))),
        a_partner("p-asso", a_commitment(pledged_eur=Decimal("500"))),
    ]

    assert warnings_in(partners) == [
        Warning(
            "contributions.concentrated",
            "p-lead",
            {"partner": "Partenaire p-lead", "share": 75, "threshold": 60},
        )
    ]


def test_the_concentration_threshold_can_be_lowered() -> None:
    partners = [
        a_lead(a_commitment(pledged_eur=Decimal("5500"))),
        a_partner("p-lab", a_commitment(pledged_eur=Decimal("4500"))),
    ]

    assert warnings_in(partners, concentration=Decimal("0.5")) == [
        Warning(
            "contributions.concentrated",
            "p-lead",
            {"partner": "Partenaire p-lead", "share": 55, "threshold": 50},
        )
    ]


def test_withdrawn_commitments_and_partners_do_not_count_in_the_shares() -> None:
    partners = [
        a_lead(
            a_commitment(pledged_eur=Decimal("5000")),
            a_commitment(pledged_eur=Decimal("90000"), withdrawn=True),
        ),
        a_partner("p-lab", a_commitment(pledged_eur=Decimal("5000"))),
        a_partner("p-gone", a_commitment(pledged_eur=Decimal("90000")), active=False),
    ]

    assert warnings_in(partners) == []


def test_a_single_partner_is_not_a_concentration() -> None:
    assert warnings_in([a_lead(a_commitment())]) == []


def test_a_consortium_where_nothing_is_valued_in_euros_is_not_concentrated() -> None:
    partners = [
        a_lead(a_commitment(pledged_eur=Decimal(0))),
        a_partner("p-lab", a_commitment(pledged_eur=Decimal(0))),
    ]

    assert warnings_in(partners) == []
