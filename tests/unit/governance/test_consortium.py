"""The Consortium aggregate: each command's events, and each refusal.

Commands are checked on the events they record (``collect_events``), not on private
state; a refused command must record nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce

import pytest

from governance.consortium import Consortium
from governance.errors import NotFound, RuleViolated
from governance.values import (
    AuthorityLevel,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
)
from tests.support.builders import (
    COORDINATOR_ID,
    FOUNDED_ON,
    JOINED_ON,
    RNA_A,
    RNA_B,
    SIRET_A,
    SIRET_B,
    SIRET_C,
    T0,
    a_call,
    a_consortium,
    a_partner_identity,
    admit,
    an_authority,
)

pytestmark = pytest.mark.usefixtures("acting")

LEAD = "p-lead"
LAB = "p-lab"
ASSO = "p-asso"
SUBMITTED_ON = date(2026, 4, 1)
EXPIRES_AT = T0 + timedelta(days=7)
SUMMARY = "Des lieux et des médiateurs pour le numérique du quotidien."

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

Emitted = list[tuple[type, dict[str, object]]]


def emitted(consortium: Consortium) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in consortium.collect_events()
    ]


@pytest.fixture
def founded() -> Consortium:
    """Just founded: no partner yet, the founder is coordinator."""
    consortium = a_consortium()
    consortium.collect_events()
    return consortium


@pytest.fixture
def consortium() -> Consortium:
    """In setup with a lead authority, a lab and an associated association."""
    consortium = a_consortium()
    admit(consortium, an_authority(), role=PartnerRole.LEAD, partner_id=LEAD)
    admit(
        consortium,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
        partner_id=LAB,
    )
    admit(
        consortium,
        a_partner_identity("Association Clic", rna=RNA_A),
        role=PartnerRole.ASSOCIATED,
        partner_id=ASSO,
    )
    consortium.collect_events()
    return consortium


@pytest.fixture
def submitted(consortium: Consortium) -> Consortium:
    """Past setup: the application was submitted."""
    consortium.change_phase(Phase.APPLICATION_SUBMITTED, SUBMITTED_ON)
    consortium.collect_events()
    return consortium


# -- founding ------------------------------------------------------------------------


def test_founding_records_the_profile_and_makes_the_founder_coordinator() -> None:
    consortium = a_consortium(
        name="  Inclusion numérique  ", acronym=" IN ", territory=" Val "
    )

    assert emitted(consortium) == [
        (
            Consortium.Founded,
            {
                "name": "Inclusion numérique",
                "acronym": "IN",
                "summary": SUMMARY,
                "territory": "Val",
                "call": a_call(),
                "founded_on": FOUNDED_ON,
            },
        ),
        (
            Consortium.MembershipGranted,
            {
                "account_id": COORDINATOR_ID,
                "role": MemberRole.COORDINATOR,
                "partner_id": None,
                "invitation_id": None,
            },
        ),
    ]


def test_a_new_consortium_starts_in_setup_with_its_founder_as_coordinator() -> None:
    consortium = a_consortium(founder_id="acc-founder")

    assert (consortium.phase, consortium.phase_since) == (Phase.SETUP, FOUNDED_ON)
    assert consortium.role_of("acc-founder") is MemberRole.COORDINATOR
    assert consortium.partner_of("acc-founder") is None


def test_founding_without_a_name_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        a_consortium(name="   ")

    assert refused.value.code == "consortium.name_required"


# -- profile and phases -------------------------------------------------------------


def test_revising_the_profile_records_the_trimmed_profile(founded: Consortium) -> None:
    new_call = a_call(name="Appel régional", closing_dates=())

    founded.revise_profile(
        name=" Nouveau nom ",
        acronym=" NN ",
        summary=" Résumé ",
        territory=" Ailleurs ",
        call=new_call,
    )

    assert emitted(founded) == [
        (
            Consortium.ProfileRevised,
            {
                "name": "Nouveau nom",
                "acronym": "NN",
                "summary": "Résumé",
                "territory": "Ailleurs",
                "call": new_call,
            },
        )
    ]


def test_revising_the_profile_without_a_name_is_refused(founded: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        founded.revise_profile(
            name="", acronym="", summary="", territory="", call=a_call()
        )

    assert refused.value.code == "consortium.name_required"
    assert emitted(founded) == []


def test_submitting_the_application_with_one_lead_moves_the_phase(
    consortium: Consortium,
) -> None:
    consortium.change_phase(Phase.APPLICATION_SUBMITTED, SUBMITTED_ON)

    assert emitted(consortium) == [
        (
            Consortium.PhaseChanged,
            {"phase": Phase.APPLICATION_SUBMITTED, "on": SUBMITTED_ON},
        )
    ]


def test_leaving_setup_without_a_lead_partner_is_refused(founded: Consortium) -> None:
    admit(founded, partner_id=LAB)
    founded.collect_events()

    with pytest.raises(RuleViolated) as refused:
        founded.change_phase(Phase.APPLICATION_SUBMITTED, SUBMITTED_ON)

    assert refused.value.code == "phase.needs_one_lead_partner"
    assert emitted(founded) == []


def test_leaving_setup_with_a_withdrawn_lead_is_refused(consortium: Consortium) -> None:
    consortium.withdraw_partner(LEAD, JOINED_ON, "Fusion de communes")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.change_phase(Phase.APPLICATION_SUBMITTED, SUBMITTED_ON)

    assert refused.value.code == "phase.needs_one_lead_partner"


def test_an_illegal_phase_move_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.change_phase(Phase.IMPLEMENTATION, SUBMITTED_ON)

    assert refused.value.code == "phase.illegal_transition"
    assert refused.value.params == {"current": "setup", "requested": "implementation"}
    assert emitted(consortium) == []


def test_a_phase_dated_before_the_current_one_is_refused(
    submitted: Consortium,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        submitted.change_phase(Phase.SELECTED, SUBMITTED_ON - timedelta(days=1))

    assert refused.value.code == "phase.date_before_previous"
    assert refused.value.params == {"previous": SUBMITTED_ON}
    assert emitted(submitted) == []


def test_a_phase_may_change_on_the_day_the_previous_one_began(
    submitted: Consortium,
) -> None:
    submitted.change_phase(Phase.REJECTED, SUBMITTED_ON)

    assert emitted(submitted) == [
        (Consortium.PhaseChanged, {"phase": Phase.REJECTED, "on": SUBMITTED_ON})
    ]


def test_a_rejected_application_may_be_submitted_to_a_later_wave(
    submitted: Consortium,
) -> None:
    submitted.change_phase(Phase.REJECTED, date(2026, 6, 1))
    submitted.collect_events()

    submitted.change_phase(Phase.APPLICATION_SUBMITTED, date(2026, 10, 1))

    assert emitted(submitted) == [
        (
            Consortium.PhaseChanged,
            {"phase": Phase.APPLICATION_SUBMITTED, "on": date(2026, 10, 1)},
        )
    ]
    assert submitted.phase is Phase.APPLICATION_SUBMITTED


# -- admitting partners -------------------------------------------------------------


def test_admitting_a_partner_records_its_identity_role_and_paper(
    founded: Consortium,
) -> None:
    partner_id = founded.admit_partner(
        an_authority(name="  Communauté du Val  "),
        role=PartnerRole.LEAD,
        axis="  Pilotage ",
        paper=Paper.LETTER_OF_COMMITMENT,
        paper_signed_on=date(2026, 1, 10),
        joined_on=JOINED_ON,
        partner_id=LEAD,
    )

    assert partner_id == LEAD
    assert emitted(founded) == [
        (
            Consortium.PartnerJoined,
            {
                "partner_id": LEAD,
                "name": "Communauté du Val",
                "kind": PartnerKind.LOCAL_AUTHORITY,
                "authority_level": AuthorityLevel.EPCI,
                "siret": SIRET_A,
                "rna": "",
                "role": PartnerRole.LEAD,
                "axis": "Pilotage",
                "paper": Paper.LETTER_OF_COMMITMENT,
                "paper_signed_on": date(2026, 1, 10),
                "joined_on": JOINED_ON,
            },
        )
    ]


def test_a_partner_admitted_without_an_id_gets_a_fresh_one(
    founded: Consortium,
) -> None:
    first = admit(founded, a_partner_identity("Un"))
    second = admit(founded, a_partner_identity("Deux"))

    assert first != second
    assert [fields["partner_id"] for _, fields in emitted(founded)] == [first, second]


def test_a_partner_may_be_admitted_past_setup(submitted: Consortium) -> None:
    admit(
        submitted,
        a_partner_identity("PME fictive", PartnerKind.COMPANY),
        partner_id="p-sme",
    )

    assert [t for t, _ in emitted(submitted)] == [Consortium.PartnerJoined]


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        pytest.param(a_partner_identity(" "), "partner.name_required", id="no-name"),
        pytest.param(
            a_partner_identity(siret="12345678200011"),
            "partner.siret_invalid",
            id="bad-siret",
        ),
        pytest.param(
            a_partner_identity(rna="W12345"), "partner.rna_invalid", id="bad-rna"
        ),
        pytest.param(
            a_partner_identity("Commune", PartnerKind.LOCAL_AUTHORITY),
            "partner.authority_level_mismatch",
            id="authority-without-level",
        ),
        pytest.param(
            a_partner_identity(authority_level=AuthorityLevel.COMMUNE),
            "partner.authority_level_mismatch",
            id="level-without-authority",
        ),
    ],
)
def test_admitting_a_badly_identified_partner_is_refused(
    founded: Consortium, identity: object, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        admit(founded, identity)  # type: ignore[arg-type]

    assert refused.value.code == code
    assert emitted(founded) == []


@pytest.mark.parametrize(
    ("paper", "signed_on", "code"),
    [
        (Paper.NONE, date(2026, 1, 10), "partner.paper_date_without_paper"),
        (Paper.CONVENTION_SIGNED, None, "partner.paper_date_required"),
        (Paper.LETTER_OF_COMMITMENT, None, "partner.paper_date_required"),
    ],
)
def test_admitting_a_partner_with_an_inconsistent_paper_is_refused(
    founded: Consortium, paper: Paper, signed_on: date | None, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        founded.admit_partner(
            a_partner_identity(),
            role=PartnerRole.PARTNER,
            axis="",
            paper=paper,
            paper_signed_on=signed_on,
            joined_on=JOINED_ON,
        )

    assert refused.value.code == code
    assert emitted(founded) == []


def test_admitting_a_second_lead_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        admit(
            consortium, an_authority("Région fictive", SIRET_C), role=PartnerRole.LEAD
        )

    assert refused.value.code == "partner.lead_already_exists"
    assert emitted(consortium) == []


def test_admitting_a_partner_under_a_taken_id_is_refused(
    consortium: Consortium,
) -> None:
    with pytest.raises(RuleViolated) as refused:
        admit(consortium, a_partner_identity("Autre"), partner_id=LAB)

    assert refused.value.code == "partner.duplicate_id"
    assert emitted(consortium) == []


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        pytest.param(
            a_partner_identity("Homonyme", PartnerKind.ACADEMIC, siret=SIRET_B),
            "partner.siret_taken",
            id="siret",
        ),
        pytest.param(
            a_partner_identity("Homonyme", rna=RNA_A), "partner.rna_taken", id="rna"
        ),
    ],
)
def test_admitting_an_organisation_already_in_the_consortium_is_refused(
    consortium: Consortium, identity: object, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        admit(consortium, identity)  # type: ignore[arg-type]

    assert refused.value.code == code
    assert refused.value.params["name"] in {"Laboratoire fictif", "Association Clic"}
    assert emitted(consortium) == []


def test_an_organisation_that_withdrew_may_be_admitted_again(
    consortium: Consortium,
) -> None:
    consortium.withdraw_partner(LAB, JOINED_ON, "Fin de contrat")
    consortium.collect_events()

    partner_id = admit(
        consortium,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
    )

    assert partner_id != LAB
    assert [t for t, _ in emitted(consortium)] == [Consortium.PartnerJoined]


def test_distinct_identifiers_do_not_collide(consortium: Consortium) -> None:
    admit(consortium, a_partner_identity("Autre asso", rna=RNA_B, siret=SIRET_C))

    assert [t for t, _ in emitted(consortium)] == [Consortium.PartnerJoined]


# -- partner roles ------------------------------------------------------------------


def test_changing_a_partners_role_records_it(consortium: Consortium) -> None:
    consortium.change_partner_role(ASSO, PartnerRole.PARTNER)

    assert emitted(consortium) == [
        (
            Consortium.PartnerRoleChanged,
            {"partner_id": ASSO, "role": PartnerRole.PARTNER},
        )
    ]


def test_making_a_partner_lead_hands_the_lead_over(submitted: Consortium) -> None:
    submitted.change_partner_role(LAB, PartnerRole.LEAD)

    assert emitted(submitted) == [
        (
            Consortium.PartnerRoleChanged,
            {"partner_id": LEAD, "role": PartnerRole.PARTNER},
        ),
        (Consortium.PartnerRoleChanged, {"partner_id": LAB, "role": PartnerRole.LEAD}),
    ]


def test_making_the_first_lead_in_setup_records_one_change(
    founded: Consortium,
) -> None:
    admit(founded, partner_id=LAB)
    founded.collect_events()

    founded.change_partner_role(LAB, PartnerRole.LEAD)

    assert emitted(founded) == [
        (Consortium.PartnerRoleChanged, {"partner_id": LAB, "role": PartnerRole.LEAD})
    ]


def test_giving_a_partner_the_role_it_has_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.change_partner_role(LAB, PartnerRole.PARTNER)

    assert refused.value.code == "partner.role_unchanged"
    assert emitted(consortium) == []


def test_the_lead_may_step_down_during_setup(consortium: Consortium) -> None:
    consortium.change_partner_role(LEAD, PartnerRole.PARTNER)

    assert emitted(consortium) == [
        (
            Consortium.PartnerRoleChanged,
            {"partner_id": LEAD, "role": PartnerRole.PARTNER},
        )
    ]


def test_the_lead_may_not_step_down_past_setup(submitted: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        submitted.change_partner_role(LEAD, PartnerRole.ASSOCIATED)

    assert refused.value.code == "partner.lead_must_be_handed_over"
    assert emitted(submitted) == []


def test_changing_the_role_of_an_unknown_partner_is_not_found(
    consortium: Consortium,
) -> None:
    with pytest.raises(NotFound) as refused:
        consortium.change_partner_role("p-nobody", PartnerRole.LEAD)

    assert (refused.value.kind, refused.value.identifier) == ("partner", "p-nobody")


def test_changing_the_role_of_a_withdrawn_partner_is_refused(
    consortium: Consortium,
) -> None:
    consortium.withdraw_partner(LAB, JOINED_ON, "Fin de contrat")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.change_partner_role(LAB, PartnerRole.LEAD)

    assert refused.value.code == "partner.withdrawn"
    assert refused.value.params == {"name": "Laboratoire fictif"}
    assert emitted(consortium) == []


# -- axis and paper -----------------------------------------------------------------


def test_changing_a_partners_axis_records_the_trimmed_axis(
    consortium: Consortium,
) -> None:
    consortium.change_partner_axis(LAB, "  Évaluation  ")

    assert emitted(consortium) == [
        (Consortium.PartnerAxisChanged, {"partner_id": LAB, "axis": "Évaluation"})
    ]


def test_setting_the_same_axis_again_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.change_partner_axis(LAB, " Médiation ")

    assert refused.value.code == "partner.axis_unchanged"
    assert emitted(consortium) == []


def test_changing_the_axis_of_an_unknown_partner_is_not_found(
    consortium: Consortium,
) -> None:
    with pytest.raises(NotFound):
        consortium.change_partner_axis("p-nobody", "Évaluation")


def test_recording_a_partners_paper_records_it(consortium: Consortium) -> None:
    consortium.record_paper(LAB, Paper.CONVENTION_SIGNED, date(2026, 2, 1))

    assert emitted(consortium) == [
        (
            Consortium.PartnerPaperRecorded,
            {
                "partner_id": LAB,
                "paper": Paper.CONVENTION_SIGNED,
                "signed_on": date(2026, 2, 1),
            },
        )
    ]


def test_recording_the_same_paper_again_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.record_paper(LAB, Paper.NONE, None)

    assert refused.value.code == "partner.paper_unchanged"
    assert emitted(consortium) == []


def test_recording_a_paper_without_its_date_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.record_paper(LAB, Paper.LETTER_OF_COMMITMENT, None)

    assert refused.value.code == "partner.paper_date_required"
    assert emitted(consortium) == []


def test_recording_the_paper_of_an_unknown_partner_is_not_found(
    consortium: Consortium,
) -> None:
    with pytest.raises(NotFound):
        consortium.record_paper("p-nobody", Paper.NONE, None)


# -- withdrawal ---------------------------------------------------------------------


def test_withdrawing_a_partner_records_the_date_and_reason(
    consortium: Consortium,
) -> None:
    consortium.withdraw_partner(LAB, date(2026, 2, 1), "  Fin de contrat ")

    assert emitted(consortium) == [
        (
            Consortium.PartnerWithdrew,
            {"partner_id": LAB, "on": date(2026, 2, 1), "reason": "Fin de contrat"},
        )
    ]


def test_a_withdrawal_without_a_reason_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.withdraw_partner(LAB, date(2026, 2, 1), "  ")

    assert refused.value.code == "partner.withdrawal_reason_required"
    assert emitted(consortium) == []


def test_a_withdrawal_before_joining_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.withdraw_partner(LAB, JOINED_ON - timedelta(days=1), "Erreur")

    assert refused.value.code == "partner.withdrawal_before_joining"
    assert refused.value.params == {"joined_on": JOINED_ON}
    assert emitted(consortium) == []


def test_the_lead_may_not_withdraw_past_setup(submitted: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        submitted.withdraw_partner(LEAD, date(2026, 5, 1), "Changement de majorité")

    assert refused.value.code == "partner.lead_must_be_handed_over"
    assert emitted(submitted) == []


def test_the_lead_may_withdraw_during_setup(consortium: Consortium) -> None:
    consortium.withdraw_partner(LEAD, JOINED_ON, "Changement de majorité")

    assert [t for t, _ in emitted(consortium)] == [Consortium.PartnerWithdrew]


def test_withdrawing_a_partner_twice_is_refused(consortium: Consortium) -> None:
    consortium.withdraw_partner(LAB, JOINED_ON, "Fin de contrat")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.withdraw_partner(LAB, JOINED_ON, "Encore")

    assert refused.value.code == "partner.withdrawn"
    assert emitted(consortium) == []


def test_withdrawing_an_unknown_partner_is_not_found(consortium: Consortium) -> None:
    with pytest.raises(NotFound):
        consortium.withdraw_partner("p-nobody", JOINED_ON, "Erreur")


# -- invitations --------------------------------------------------------------------


def test_issuing_an_invitation_records_the_role_offered(
    consortium: Consortium,
) -> None:
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.MEMBER,
        partner_id=LAB,
        expires_at=EXPIRES_AT,
    )

    assert emitted(consortium) == [
        (
            Consortium.InvitationIssued,
            {
                "invitation_id": "inv-1",
                "role": MemberRole.MEMBER,
                "partner_id": LAB,
                "expires_at": EXPIRES_AT,
            },
        )
    ]


@pytest.mark.parametrize(
    ("role", "partner_id", "code"),
    [
        (MemberRole.MEMBER, None, "membership.partner_required"),
        (MemberRole.FINANCER, LAB, "membership.partner_only_for_members"),
        (MemberRole.COORDINATOR, LEAD, "membership.partner_only_for_members"),
    ],
)
def test_an_invitation_whose_partner_does_not_fit_the_role_is_refused(
    consortium: Consortium, role: MemberRole, partner_id: str | None, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.issue_invitation(
            invitation_id="inv-1",
            role=role,
            partner_id=partner_id,
            expires_at=EXPIRES_AT,
        )

    assert refused.value.code == code
    assert emitted(consortium) == []


def test_inviting_a_member_of_an_unknown_partner_is_not_found(
    consortium: Consortium,
) -> None:
    with pytest.raises(NotFound):
        consortium.issue_invitation(
            invitation_id="inv-1",
            role=MemberRole.MEMBER,
            partner_id="p-nobody",
            expires_at=EXPIRES_AT,
        )


def test_inviting_a_member_of_a_withdrawn_partner_is_refused_naming_the_partner(
    consortium: Consortium,
) -> None:
    consortium.withdraw_partner(LAB, JOINED_ON, "Fin de contrat")
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.issue_invitation(
            invitation_id="inv-1",
            role=MemberRole.MEMBER,
            partner_id=LAB,
            expires_at=EXPIRES_AT,
        )

    assert (refused.value.code, refused.value.field) == (
        "partner.withdrawn",
        "partner_id",
    )


def test_reusing_an_invitation_id_is_refused(consortium: Consortium) -> None:
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.FINANCER,
        partner_id=None,
        expires_at=EXPIRES_AT,
    )
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.issue_invitation(
            invitation_id="inv-1",
            role=MemberRole.PILOT_TEAM,
            partner_id=None,
            expires_at=EXPIRES_AT,
        )

    assert refused.value.code == "invitation.duplicate_id"
    assert emitted(consortium) == []


@pytest.fixture
def invited(consortium: Consortium) -> Consortium:
    """With a pending invitation ``inv-1`` for a member of the lab."""
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.MEMBER,
        partner_id=LAB,
        expires_at=EXPIRES_AT,
    )
    consortium.collect_events()
    return consortium


def test_cancelling_an_invitation_records_it(invited: Consortium) -> None:
    invited.cancel_invitation("inv-1")

    assert emitted(invited) == [
        (Consortium.InvitationCancelled, {"invitation_id": "inv-1"})
    ]


def test_cancelling_an_unknown_invitation_is_not_found(invited: Consortium) -> None:
    with pytest.raises(NotFound) as refused:
        invited.cancel_invitation("inv-unknown")

    assert (refused.value.kind, refused.value.identifier) == (
        "invitation",
        "inv-unknown",
    )


def test_accepting_an_invitation_grants_the_role_it_offered(
    invited: Consortium,
) -> None:
    invited.accept_invitation("inv-1", "acc-researcher", T0 + timedelta(days=1))

    assert emitted(invited) == [
        (
            Consortium.MembershipGranted,
            {
                "account_id": "acc-researcher",
                "role": MemberRole.MEMBER,
                "partner_id": LAB,
                "invitation_id": "inv-1",
            },
        )
    ]
    assert invited.role_of("acc-researcher") is MemberRole.MEMBER
    assert invited.partner_of("acc-researcher") == LAB


def test_an_invitation_can_be_used_only_once(invited: Consortium) -> None:
    invited.accept_invitation("inv-1", "acc-researcher", T0)
    invited.collect_events()

    with pytest.raises(NotFound):
        invited.accept_invitation("inv-1", "acc-someone-else", T0)

    assert emitted(invited) == []


def test_a_cancelled_invitation_cannot_be_accepted(invited: Consortium) -> None:
    invited.cancel_invitation("inv-1")
    invited.collect_events()

    with pytest.raises(NotFound):
        invited.accept_invitation("inv-1", "acc-researcher", T0)

    assert emitted(invited) == []


def test_an_accepted_invitation_cannot_be_cancelled(invited: Consortium) -> None:
    invited.accept_invitation("inv-1", "acc-researcher", T0)
    invited.collect_events()

    with pytest.raises(NotFound):
        invited.cancel_invitation("inv-1")


def test_an_invitation_expires_at_its_expiry_time(invited: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        invited.accept_invitation("inv-1", "acc-researcher", EXPIRES_AT)

    assert refused.value.code == "invitation.expired"
    assert emitted(invited) == []


def test_accepting_after_the_partner_withdrew_is_refused(invited: Consortium) -> None:
    invited.withdraw_partner(LAB, JOINED_ON, "Fin de contrat")
    invited.collect_events()

    with pytest.raises(RuleViolated) as refused:
        invited.accept_invitation("inv-1", "acc-researcher", T0)

    assert refused.value.code == "partner.withdrawn"
    assert emitted(invited) == []


def test_the_last_coordinator_cannot_accept_a_lesser_role(
    consortium: Consortium,
) -> None:
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.FINANCER,
        partner_id=None,
        expires_at=EXPIRES_AT,
    )
    consortium.collect_events()

    with pytest.raises(RuleViolated) as refused:
        consortium.accept_invitation("inv-1", COORDINATOR_ID, T0)

    assert refused.value.code == "membership.last_coordinator"
    assert consortium.role_of(COORDINATOR_ID) is MemberRole.COORDINATOR
    assert emitted(consortium) == []


def test_a_coordinator_may_accept_a_lesser_role_when_another_remains(
    consortium: Consortium,
) -> None:
    joined(consortium, "acc-second", MemberRole.COORDINATOR)
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.PILOT_TEAM,
        partner_id=None,
        expires_at=EXPIRES_AT,
    )
    consortium.collect_events()

    consortium.accept_invitation("inv-1", COORDINATOR_ID, T0)

    assert consortium.role_of(COORDINATOR_ID) is MemberRole.PILOT_TEAM
    assert [t for t, _ in emitted(consortium)] == [Consortium.MembershipGranted]


# -- memberships --------------------------------------------------------------------


def joined(
    consortium: Consortium,
    account_id: str,
    role: MemberRole,
    partner_id: str | None = None,
) -> None:
    """``account_id`` accepts an invitation to ``role`` (its events collected)."""
    invitation_id = f"inv-{account_id}"
    consortium.issue_invitation(
        invitation_id=invitation_id,
        role=role,
        partner_id=partner_id,
        expires_at=EXPIRES_AT,
    )
    consortium.accept_invitation(invitation_id, account_id, T0)
    consortium.collect_events()


def test_changing_a_role_records_it_as_granted(consortium: Consortium) -> None:
    joined(consortium, "acc-funder", MemberRole.PILOT_TEAM)

    consortium.change_member_role("acc-funder", MemberRole.FINANCER, None)

    assert emitted(consortium) == [
        (
            Consortium.MembershipGranted,
            {
                "account_id": "acc-funder",
                "role": MemberRole.FINANCER,
                "partner_id": None,
                "invitation_id": None,
            },
        )
    ]


@pytest.mark.parametrize(
    "account_id", ["acc-of-another-consortium", "not-an-account-id", ""]
)
def test_a_role_is_given_only_to_someone_who_holds_one_here(
    consortium: Consortium, account_id: str
) -> None:
    with pytest.raises(NotFound) as refused:
        consortium.change_member_role(account_id, MemberRole.COORDINATOR, None)

    assert (refused.value.kind, refused.value.identifier) == ("membership", account_id)
    assert consortium.role_of(account_id) is None
    assert emitted(consortium) == []


def test_a_refused_newcomer_does_not_count_as_a_coordinator(
    consortium: Consortium,
) -> None:
    with pytest.raises(NotFound):
        consortium.change_member_role("not-an-account-id", MemberRole.COORDINATOR, None)

    with pytest.raises(RuleViolated) as refused:
        consortium.revoke_membership(COORDINATOR_ID)

    assert refused.value.code == "membership.last_coordinator"
    assert emitted(consortium) == []


def test_a_revoked_person_gets_no_role_without_a_new_invitation(
    consortium: Consortium,
) -> None:
    joined(consortium, "acc-funder", MemberRole.FINANCER)
    consortium.revoke_membership("acc-funder")
    consortium.collect_events()

    with pytest.raises(NotFound):
        consortium.change_member_role("acc-funder", MemberRole.PILOT_TEAM, None)

    assert emitted(consortium) == []


def test_changing_a_role_replaces_the_old_one(consortium: Consortium) -> None:
    joined(consortium, "acc-person", MemberRole.MEMBER, LAB)

    consortium.change_member_role("acc-person", MemberRole.MEMBER, ASSO)

    assert [t for t, _ in emitted(consortium)] == [Consortium.MembershipGranted]
    assert consortium.partner_of("acc-person") == ASSO


def test_giving_the_role_a_person_already_holds_is_refused(
    consortium: Consortium,
) -> None:
    joined(consortium, "acc-person", MemberRole.MEMBER, LAB)

    with pytest.raises(RuleViolated) as refused:
        consortium.change_member_role("acc-person", MemberRole.MEMBER, LAB)

    assert refused.value.code == "membership.unchanged"
    assert emitted(consortium) == []


@pytest.mark.parametrize(
    ("role", "partner_id", "code"),
    [
        (MemberRole.MEMBER, None, "membership.partner_required"),
        (MemberRole.PILOT_TEAM, LAB, "membership.partner_only_for_members"),
    ],
)
def test_giving_a_role_whose_partner_does_not_fit_is_refused(
    consortium: Consortium, role: MemberRole, partner_id: str | None, code: str
) -> None:
    joined(consortium, "acc-person", MemberRole.FINANCER)

    with pytest.raises(RuleViolated) as refused:
        consortium.change_member_role("acc-person", role, partner_id)

    assert refused.value.code == code
    assert emitted(consortium) == []


def test_demoting_the_last_coordinator_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.change_member_role(COORDINATOR_ID, MemberRole.PILOT_TEAM, None)

    assert refused.value.code == "membership.last_coordinator"
    assert emitted(consortium) == []


def test_a_coordinator_may_be_demoted_when_another_remains(
    consortium: Consortium,
) -> None:
    joined(consortium, "acc-second", MemberRole.COORDINATOR)

    consortium.change_member_role(COORDINATOR_ID, MemberRole.PILOT_TEAM, None)

    assert consortium.role_of(COORDINATOR_ID) is MemberRole.PILOT_TEAM
    assert [t for t, _ in emitted(consortium)] == [Consortium.MembershipGranted]


def test_revoking_a_membership_records_it(consortium: Consortium) -> None:
    joined(consortium, "acc-funder", MemberRole.FINANCER)

    consortium.revoke_membership("acc-funder")

    assert emitted(consortium) == [
        (Consortium.MembershipRevoked, {"account_id": "acc-funder"})
    ]
    assert consortium.role_of("acc-funder") is None


def test_revoking_someone_without_a_role_is_not_found(consortium: Consortium) -> None:
    with pytest.raises(NotFound) as refused:
        consortium.revoke_membership("acc-stranger")

    assert (refused.value.kind, refused.value.identifier) == (
        "membership",
        "acc-stranger",
    )


def test_revoking_the_last_coordinator_is_refused(consortium: Consortium) -> None:
    with pytest.raises(RuleViolated) as refused:
        consortium.revoke_membership(COORDINATOR_ID)

    assert refused.value.code == "membership.last_coordinator"
    assert emitted(consortium) == []


def test_a_coordinator_may_leave_when_another_remains(consortium: Consortium) -> None:
    joined(consortium, "acc-second", MemberRole.COORDINATOR)

    consortium.revoke_membership(COORDINATOR_ID)

    assert emitted(consortium) == [
        (Consortium.MembershipRevoked, {"account_id": COORDINATOR_ID})
    ]


def test_a_newcomer_granted_a_role_in_an_old_log_still_replays() -> None:
    # Before the rule, a role could be given to any id: such logs still load.
    consortium = a_consortium()
    consortium._grant("acc-from-the-old-days", MemberRole.FINANCER, None, None)
    events = consortium.collect_events()

    replayed = reduce(lambda state, e: e.mutate(state), events, None)

    assert isinstance(replayed, Consortium)
    assert replayed.role_of("acc-from-the-old-days") is MemberRole.FINANCER


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_consortium() -> None:
    consortium = a_consortium()
    admit(consortium, an_authority(), role=PartnerRole.LEAD, partner_id=LEAD)
    admit(consortium, partner_id=LAB)
    consortium.change_phase(Phase.APPLICATION_SUBMITTED, SUBMITTED_ON)
    consortium.change_partner_role(LAB, PartnerRole.LEAD)
    consortium.issue_invitation(
        invitation_id="inv-1",
        role=MemberRole.MEMBER,
        partner_id=LEAD,
        expires_at=EXPIRES_AT,
    )
    consortium.accept_invitation("inv-1", "acc-member", T0)
    consortium.withdraw_partner(LEAD, date(2026, 5, 1), "Fusion")
    history = consortium.collect_events()

    replayed = reduce(lambda state, past: past.mutate(state), history, None)

    assert replayed == consortium
