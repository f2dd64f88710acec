"""The people's forms, parsed without HTTP: an invitation, the account made by
accepting one, and the partners' forms (admission, paper, role, axis, withdrawal)."""

from __future__ import annotations

from datetime import date

import pytest

from governance.actor import acting_as
from governance.errors import RuleViolated
from governance.values import (
    AuthorityLevel,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
)
from tests.support.builders import COORDINATOR_ID, T0, a_consortium, admit
from web.forms.fields import FormErrors
from web.forms.members import parse_invitation, parse_new_account
from web.forms.partners import (
    parse_axis,
    parse_paper,
    parse_partner,
    parse_role,
    parse_withdrawal,
)

TODAY = date(2026, 3, 15)


def errors_of(parse: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(parse)
    with pytest.raises(FormErrors) as caught:
        parse(*args, **kwargs)
    return caught.value.errors


def test_an_invitation_names_an_address_a_role_and_for_a_member_a_partner() -> None:
    form = parse_invitation(
        {"email": "ana@test.example", "role": "member", "partner_id": "p-lab"}
    )

    assert (form.email, form.role, form.partner_id) == (
        "ana@test.example",
        MemberRole.MEMBER,
        "p-lab",
    )


def test_an_invitation_to_a_member_without_partner_is_left_to_the_domain() -> None:
    form = parse_invitation({"email": "ana@test.example", "role": "member"})

    assert form.partner_id is None


def test_a_partner_chosen_for_another_role_is_kept_for_the_domain_to_judge() -> None:
    form = parse_invitation(
        {"email": "ana@test.example", "role": "financer", "partner_id": "p-lab"}
    )

    assert (form.role, form.partner_id) == (MemberRole.FINANCER, "p-lab")


@pytest.mark.parametrize("email", ["ana", "ana@test", "a b@test.example", "@x.fr"])
def test_an_address_that_is_not_an_email_is_refused(email: str) -> None:
    errors = errors_of(parse_invitation, {"email": email, "role": "coordinator"})

    assert errors == {"email": "Enter a valid e-mail address."}


def test_a_new_account_needs_a_name_and_the_same_password_twice() -> None:
    errors = errors_of(
        parse_new_account,
        {"display_name": "", "password": "correct horse", "password_again": "other"},
        None,
    )

    assert errors == {
        "display_name": "This field is required.",
        "password_again": "The two passwords differ.",
    }


def test_a_password_problem_found_by_the_checker_is_shown_on_the_password() -> None:
    errors = errors_of(
        parse_new_account,
        {"display_name": "Ana", "password": "short", "password_again": "short"},
        "password.too_short",
    )

    assert errors == {"password": "Use at least 8 characters."}


def partner_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "Commune du Val",
        "kind": "local_authority",
        "authority_level": "commune",
        "siret": "123 456 782 00010",
        "rna": "",
        "role": "partner",
        "axis": "Médiation",
        "paper": "none",
        "paper_signed_on": "",
        "joined_on": "",
    }
    return {**fields, **overrides}


def test_a_partner_is_parsed_with_its_identity_and_joins_today_by_default() -> None:
    form = parse_partner(partner_fields(), today=TODAY)

    assert form.identity.kind is PartnerKind.LOCAL_AUTHORITY
    assert form.identity.authority_level is AuthorityLevel.COMMUNE
    assert form.identity.siret == "12345678200010"
    assert (form.role, form.paper, form.joined_on) == (
        PartnerRole.PARTNER,
        Paper.NONE,
        TODAY,
    )


def test_a_level_chosen_for_another_kind_is_kept_for_the_domain_to_judge() -> None:
    form = parse_partner(
        partner_fields(kind="social_economy", authority_level="commune", rna=""),
        today=TODAY,
    )

    assert form.identity.kind is PartnerKind.SOCIAL_ECONOMY
    assert form.identity.authority_level is AuthorityLevel.COMMUNE
    with acting_as(COORDINATOR_ID, at=T0), pytest.raises(RuleViolated) as refusal:
        admit(a_consortium(), form.identity)
    assert refusal.value.field == "authority_level"


def test_an_rna_number_is_read_in_capitals() -> None:
    form = parse_partner(
        partner_fields(kind="social_economy", authority_level="", rna="w751234567"),
        today=TODAY,
    )

    assert form.identity.rna == "W751234567"


def test_a_paper_and_its_date_are_parsed_together() -> None:
    paper = parse_paper({"paper": "convention_signed", "paper_signed_on": "2026-02-01"})

    assert (paper.paper, paper.signed_on) == (
        Paper.CONVENTION_SIGNED,
        date(2026, 2, 1),
    )


def test_a_role_and_an_axis_are_read_on_their_own() -> None:
    assert parse_role({"role": "lead"}) is PartnerRole.LEAD
    assert parse_axis({"axis": " Formation "}) == "Formation"
    assert errors_of(parse_role, {"role": "boss"}) == {
        "role": "Choose one of the options."
    }


def test_a_withdrawal_needs_its_reason_and_happens_today_by_default() -> None:
    form = parse_withdrawal({"reason": "Fin du projet"}, today=TODAY)

    assert (form.on, form.reason) == (TODAY, "Fin du projet")
    assert errors_of(parse_withdrawal, {"reason": " "}, today=TODAY) == {
        "reason": "This field is required."
    }
