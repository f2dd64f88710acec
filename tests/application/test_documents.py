"""The convention's documents: filed with a first version, versioned without
overwriting, signed per partner (who and when, against the version signed)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.convention.document import ConventionDocument
from governance.convention.values import DocumentKind
from governance.errors import NotPermitted, RuleViolated
from governance.values import MemberRole, PartnerRole
from tests.support.amendments import reallocation, signed_plan
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    an_authority,
    an_evidence,
    person_in_role,
)
from tests.support.fakes import FixedClock


def the_document(app: Governance, document_id: str) -> ConventionDocument:
    document: ConventionDocument = app.repository.get(UUID(document_id))
    return document


@pytest.fixture
def partners(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> tuple[str, str]:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    lab = admitted_partner(
        app, coordinator, consortium_id, a_partner_identity("Laboratoire fictif")
    )
    return lead, lab


def test_a_convention_is_versioned_and_each_partner_signs_the_latest_version(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    partners: tuple[str, str],
    clock: FixedClock,
) -> None:
    lead, lab = partners
    first, second = an_evidence(sha256="a" * 64), an_evidence(sha256="b" * 64)
    document = app.file_document(
        coordinator,
        consortium_id,
        DocumentKind.PARTNERSHIP_CONVENTION,
        "Convention de partenariat",
        first,
    ).id
    today = clock.now().date()
    app.record_signature(
        coordinator, consortium_id, UUID(document), lead, "Mme la Maire", today
    )
    app.file_document_version(
        coordinator, consortium_id, UUID(document), second, "Annexe financière"
    )
    app.record_signature(
        coordinator, consortium_id, UUID(document), lab, "Le directeur", today
    )

    filed = the_document(app, document)
    assert filed.files == [first, second]
    assert filed.signatures[lead].version == 1
    assert (filed.signatures[lab].signed_by, filed.signatures[lab].version) == (
        "Le directeur",
        2,
    )


def test_a_letter_names_its_partner_and_only_that_partner_signs_it(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    partners: tuple[str, str],
    clock: FixedClock,
) -> None:
    lead, lab = partners
    with pytest.raises(RuleViolated, match=r"document\.partner_required"):
        app.file_document(
            coordinator,
            consortium_id,
            DocumentKind.LETTER_OF_COMMITMENT,
            "Lettre",
            an_evidence(),
        )
    letter = app.file_document(
        coordinator,
        consortium_id,
        DocumentKind.LETTER_OF_COMMITMENT,
        "Lettre d'engagement",
        an_evidence(),
        partner_id=lab,
    ).id
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated, match=r"document\.signed_by_its_partner"):
        app.record_signature(
            coordinator, consortium_id, UUID(letter), lead, "X", clock.now().date()
        )

    assert app.recorder.max_notification_id() == before


def test_a_signature_in_the_future_or_twice_on_a_version_is_refused(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    partners: tuple[str, str],
    clock: FixedClock,
) -> None:
    lead, _ = partners
    document = UUID(
        app.file_document(
            coordinator,
            consortium_id,
            DocumentKind.CONSORTIUM_AGREEMENT,
            "Accord de consortium",
            an_evidence(),
        ).id
    )
    today = clock.now().date()
    with pytest.raises(RuleViolated, match=r"document\.signed_in_the_future"):
        app.record_signature(
            coordinator, consortium_id, document, lead, "X", today + timedelta(days=1)
        )
    app.record_signature(coordinator, consortium_id, document, lead, "X", today)
    with pytest.raises(RuleViolated, match=r"document\.already_signed"):
        app.record_signature(coordinator, consortium_id, document, lead, "Y", today)


def test_the_same_file_again_is_not_a_new_version(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    file = an_evidence()
    document = app.file_document(
        coordinator, consortium_id, DocumentKind.FUNDING_AGREEMENT, "Arrêté", file
    ).id

    with pytest.raises(RuleViolated, match=r"document\.same_file"):
        app.file_document_version(coordinator, consortium_id, UUID(document), file)


def test_an_amendment_s_signed_copy_names_an_amendment_of_the_consortium(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    signed = signed_plan(app, coordinator, consortium_id)
    amendment = reallocation(app, coordinator, signed)
    with pytest.raises(RuleViolated, match=r"document\.amendment_unknown"):
        app.file_document(
            coordinator,
            consortium_id,
            DocumentKind.AMENDMENT,
            "Avenant 1",
            an_evidence(),
            amendment_id=uuid4(),
        )

    filed = app.file_document(
        coordinator,
        consortium_id,
        DocumentKind.AMENDMENT,
        "Avenant 1 signé",
        an_evidence(),
        amendment_id=UUID(amendment),
    ).id

    assert the_document(app, filed).amendment_id == amendment


def test_only_coordinators_file_documents(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    financer = person_in_role(
        app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER
    )

    with pytest.raises(NotPermitted):
        app.file_document(
            financer,
            consortium_id,
            DocumentKind.FUNDING_AGREEMENT,
            "Arrêté",
            an_evidence(),
        )
