"""The consortium's readiness settings: personal data, end beneficiaries."""

from __future__ import annotations

import pytest

from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from tests.support.builders import a_consortium, admit


@pytest.fixture
def consortium(acting: str) -> Consortium:
    consortium = a_consortium()
    consortium.collect_events()
    return consortium


def test_a_new_consortium_has_answered_nothing(consortium: Consortium) -> None:
    assert consortium.handles_personal_data is None
    assert consortium.data_protection_partner_id is None
    assert consortium.beneficiary_involvement == ""


def test_naming_the_partner_competent_in_data_protection(
    consortium: Consortium,
) -> None:
    partner = admit(consortium)
    consortium.collect_events()

    consortium.declare_personal_data(True, partner)

    (declared,) = consortium.collect_events()
    assert isinstance(declared, Consortium.PersonalDataDeclared)
    assert (declared.handles_personal_data, declared.data_protection_partner_id) == (
        True,
        partner,
    )
    assert consortium.data_protection_partner_id == partner


def test_a_withdrawn_or_unknown_partner_cannot_answer_for_data_protection(
    consortium: Consortium,
) -> None:
    partner = admit(consortium)
    consortium.withdraw_partner(partner, consortium.founded_on.replace(month=3), "Fin")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as withdrawn:
        consortium.declare_personal_data(True, partner)
    with pytest.raises(NotFound):
        consortium.declare_personal_data(True, "no-such-partner")

    assert withdrawn.value.code == "partner.withdrawn"
    assert consortium.collect_events() == []


def test_saying_the_same_again_records_nothing(consortium: Consortium) -> None:
    consortium.declare_personal_data(False, None)
    consortium.describe_beneficiary_involvement("Un panel d'usagers")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as same_data:
        consortium.declare_personal_data(False, None)
    with pytest.raises(RuleViolated) as same_text:
        consortium.describe_beneficiary_involvement("  Un panel d'usagers ")

    assert same_data.value.code == same_text.value.code == "readiness.unchanged"
    assert consortium.collect_events() == []


def test_the_involvement_of_end_beneficiaries_is_described_and_cleared(
    consortium: Consortium,
) -> None:
    consortium.describe_beneficiary_involvement(" Un panel d'usagers ")
    consortium.describe_beneficiary_involvement("")

    described, cleared = consortium.collect_events()
    assert isinstance(described, Consortium.BeneficiaryInvolvementDescribed)
    assert (described.description, cleared.description) == ("Un panel d'usagers", "")  # type: ignore[attr-defined]
    assert consortium.beneficiary_involvement == ""
