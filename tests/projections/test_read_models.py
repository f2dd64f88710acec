"""The read models answer their queries from the log: write, catch up, query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Connection

from governance.actor import Actor
from governance.application import Governance
from governance.values import (
    AuthorityLevel,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
)
from projections.consortia import (
    ConsortiumRow,
    PhaseStep,
    consortia_of,
    consortium_details,
    phase_of,
)
from projections.history import history_of
from projections.members import invitation_by_id, invitations_of, members_of, role_of
from projections.partners import PartnerFilter, partner, partner_mix, partners_of
from projections.runtime import ReadSide
from tests.support.builders import (
    FOUNDED_ON,
    JOINED_ON,
    RNA_A,
    SIRET_A,
    T0,
    LivedConsortium,
    a_call,
    a_lived_consortium,
    founded_consortium,
)
from tests.support.fakes import FixedClock

LEAD_NAME = "Communauté de communes du Val fictif"


@pytest.fixture
def lived(
    app: Governance, coordinator: Actor, clock: FixedClock, read_side: ReadSide
) -> LivedConsortium:
    """The lived consortium, with the read side caught up."""
    lived = a_lived_consortium(app, coordinator, clock)
    read_side.catch_up()
    return lived


@pytest.fixture
def connection(read_side: ReadSide) -> Iterator[Connection]:
    with read_side.engine.connect() as connection:
        yield connection


def cid(lived: LivedConsortium) -> str:
    return str(lived.consortium_id)


# -- consortia ------------------------------------------------------------------------


def test_my_consortia_shows_phase_lead_and_active_partner_count(
    lived: LivedConsortium, connection: Connection, coordinator: Actor
) -> None:
    rows = consortia_of(connection, coordinator.account_id)

    assert rows == [
        ConsortiumRow(
            consortium_id=cid(lived),
            name="Inclusion numérique du Val",
            acronym="INV",
            phase=Phase.APPLICATION_SUBMITTED,
            lead_partner=LEAD_NAME,
            partner_count=3,
        )
    ]


def test_my_consortia_lists_only_mine_by_name_whatever_the_case(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    founded_consortium(app, coordinator, name="zéro déchet")
    founded_consortium(app, coordinator, name="Atelier vélo")
    founded_consortium(app, Actor("acc-other"), name="Autre monde")
    founded_consortium(app, coordinator, name="Mobilités")

    read_side.catch_up()

    with read_side.engine.connect() as connection:
        names = [r.name for r in consortia_of(connection, coordinator.account_id)]
        strangers = consortia_of(connection, "acc-stranger")
    assert names == ["Atelier vélo", "Mobilités", "zéro déchet"]
    assert strangers == []


def test_a_consortium_without_partners_has_no_lead(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    founded_consortium(app, coordinator)

    read_side.catch_up()

    with read_side.engine.connect() as connection:
        [row] = consortia_of(connection, coordinator.account_id)
    assert (row.lead_partner, row.partner_count, row.phase) == (None, 0, Phase.SETUP)


def test_a_financer_sees_the_consortia_it_funds(
    lived: LivedConsortium, connection: Connection
) -> None:
    assert [r.consortium_id for r in consortia_of(connection, "acc-funder")] == [
        cid(lived)
    ]


def test_the_overview_shows_the_profile_the_call_and_the_phase_timeline(
    lived: LivedConsortium, connection: Connection, clock: FixedClock
) -> None:
    details = consortium_details(connection, cid(lived))

    assert details is not None
    assert (details.name, details.acronym, details.summary, details.territory) == (
        "Inclusion numérique du Val",
        "INV",
        "Version déposée",
        "Val fictif",
    )
    assert details.call == a_call()
    assert (details.phase, details.phase_since, details.founded_on) == (
        Phase.APPLICATION_SUBMITTED,
        date(2026, 4, 1),
        FOUNDED_ON,
    )
    assert details.timeline == (
        PhaseStep(Phase.SETUP, FOUNDED_ON),
        PhaseStep(Phase.APPLICATION_SUBMITTED, date(2026, 4, 1)),
    )
    assert details.updated_at == T0


def test_the_overview_of_an_unknown_consortium_is_none(
    lived: LivedConsortium, connection: Connection
) -> None:
    assert (
        consortium_details(connection, "00000000-0000-0000-0000-000000000000") is None
    )


def test_the_phase_alone_is_the_overviews_and_none_for_an_unknown_consortium(
    lived: LivedConsortium, connection: Connection
) -> None:
    details = consortium_details(connection, cid(lived))

    assert details is not None
    assert phase_of(connection, cid(lived)) is details.phase
    assert details.phase is Phase.APPLICATION_SUBMITTED
    assert phase_of(connection, "00000000-0000-0000-0000-000000000000") is None


def test_a_call_without_dates_or_link_reads_back_the_same(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    bare_call = a_call(reference="", opens_on=None, closing_dates=(), url="")
    consortium_id = founded_consortium(app, coordinator, call=bare_call)

    read_side.catch_up()

    with read_side.engine.connect() as connection:
        details = consortium_details(connection, str(consortium_id))
    assert details is not None
    assert details.call == bare_call


# -- partners -------------------------------------------------------------------------


def test_partners_list_the_lead_first_then_by_role_and_name_withdrawn_last(
    lived: LivedConsortium, connection: Connection
) -> None:
    rows = partners_of(connection, cid(lived))

    assert [(p.name, p.role, p.active) for p in rows] == [
        (LEAD_NAME, PartnerRole.LEAD, True),
        ("Laboratoire fictif", PartnerRole.PARTNER, True),
        ("Association Clic", PartnerRole.ASSOCIATED, True),
        ("PME Octet", PartnerRole.PARTNER, False),
    ]


def test_a_partner_row_carries_its_identity_paper_and_changes(
    lived: LivedConsortium, connection: Connection
) -> None:
    lead = partner(connection, cid(lived), lived.lead_id)
    association = partner(connection, cid(lived), lived.association_id)
    lab = partner(connection, cid(lived), lived.lab_id)
    company = partner(connection, cid(lived), lived.company_id)

    assert lead is not None
    assert (lead.kind, lead.authority_level, lead.siret, lead.joined_on) == (
        PartnerKind.LOCAL_AUTHORITY,
        AuthorityLevel.EPCI,
        SIRET_A,
        JOINED_ON,
    )
    assert association is not None
    assert (association.rna, association.role, association.axis) == (
        RNA_A,
        PartnerRole.ASSOCIATED,
        "Médiation numérique",
    )
    assert lab is not None
    assert (lab.paper, lab.paper_signed_on) == (
        Paper.LETTER_OF_COMMITMENT,
        date(2026, 1, 20),
    )
    assert company is not None
    assert (company.withdrawn_on, company.withdrawal_reason) == (
        date(2026, 5, 1),
        "Cessation d'activité",
    )


def test_a_partner_of_another_consortium_is_not_found(
    lived: LivedConsortium, connection: Connection
) -> None:
    assert partner(connection, "another-consortium", lived.lead_id) is None


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (PartnerFilter(kind=PartnerKind.ACADEMIC), ["Laboratoire fictif"]),
        (PartnerFilter(role=PartnerRole.PARTNER), ["Laboratoire fictif", "PME Octet"]),
        (
            PartnerFilter(include_withdrawn=False),
            [LEAD_NAME, "Laboratoire fictif", "Association Clic"],
        ),
        (PartnerFilter(only_withdrawn=True), ["PME Octet"]),
        (PartnerFilter(text="  LABO "), ["Laboratoire fictif"]),
        (PartnerFilter(text="médiation"), ["Association Clic"]),
        (
            PartnerFilter(role=PartnerRole.PARTNER, include_withdrawn=False),
            ["Laboratoire fictif"],
        ),
        (PartnerFilter(kind=PartnerKind.FUNDER), []),
    ],
    ids=[
        "kind",
        "role",
        "active-only",
        "withdrawn-only",
        "text-in-name",
        "text-in-axis",
        "role-and-active",
        "nothing-matches",
    ],
)
def test_the_partners_table_can_be_filtered(
    lived: LivedConsortium,
    connection: Connection,
    where: PartnerFilter,
    expected: list[str],
) -> None:
    rows = partners_of(connection, cid(lived), where)

    assert [p.name for p in rows] == expected


def test_the_partner_mix_counts_active_partners_by_kind_in_typology_order(
    lived: LivedConsortium, connection: Connection
) -> None:
    rows = partners_of(connection, cid(lived))

    assert partner_mix(rows) == [
        (PartnerKind.LOCAL_AUTHORITY, 1),
        (PartnerKind.SOCIAL_ECONOMY, 1),
        (PartnerKind.ACADEMIC, 1),
    ]


# -- people ---------------------------------------------------------------------------


def test_role_of_tells_each_persons_role_and_partner(
    lived: LivedConsortium, connection: Connection, coordinator: Actor
) -> None:
    researcher = role_of(connection, cid(lived), "acc-researcher")
    own = role_of(connection, cid(lived), coordinator.account_id)

    assert researcher is not None
    assert (researcher.role, researcher.partner_id) == (MemberRole.MEMBER, lived.lab_id)
    assert own is not None
    assert (own.role, own.partner_id, own.since) == (MemberRole.COORDINATOR, None, T0)


@pytest.mark.parametrize("account_id", ["acc-stranger", "acc-intern"])
def test_role_of_someone_without_a_role_is_none(
    lived: LivedConsortium, connection: Connection, account_id: str
) -> None:
    assert role_of(connection, cid(lived), account_id) is None


def test_members_lists_everyone_holding_a_role(
    lived: LivedConsortium, connection: Connection, coordinator: Actor
) -> None:
    rows = members_of(connection, cid(lived))

    assert {(m.account_id, m.role, m.partner_id) for m in rows} == {
        (coordinator.account_id, MemberRole.COORDINATOR, None),
        ("acc-researcher", MemberRole.MEMBER, lived.lab_id),
        ("acc-funder", MemberRole.FINANCER, None),
    }
    assert all(m.consortium_id == cid(lived) for m in rows)


def test_a_new_role_replaces_the_old_one_in_the_members_list(
    app: Governance, coordinator: Actor, lived: LivedConsortium, read_side: ReadSide
) -> None:
    position = app.change_member_role(
        coordinator, lived.consortium_id, "acc-funder", MemberRole.PILOT_TEAM, None
    )

    assert read_side.wait_for(position)

    with read_side.engine.connect() as connection:
        roles = [
            m.role
            for m in members_of(connection, cid(lived))
            if m.account_id == "acc-funder"
        ]
    assert roles == [MemberRole.PILOT_TEAM]


def test_invitations_are_listed_newest_first_with_what_became_of_them(
    lived: LivedConsortium, connection: Connection, coordinator: Actor
) -> None:
    shown = {
        lived.pending_invitation,
        lived.cancelled_invitation,
        lived.accepted_invitation,
    }  # the funder and the intern accepted invitations of their own, at one moment
    rows = [
        i for i in invitations_of(connection, cid(lived)) if i.invitation_id in shown
    ]

    assert [(i.invitation_id, i.status, i.account_id) for i in rows] == [
        (lived.pending_invitation, "pending", None),
        (lived.cancelled_invitation, "cancelled", None),
        (lived.accepted_invitation, "accepted", "acc-researcher"),
    ]
    assert [(i.role, i.partner_id) for i in rows] == [
        (MemberRole.PILOT_TEAM, None),
        (MemberRole.FINANCER, None),
        (MemberRole.MEMBER, lived.lab_id),
    ]
    assert {i.issued_by for i in rows} == {coordinator.account_id}
    assert [i.issued_at for i in rows] == [
        T0 + timedelta(hours=3),
        T0 + timedelta(hours=2),
        T0 + timedelta(hours=1),
    ]
    assert rows[0].expires_at == T0 + timedelta(hours=3, days=7)


def test_one_invitation_can_be_looked_up_by_id(
    lived: LivedConsortium, connection: Connection
) -> None:
    found = invitation_by_id(connection, lived.accepted_invitation)

    assert found is not None
    assert (found.consortium_id, found.status) == (cid(lived), "accepted")
    assert invitation_by_id(connection, "inv-unknown") is None


# -- history --------------------------------------------------------------------------


def test_history_tells_every_event_newest_first_with_author_and_names(
    lived: LivedConsortium, connection: Connection, coordinator: Actor
) -> None:
    page = history_of(connection, cid(lived))

    assert [e.kind for e in reversed(page.entries)] == [
        "founded",
        "membership_granted",
        "profile_revised",
        "partner_joined",
        "partner_joined",
        "partner_joined",
        "partner_joined",
        "partner_role_changed",
        "partner_axis_changed",
        "partner_paper_recorded",
        "phase_changed",
        "partner_withdrew",
        "invitation_issued",
        "invitation_issued",
        "invitation_issued",
        "membership_granted",
        "invitation_cancelled",
        "invitation_issued",
        "membership_granted",
        "invitation_issued",
        "membership_granted",
        "membership_revoked",
    ]
    assert page.older_than is None
    accepted = [e for e in page.entries if e.subject_id == "acc-researcher"]
    assert [(e.actor_id, e.params) for e in accepted] == [
        ("acc-researcher", {"role": "member", "partner": "Laboratoire fictif"})
    ]
    assert {e.actor_id for e in page.entries} == {
        coordinator.account_id,
        "acc-researcher",
        "acc-funder",  # people join by accepting their invitation
        "acc-intern",
    }


def test_history_names_a_partner_as_it_was_when_it_joined(
    lived: LivedConsortium, connection: Connection
) -> None:
    page = history_of(connection, cid(lived), subject_id=lived.company_id)

    assert [(e.kind, e.params) for e in page.entries] == [
        (
            "partner_withdrew",
            {
                "partner": "PME Octet",
                "on": "2026-05-01",
                "reason": "Cessation d'activité",
            },
        ),
        (
            "partner_joined",
            {
                "partner": "PME Octet",
                "role": "partner",
                "kind": "company",
                "on": JOINED_ON.isoformat(),
            },
        ),
    ]


def test_history_pages_by_key_from_newest_to_oldest(
    lived: LivedConsortium, connection: Connection
) -> None:
    everything = history_of(connection, cid(lived)).entries

    pages = [history_of(connection, cid(lived), limit=6)]
    while pages[-1].older_than is not None:
        pages.append(
            history_of(connection, cid(lived), older_than=pages[-1].older_than, limit=6)
        )

    assert [len(p.entries) for p in pages] == [6, 6, 6, 4]
    assert [e for p in pages for e in p.entries] == list(everything)
    assert [p.older_than for p in pages[:-1]] == [
        p.entries[-1].position for p in pages[:-1]
    ]


def test_a_history_page_that_ends_exactly_has_no_older_page(
    lived: LivedConsortium, connection: Connection
) -> None:
    page = history_of(connection, cid(lived), limit=22)

    assert len(page.entries) == 22
    assert page.older_than is None


def test_history_stays_within_its_consortium(
    app: Governance, coordinator: Actor, lived: LivedConsortium, read_side: ReadSide
) -> None:
    other = founded_consortium(app, coordinator, name="Autre projet")

    read_side.catch_up()

    with read_side.engine.connect() as connection:
        other_kinds = [e.kind for e in history_of(connection, str(other)).entries]
        lived_size = len(history_of(connection, cid(lived)).entries)
    assert other_kinds == ["membership_granted", "founded"]
    assert lived_size == 22


def test_a_command_is_visible_once_the_read_side_waited_for_its_position(
    app: Governance, coordinator: Actor, lived: LivedConsortium, read_side: ReadSide
) -> None:
    position = app.change_phase(
        coordinator, lived.consortium_id, Phase.SELECTED, date(2026, 6, 15)
    )

    assert read_side.wait_for(position)

    with read_side.engine.connect() as connection:
        details = consortium_details(connection, cid(lived))
    assert details is not None
    assert details.timeline[-1] == PhaseStep(Phase.SELECTED, date(2026, 6, 15))
