"""Funder-readiness: each item met, not met, or not applicable, from plain facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from governance.readiness import (
    ITEMS,
    Item,
    ReadinessFacts,
    ReadinessPartner,
    Status,
    assess,
)
from governance.values import (
    ContributionKind,
    Funding,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
)
from governance.warnings import CommitmentFacts, PartnerFacts

TODAY = date(2026, 6, 1)


def a_commitment(**overrides: Any) -> CommitmentFacts:
    """A live co-financing of 10,000 euros with one delivery."""
    facts = CommitmentFacts(
        kind=ContributionKind.FINANCIAL,
        ends_on=date(2026, 12, 31),
        withdrawn=False,
        pledged_eur=Decimal("10000"),
        delivered_count=1,
        funding=Funding.CO_FINANCING,
    )
    return replace(facts, **overrides)


def a_partner(
    partner_id: str,
    kind: PartnerKind = PartnerKind.SOCIAL_ECONOMY,
    *,
    role: PartnerRole = PartnerRole.PARTNER,
    paper: Paper = Paper.LETTER_OF_COMMITMENT,
    commitments: tuple[CommitmentFacts, ...] | None = None,
    active: bool = True,
    documented: bool | None = None,
) -> ReadinessPartner:
    return ReadinessPartner(
        PartnerFacts(
            partner_id,
            partner_id.title(),
            role,
            active,
            TODAY - timedelta(days=30),
            (a_commitment(),) if commitments is None else commitments,
        ),
        kind,
        paper,
        paper is not Paper.NONE if documented is None else documented,
    )


def ready(**overrides: Any) -> ReadinessFacts:
    """A consortium meeting every item: a lead authority that co-finances, a third
    place, a citizens' collective competent in data protection."""
    facts = ReadinessFacts(
        phase=Phase.IMPLEMENTATION,
        partners=(
            a_partner("lead", PartnerKind.LOCAL_AUTHORITY, role=PartnerRole.LEAD),
            a_partner("fabrique"),
            a_partner("collectif", PartnerKind.CITIZENS),
        ),
        bodies=1,
        indicators=2,
        obligations=3,
        capitalisation_entries=1,
        handles_personal_data=True,
        data_protection_partner_id="collectif",
        beneficiary_involvement="",
    )
    return replace(facts, **overrides)


def item(facts: ReadinessFacts, code: str) -> Item:
    return next(i for i in assess(facts, TODAY).items if i.code == code)


def test_a_ready_consortium_meets_every_item() -> None:
    readiness = assess(ready(), TODAY)

    assert [i.code for i in readiness.items] == list(ITEMS)
    assert {i.status for i in readiness.items} == {Status.MET}
    assert (readiness.met, readiness.applicable) == (11, 11)


def test_the_score_leaves_out_what_does_not_apply() -> None:
    readiness = assess(ready(handles_personal_data=False, indicators=0), TODAY)

    assert (readiness.met, readiness.applicable) == (9, 10)


def test_papers_missing_are_named() -> None:
    facts = ready(
        partners=(
            *ready().partners[:2],
            a_partner("collectif", PartnerKind.CITIZENS, paper=Paper.NONE),
            a_partner("ancien", paper=Paper.NONE, active=False),
        )
    )

    found = item(facts, "papers")

    assert (found.status, found.reason) == (Status.NOT_MET, "papers.missing")
    assert found.params == {"partners": "Collectif", "count": 1}


def test_a_paper_only_declared_without_its_document_is_named_and_not_met() -> None:
    facts = ready(
        partners=(
            *ready().partners[:2],
            a_partner("collectif", PartnerKind.CITIZENS, documented=False),
        )
    )

    found = item(facts, "papers")

    assert (found.status, found.reason) == (Status.NOT_MET, "papers.undocumented")
    assert found.params == {"partners": "Collectif", "count": 1}


def test_a_document_on_file_counts_even_without_a_declared_paper() -> None:
    facts = ready(
        partners=(
            *ready().partners[:2],
            a_partner(
                "collectif", PartnerKind.CITIZENS, paper=Paper.NONE, documented=True
            ),
        )
    )

    assert item(facts, "papers").status is Status.MET


def test_without_partners_the_partner_items_are_not_met() -> None:
    readiness = assess(ready(partners=()), TODAY)
    statuses = {i.code: (i.status, i.reason) for i in readiness.items}

    assert statuses["papers"] == (Status.NOT_MET, "partners.none")
    assert statuses["commitments"] == (Status.NOT_MET, "partners.none")
    assert statuses["partner_variety"] == (Status.NOT_MET, "partners.none")
    assert statuses["lead_co_financing"] == (Status.NOT_MET, "lead.none")
    assert statuses["no_facade"] == (Status.NOT_APPLICABLE, "partners.none")


@pytest.mark.parametrize(
    ("code", "field", "met", "not_met"),
    [
        ("governance", "bodies", "governance.bodies", "governance.none"),
        ("indicators", "indicators", "indicators.defined", "indicators.none"),
        ("reporting_calendar", "obligations", "calendar.scheduled", "calendar.none"),
        (
            "capitalisation_plan",
            "capitalisation_entries",
            "capitalisation.recorded",
            "capitalisation.none",
        ),
    ],
)
def test_items_that_need_one_thing_at_least(
    code: str, field: str, met: str, not_met: str
) -> None:
    present = item(ready(**{field: 2}), code)
    absent = item(ready(**{field: 0}), code)

    assert (present.status, present.reason, present.params) == (
        Status.MET,
        met,
        {"count": 2},
    )
    assert (absent.status, absent.reason) == (Status.NOT_MET, not_met)


def test_a_withdrawn_commitment_is_no_commitment() -> None:
    facts = ready(
        partners=(
            *ready().partners[:2],
            a_partner(
                "collectif",
                PartnerKind.CITIZENS,
                commitments=(a_commitment(withdrawn=True),),
            ),
        )
    )

    found = item(facts, "commitments")

    assert (found.status, found.reason, found.params["partners"]) == (
        Status.NOT_MET,
        "commitments.missing",
        "Collectif",
    )


@pytest.mark.parametrize(
    ("commitments", "reason"),
    [
        ((a_commitment(funding=Funding.REQUESTED),), "lead.no_co_financing"),
        ((a_commitment(withdrawn=True),), "lead.no_co_financing"),
        ((), "lead.no_co_financing"),
        (
            (a_commitment(kind=ContributionKind.HUMAN, pledged_eur=Decimal(0)),),
            "lead.co_finances",
        ),
    ],
    ids=["requested", "withdrawn", "none", "staff-time"],
)
def test_the_lead_co_finances_with_a_live_co_financing_commitment(
    commitments: tuple[CommitmentFacts, ...], reason: str
) -> None:
    lead = a_partner(
        "lead",
        PartnerKind.LOCAL_AUTHORITY,
        role=PartnerRole.LEAD,
        commitments=commitments,
    )

    found = item(ready(partners=(lead, *ready().partners[1:])), "lead_co_financing")

    assert found.reason == reason
    assert found.status is (
        Status.MET if reason == "lead.co_finances" else Status.NOT_MET
    )
    assert found.params == {"partner": "Lead"}


@pytest.mark.parametrize(
    ("handles", "partner_id", "status", "reason"),
    [
        (None, None, Status.NOT_MET, "personal_data.unanswered"),
        (False, None, Status.NOT_APPLICABLE, "personal_data.not_handled"),
        (True, None, Status.NOT_MET, "personal_data.no_partner"),
        (True, "ancien", Status.NOT_MET, "personal_data.partner_withdrawn"),
        (True, "fabrique", Status.MET, "personal_data.partner"),
    ],
)
def test_data_protection_applies_when_personal_data_is_handled(
    handles: bool | None, partner_id: str | None, status: Status, reason: str
) -> None:
    facts = ready(
        partners=(*ready().partners, a_partner("ancien", active=False)),
        handles_personal_data=handles,
        data_protection_partner_id=partner_id,
    )

    found = item(facts, "data_protection")

    assert (found.status, found.reason) == (status, reason)


def test_facade_partners_are_named_from_the_ledger_warnings() -> None:
    silent = a_partner("silencieux", commitments=(a_commitment(delivered_count=0),))
    silent = replace(
        silent, facts=replace(silent.facts, joined_on=TODAY - timedelta(days=120))
    )
    empty = a_partner("vide", commitments=())
    facts = ready(partners=(*ready().partners, silent, empty))

    found = item(facts, "no_facade")

    assert found.status is Status.NOT_MET
    assert found.params["partners"] == "Silencieux, Vide"


def test_partner_variety_needs_two_kinds_among_active_partners() -> None:
    same = ready(
        partners=(
            a_partner("a", PartnerKind.COMPANY, role=PartnerRole.LEAD),
            a_partner("b", PartnerKind.COMPANY),
            a_partner("c", PartnerKind.ACADEMIC, active=False),
        )
    )

    found = item(same, "partner_variety")

    assert (found.status, found.params) == (
        Status.NOT_MET,
        {"kind": PartnerKind.COMPANY},
    )
    assert item(ready(), "partner_variety").params == {"count": 3}


@pytest.mark.parametrize(
    ("partners", "described", "status", "reason"),
    [
        (ready().partners, "", Status.MET, "beneficiaries.partner"),
        (
            ready().partners[:2],
            "Un panel d'usagers",
            Status.MET,
            "beneficiaries.described",
        ),
        (ready().partners[:2], "  ", Status.NOT_MET, "beneficiaries.none"),
        (
            (
                *ready().partners[:2],
                a_partner("collectif", PartnerKind.CITIZENS, active=False),
            ),
            "",
            Status.NOT_MET,
            "beneficiaries.none",
        ),
    ],
    ids=["citizens-partner", "described", "nothing", "citizens-withdrew"],
)
def test_end_beneficiaries_take_part_through_a_partner_or_a_description(
    partners: tuple[ReadinessPartner, ...], described: str, status: Status, reason: str
) -> None:
    found = item(
        ready(partners=partners, beneficiary_involvement=described), "end_beneficiaries"
    )

    assert (found.status, found.reason) == (status, reason)
