"""Funder-readiness from built histories: commands in, read models, the check out.

Each item is taken from not met to met (or not applicable) by the commands that
fix it, as a coordinator would from the readiness page's links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.convention.values import DocumentKind
from governance.readiness import Readiness, Status, assess
from governance.values import Funding, Paper, PartnerKind, PartnerRole
from projections.readiness import readiness_facts
from projections.runtime import ReadSide
from tests.support.builders import (
    T0,
    a_lesson,
    a_partner_identity,
    a_pledge,
    a_rule,
    admitted_partner,
    an_authority,
    an_evidence,
    defined_indicator,
    founded_consortium,
    scheduled_report,
)

TODAY = T0.date()


def check(read_side: ReadSide, consortium_id: UUID) -> dict[str, tuple[Status, str]]:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        readiness = assess(readiness_facts(connection, str(consortium_id)), TODAY)
    return {i.code: (i.status, i.reason) for i in readiness.items}


def score(read_side: ReadSide, consortium_id: UUID) -> Readiness:
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        return assess(readiness_facts(connection, str(consortium_id)), TODAY)


@dataclass(frozen=True)
class Ready:
    consortium_id: UUID
    lead: str
    place: str
    citizens: str
    lead_commitment: UUID
    entry: UUID


def with_paper(app: Governance, actor: Actor, cid: UUID, partner: str) -> None:
    """The partner's letter of commitment, declared and filed (the document)."""
    app.record_paper(actor, cid, partner, Paper.LETTER_OF_COMMITMENT, date(2026, 1, 20))
    app.file_document(
        actor,
        cid,
        DocumentKind.LETTER_OF_COMMITMENT,
        "Lettre d'engagement",
        an_evidence(),
        partner_id=partner,
    )


@pytest.fixture
def ready(app: Governance, coordinator: Actor) -> Ready:
    """A consortium meeting every item: built step by step through the service."""
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    place = admitted_partner(app, coordinator, cid)
    citizens = admitted_partner(
        app,
        coordinator,
        cid,
        a_partner_identity("Collectif des usagers", PartnerKind.CITIZENS),
    )
    commitments = {
        partner: app.pledge(coordinator, cid, partner, a_pledge()).id
        for partner in (lead, place, citizens)
    }
    for partner in (lead, place, citizens):
        with_paper(app, coordinator, cid, partner)
    app.establish_body(
        coordinator, cid, name="COPIL", members={lead: 1, place: 1}, rule=a_rule()
    )
    defined_indicator(app, coordinator, cid)
    scheduled_report(app, coordinator, cid)
    entry = app.record_capitalisation(coordinator, cid, a_lesson()).id
    app.declare_personal_data(coordinator, cid, True, place)
    return Ready(cid, lead, place, citizens, UUID(commitments[lead]), UUID(entry))


def test_a_fresh_consortium_meets_nothing_yet(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)

    items = check(read_side, cid)

    assert items == {
        "papers": (Status.NOT_MET, "partners.none"),
        "governance": (Status.NOT_MET, "governance.none"),
        "commitments": (Status.NOT_MET, "partners.none"),
        "lead_co_financing": (Status.NOT_MET, "lead.none"),
        "indicators": (Status.NOT_MET, "indicators.none"),
        "reporting_calendar": (Status.NOT_MET, "calendar.none"),
        "capitalisation_plan": (Status.NOT_MET, "capitalisation.none"),
        "data_protection": (Status.NOT_MET, "personal_data.unanswered"),
        "no_facade": (Status.NOT_APPLICABLE, "partners.none"),
        "partner_variety": (Status.NOT_MET, "partners.none"),
        "end_beneficiaries": (Status.NOT_MET, "beneficiaries.none"),
    }
    assert (score(read_side, cid).met, score(read_side, cid).applicable) == (0, 10)


def test_a_consortium_built_for_funders_meets_every_item(
    ready: Ready, read_side: ReadSide
) -> None:
    readiness = score(read_side, ready.consortium_id)

    assert {i.code: i.status for i in readiness.items} == dict.fromkeys(
        check(read_side, ready.consortium_id), Status.MET
    )
    assert (readiness.met, readiness.applicable) == (11, 11)


def test_a_partner_admitted_without_paper_or_commitment_shows(
    app: Governance, coordinator: Actor, ready: Ready, read_side: ReadSide
) -> None:
    admitted_partner(
        app, coordinator, ready.consortium_id, a_partner_identity("PME fictive")
    )

    items = check(read_side, ready.consortium_id)

    assert items["papers"] == (Status.NOT_MET, "papers.missing")
    assert items["commitments"] == (Status.NOT_MET, "commitments.missing")
    assert items["no_facade"] == (Status.NOT_MET, "facade.found")


def test_the_lead_withdrawing_its_co_financing_unmeets_the_item(
    app: Governance, coordinator: Actor, ready: Ready, read_side: ReadSide
) -> None:
    app.pledge(
        coordinator,
        ready.consortium_id,
        ready.lead,
        a_pledge(funding=Funding.REQUESTED),
    )
    app.withdraw_commitment(
        coordinator, ready.lead_commitment, date(2026, 3, 1), "Budget"
    )

    assert check(read_side, ready.consortium_id)["lead_co_financing"] == (
        Status.NOT_MET,
        "lead.no_co_financing",
    )


def test_a_withdrawn_capitalisation_entry_is_no_plan(
    app: Governance, coordinator: Actor, ready: Ready, read_side: ReadSide
) -> None:
    app.withdraw_capitalisation(coordinator, ready.entry, "Doublon")

    assert check(read_side, ready.consortium_id)["capitalisation_plan"] == (
        Status.NOT_MET,
        "capitalisation.none",
    )


def test_data_protection_follows_the_declaration_and_the_partner(
    app: Governance, coordinator: Actor, ready: Ready, read_side: ReadSide
) -> None:
    cid = ready.consortium_id
    app.withdraw_partner(coordinator, cid, ready.place, date(2026, 3, 1), "Fin")
    withdrawn = check(read_side, cid)["data_protection"]
    app.declare_personal_data(coordinator, cid, False, None)
    not_handled = check(read_side, cid)["data_protection"]

    assert withdrawn == (Status.NOT_MET, "personal_data.partner_withdrawn")
    assert not_handled == (Status.NOT_APPLICABLE, "personal_data.not_handled")
    assert (score(read_side, cid).met, score(read_side, cid).applicable) == (10, 10)


def test_end_beneficiaries_without_a_citizens_partner_need_a_description(
    app: Governance, coordinator: Actor, ready: Ready, read_side: ReadSide
) -> None:
    cid = ready.consortium_id
    app.withdraw_partner(coordinator, cid, ready.citizens, date(2026, 3, 1), "Fin")
    without = check(read_side, cid)["end_beneficiaries"]
    app.describe_beneficiary_involvement(
        coordinator, cid, "Un panel de douze usagers teste chaque atelier."
    )

    assert without == (Status.NOT_MET, "beneficiaries.none")
    assert check(read_side, cid)["end_beneficiaries"] == (
        Status.MET,
        "beneficiaries.described",
    )


def test_partners_of_one_kind_lack_variety(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    for name in ("PME A", "PME B"):
        admitted_partner(
            app, coordinator, cid, a_partner_identity(name, PartnerKind.COMPANY)
        )

    assert check(read_side, cid)["partner_variety"] == (
        Status.NOT_MET,
        "variety.one_kind",
    )


def test_a_declared_paper_counts_once_its_document_is_on_file(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD
    )
    app.record_paper(coordinator, cid, lead, Paper.CONVENTION_SIGNED, date(2026, 1, 20))
    declared = check(read_side, cid)["papers"]
    convention = app.file_document(
        coordinator,
        cid,
        DocumentKind.PARTNERSHIP_CONVENTION,
        "Convention de partenariat",
        an_evidence(),
    ).id
    app.record_signature(
        coordinator, cid, UUID(convention), lead, "Mme la Maire", date(2026, 1, 20)
    )

    assert declared == (Status.NOT_MET, "papers.undocumented")
    assert check(read_side, cid)["papers"] == (Status.MET, "papers.all")
