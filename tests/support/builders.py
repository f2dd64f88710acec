"""Builders: valid domain values and consortia, with one knob per thing a test varies.

Every name, number and account here is fictional. Builders that create aggregates
directly must run inside ``acting_as``; the ones taking a ``Governance`` go through
its commands like any caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.clock import Clock
from governance.consortium import Consortium
from governance.indicator import Indicator
from governance.reporting import ReportingObligation
from governance.values import (
    MEETING,
    WRITTEN,
    AssetType,
    AuthorityLevel,
    CallForProjects,
    ContributionKind,
    Dissemination,
    Evidence,
    Funding,
    Lesson,
    MemberRole,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    Pledge,
    Replication,
    ReportKind,
    ReusableAsset,
)
from governance.voting import DEFAULT_OPTIONS, Majority, VotingRule
from tests.support.fakes import FixedClock
from web.ops.storage import postgres_env

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
FOUNDED_ON = date(2026, 1, 5)
JOINED_ON = date(2026, 1, 12)
PLEDGE_STARTS_ON = date(2026, 2, 1)
PLEDGE_ENDS_ON = date(2026, 12, 31)

MEETING_ON = date(2026, 3, 16)

FUNDER = "Banque publique fictive"
REPORT_PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
REPORT_DUE_ON = date(2026, 7, 31)

INDICATOR_TARGET_ON = date(2027, 12, 31)

COORDINATOR_ID = "acc-coordinator"

# Luhn-valid, fictional SIRET numbers, and well-formed RNA numbers.
SIRET_A = "12345678200010"
SIRET_B = "80000000100019"
SIRET_C = "80000000200017"
RNA_A = "W751234567"
RNA_B = "W691234567"


def store_env(
    store: str, directory: Path, filename: str = "events.db", url: str | None = None
) -> dict[str, str]:
    """The event store settings of one persistence variant."""
    if store == "postgres":
        if url is None:
            raise ValueError("the postgres variant needs a database URL")
        return {**postgres_env(url), "CREATE_TABLE": "y"}
    if store == "popo":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if store == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / filename),
        }
    raise ValueError(store)


def a_governance(
    store: str, directory: Path, clock: Clock, url: str | None = None
) -> Governance:
    """A Governance service on the given event store variant."""
    return Governance(env=store_env(store, directory, url=url), clock=clock)


def a_call(**overrides: Any) -> CallForProjects:
    """A valid call for projects with two waves."""
    call = CallForProjects(
        name="Territoires intelligents et durables",
        funder=FUNDER,
        reference="TID-2026",
        opens_on=date(2026, 1, 1),
        closing_dates=(date(2026, 4, 30), date(2026, 10, 31)),
        url="https://appels.example/tid-2026",
    )
    return replace(call, **overrides)


def a_partner_identity(
    name: str = "Tiers-lieu La Fabrique",
    kind: PartnerKind = PartnerKind.SOCIAL_ECONOMY,
    *,
    authority_level: AuthorityLevel | None = None,
    siret: str = "",
    rna: str = "",
) -> PartnerIdentity:
    """An organisation to admit; a third place by default."""
    return PartnerIdentity(
        name=name, kind=kind, authority_level=authority_level, siret=siret, rna=rna
    )


def an_authority(
    name: str = "Communauté de communes du Val fictif", siret: str = SIRET_A
) -> PartnerIdentity:
    """An inter-municipal authority, the usual lead partner."""
    return a_partner_identity(
        name,
        PartnerKind.LOCAL_AUTHORITY,
        authority_level=AuthorityLevel.EPCI,
        siret=siret,
    )


def a_consortium(founder_id: str = COORDINATOR_ID, **overrides: Any) -> Consortium:
    """A freshly founded consortium aggregate (call inside ``acting_as``)."""
    arguments: dict[str, Any] = {
        "name": "Inclusion numérique du Val",
        "acronym": "INV",
        "summary": "Des lieux et des médiateurs pour le numérique du quotidien.",
        "territory": "Val fictif",
        "call": a_call(),
        "founded_on": FOUNDED_ON,
        "founder_id": founder_id,
    }
    arguments.update(overrides)
    return Consortium.found(**arguments)


def a_pledge(**overrides: Any) -> Pledge:
    """A valid pledge: 15,000 euros of co-financing over 2026."""
    pledge = Pledge(
        kind=ContributionKind.FINANCIAL,
        amount=Decimal("15000.00"),
        starts_on=PLEDGE_STARTS_ON,
        ends_on=PLEDGE_ENDS_ON,
        covers="Coordination du projet",
        funding=Funding.CO_FINANCING,
    )
    return replace(pledge, **overrides)


def an_evidence(**overrides: Any) -> Evidence:
    """A PDF proving a contribution (the hash is of no real file)."""
    evidence = Evidence(
        sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        size=48213,
        media_type="application/pdf",
        filename="facture-2026-03.pdf",
    )
    return replace(evidence, **overrides)


def an_obligation(
    consortium_id: str = "c-1", series_id: str = "s-1", **overrides: Any
) -> ReportingObligation:
    """An activity report on the first half of 2026, due a month after it ends.

    Creates the aggregate directly: call inside ``acting_as``.
    """
    arguments: dict[str, Any] = {
        "funder": FUNDER,
        "title": "Rapport d'activité du premier semestre",
        "kind": ReportKind.ACTIVITY_REPORT,
        "responsible_id": COORDINATOR_ID,
        "due_on": REPORT_DUE_ON,
        "period": REPORT_PERIOD,
    }
    arguments.update(overrides)
    return ReportingObligation.schedule(consortium_id, series_id, **arguments)


def an_indicator(consortium_id: str = "c-1", **overrides: Any) -> Indicator:
    """People helped with digital tasks: from 120 a year to 500 by the end of 2027.

    Creates the aggregate directly: call inside ``acting_as``.
    """
    arguments: dict[str, Any] = {
        "name": "Personnes accompagnées",
        "unit": "personnes",
        "baseline": Decimal("120"),
        "target": Decimal("500"),
        "target_on": INDICATOR_TARGET_ON,
        "measured_by": "Laboratoire fictif",
    }
    arguments.update(overrides)
    return Indicator.define(consortium_id, **arguments)


def defined_indicator(
    app: Governance, actor: Actor, consortium_id: UUID, **overrides: Any
) -> UUID:
    """Define the people-helped indicator through the service; returns its id."""
    arguments: dict[str, Any] = {
        "name": "Personnes accompagnées",
        "unit": "personnes",
        "baseline": Decimal("120"),
        "target": Decimal("500"),
        "target_on": INDICATOR_TARGET_ON,
        "measured_by": "Laboratoire fictif",
    }
    arguments.update(overrides)
    return UUID(app.define_indicator(actor, consortium_id, **arguments).id)


def a_spreadsheet(**overrides: Any) -> Evidence:
    """A CSV of indicators, another file than ``an_evidence`` (no real file either)."""
    evidence = Evidence(
        sha256="2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        size=9120,
        media_type="text/csv",
        filename="indicateurs-s1.csv",
    )
    return replace(evidence, **overrides)


def a_rule(**overrides: Any) -> VotingRule:
    """A COPIL's rule: half of the members, simple majority, a 15-day veto window."""
    rule = VotingRule(
        quorum=Decimal("0.5"),
        quorum_by_weight=False,
        majority=Majority.SIMPLE,
        veto_days=15,
    )
    return replace(rule, **overrides)


def a_motion(**overrides: Any) -> Motion:
    """A written vote on the 2026 budget, closing a day after ``T0``.

    With ``mode=MEETING`` it is put to the meeting of ``MEETING_ON`` instead.
    """
    if overrides.get("mode") == MEETING:
        overrides = {"closes_at": None, "meeting_on": MEETING_ON, **overrides}
    motion = Motion(
        title="Adopter le budget 2026",
        text="Le budget prévisionnel joint est adopté.",
        options=DEFAULT_OPTIONS,
        mode=WRITTEN,
        closes_at=T0 + timedelta(days=1),
    )
    return replace(motion, **overrides)


def admit(
    consortium: Consortium,
    identity: PartnerIdentity | None = None,
    *,
    role: PartnerRole = PartnerRole.PARTNER,
    partner_id: str | None = None,
    joined_on: date = JOINED_ON,
) -> str:
    """Admit a partner into an aggregate without paper (call inside ``acting_as``)."""
    return consortium.admit_partner(
        identity or a_partner_identity(),
        role=role,
        axis="Médiation",
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=joined_on,
        partner_id=partner_id,
    )


def founded_consortium(app: Governance, actor: Actor, **overrides: Any) -> UUID:
    """Found a consortium through the service; ``actor`` becomes its coordinator."""
    arguments: dict[str, Any] = {
        "name": "Inclusion numérique du Val",
        "acronym": "INV",
        "summary": "Des lieux et des médiateurs pour le numérique du quotidien.",
        "territory": "Val fictif",
        "call": a_call(),
        "founded_on": FOUNDED_ON,
    }
    arguments.update(overrides)
    return UUID(app.found_consortium(actor, **arguments).id)


def record_delivery(
    app: Governance, actor: Actor, commitment: UUID, on: date, amount: str
) -> None:
    """Record a delivery of ``amount`` (in the commitment's unit), without evidence."""
    app.deliver(
        actor,
        commitment,
        delivered_on=on,
        amount=Decimal(amount),
        description="Fait",
        evidence=None,
    )


def admitted_partner(
    app: Governance,
    actor: Actor,
    consortium_id: UUID,
    identity: PartnerIdentity | None = None,
    *,
    role: PartnerRole = PartnerRole.PARTNER,
    axis: str = "Médiation",
) -> str:
    """Admit a partner through the service; returns its id."""
    return app.admit_partner(
        actor,
        consortium_id,
        identity or a_partner_identity(),
        role=role,
        axis=axis,
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=JOINED_ON,
    ).id


def scheduled_report(
    app: Governance, actor: Actor, consortium_id: UUID, **overrides: Any
) -> UUID:
    """Schedule a one-off activity report through the service; returns its id."""
    arguments: dict[str, Any] = {
        "funder": FUNDER,
        "title": "Rapport d'activité du premier semestre",
        "kind": ReportKind.ACTIVITY_REPORT,
        "responsible_id": None,
        "due_on": REPORT_DUE_ON,
    }
    arguments.update(overrides)
    return UUID(app.schedule_report(actor, consortium_id, **arguments).id)


def person_in_role(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    account_id: str,
    role: MemberRole,
    partner_id: str | None = None,
) -> Actor:
    """Give ``account_id`` a role through the service; returns that person's actor.

    The person accepts an invitation: the only way into a consortium.
    """
    invitation = an_invitation(app, coordinator, consortium_id, role, partner_id)
    app.accept_invitation(Actor(account_id), consortium_id, invitation)
    return Actor(account_id)


def an_invitation(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    role: MemberRole = MemberRole.PILOT_TEAM,
    partner_id: str | None = None,
    *,
    valid_for: timedelta = timedelta(days=7),
) -> str:
    """Issue an invitation through the service, valid from the service's clock."""
    return app.issue_invitation(
        coordinator,
        consortium_id,
        role,
        partner_id,
        app.clock.now() + valid_for,
    ).id


@dataclass(frozen=True)
class LivedConsortium:
    """A consortium with some history, and the ids a test may ask about."""

    consortium_id: UUID
    lead_id: str
    lab_id: str
    association_id: str
    company_id: str
    accepted_invitation: str
    cancelled_invitation: str
    pending_invitation: str


def a_lived_consortium(
    app: Governance, coordinator: Actor, clock: FixedClock
) -> LivedConsortium:
    """Every kind of event once or more: partners come, change and go; people join.

    The clock moves an hour before each invitation, so they have distinct times.
    """
    cid = founded_consortium(app, coordinator)
    app.revise_profile(
        coordinator,
        cid,
        name="Inclusion numérique du Val",
        acronym="INV",
        summary="Version déposée",
        territory="Val fictif",
        call=a_call(),
    )
    lead = admitted_partner(
        app, coordinator, cid, an_authority(), role=PartnerRole.LEAD, axis="Pilotage"
    )
    lab = admitted_partner(
        app,
        coordinator,
        cid,
        a_partner_identity("Laboratoire fictif", PartnerKind.ACADEMIC, siret=SIRET_B),
        axis="Évaluation",
    )
    association = admitted_partner(
        app, coordinator, cid, a_partner_identity("Association Clic", rna=RNA_A)
    )
    company = admitted_partner(
        app,
        coordinator,
        cid,
        a_partner_identity("PME Octet", PartnerKind.COMPANY, siret=SIRET_C),
        axis="Matériel",
    )
    app.change_partner_role(coordinator, cid, association, PartnerRole.ASSOCIATED)
    app.change_partner_axis(coordinator, cid, association, "Médiation numérique")
    app.record_paper(
        coordinator, cid, lab, Paper.LETTER_OF_COMMITMENT, date(2026, 1, 20)
    )
    app.change_phase(coordinator, cid, Phase.APPLICATION_SUBMITTED, date(2026, 4, 1))
    app.withdraw_partner(
        coordinator, cid, company, date(2026, 5, 1), "Cessation d'activité"
    )
    invitations = []
    for role, partner_id in (
        (MemberRole.MEMBER, lab),
        (MemberRole.FINANCER, None),
        (MemberRole.PILOT_TEAM, None),
    ):
        clock.advance(timedelta(hours=1))
        invitations.append(an_invitation(app, coordinator, cid, role, partner_id))
    accepted, cancelled, pending = invitations
    app.accept_invitation(Actor("acc-researcher"), cid, accepted)
    app.cancel_invitation(coordinator, cid, cancelled)
    person_in_role(app, coordinator, cid, "acc-funder", MemberRole.FINANCER)
    person_in_role(app, coordinator, cid, "acc-intern", MemberRole.PILOT_TEAM)
    app.revoke_membership(coordinator, cid, "acc-intern")
    return LivedConsortium(
        cid, lead, lab, association, company, accepted, cancelled, pending
    )


def a_lesson(**overrides: Any) -> Lesson:
    """What the third places learned about evening workshops."""
    lesson = Lesson(
        title="Ateliers du soir",
        worked="Les ateliers après 18 h attirent les actifs.",
        did_not_work="Les permanences du samedi matin restent vides.",
        for_whom="Tiers-lieux et médiathèques",
    )
    return replace(lesson, **overrides)


def an_asset(**overrides: Any) -> ReusableAsset:
    """The mediation kit, published under an open licence."""
    asset = ReusableAsset(
        title="Kit de médiation numérique",
        asset_type=AssetType.GUIDE,
        description="Fiches d'atelier et grille d'accueil.",
        licence="CC BY-SA 4.0",
        url="https://depot.example/kit-mediation",
    )
    return replace(asset, **overrides)


def a_replication(**overrides: Any) -> Replication:
    """A neighbouring territory reusing the kit in the spring of 2026."""
    replication = Replication(
        title="Kit de médiation numérique",
        reused_by="Communauté de communes des Coteaux fictifs",
        on=date(2026, 5, 4),
        adaptation="Ateliers traduits pour un public allophone.",
    )
    return replace(replication, **overrides)


def a_dissemination(**overrides: Any) -> Dissemination:
    """A talk at a regional day on digital inclusion."""
    dissemination = Dissemination(
        title="Journée régionale de l'inclusion numérique",
        on=date(2026, 6, 12),
        audience="Élus et médiateurs de la région",
        place="Hôtel de région fictif",
        url="",
    )
    return replace(dissemination, **overrides)
