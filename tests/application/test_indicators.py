"""The service's indicator commands: defining what is measured, recording values.

The consortium here has a pilot team member, a partner's member and a financer. The
coordinator and the pilot team define and measure; the others may only look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound, NotPermitted, RuleViolated
from governance.indicator import Indicator, Measurement
from governance.values import MemberRole
from tests.support.builders import (
    admitted_partner,
    defined_indicator,
    person_in_role,
    scheduled_report,
)


@dataclass(frozen=True)
class Team:
    """A consortium and the people holding each role in it besides its coordinator."""

    consortium_id: UUID
    pilot: Actor
    member: Actor
    financer: Actor


@pytest.fixture
def team(app: Governance, coordinator: Actor, consortium_id: UUID) -> Team:
    partner = admitted_partner(app, coordinator, consortium_id)
    return Team(
        consortium_id,
        person_in_role(
            app, coordinator, consortium_id, "acc-pilot", MemberRole.PILOT_TEAM
        ),
        person_in_role(
            app, coordinator, consortium_id, "acc-member", MemberRole.MEMBER, partner
        ),
        person_in_role(
            app, coordinator, consortium_id, "acc-funder", MemberRole.FINANCER
        ),
    )


@pytest.fixture
def indicator_id(app: Governance, team: Team) -> UUID:
    """People helped, defined by the pilot team, not yet measured."""
    return defined_indicator(app, team.pilot, team.consortium_id)


def indicator_in(app: Governance, indicator_id: UUID) -> Indicator:
    indicator: object = app.repository.get(indicator_id)
    assert isinstance(indicator, Indicator)
    return indicator


def actor_of(coordinator: Actor, team: Team, role: MemberRole) -> Actor:
    return {
        MemberRole.COORDINATOR: coordinator,
        MemberRole.PILOT_TEAM: team.pilot,
        MemberRole.MEMBER: team.member,
        MemberRole.FINANCER: team.financer,
    }[role]


WRITERS = [
    pytest.param(MemberRole.COORDINATOR, id="coordinator"),
    pytest.param(MemberRole.PILOT_TEAM, id="pilot-team"),
]
ONLOOKERS = [
    pytest.param(MemberRole.MEMBER, id="member"),
    pytest.param(MemberRole.FINANCER, id="financer"),
]


# -- defining -------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_the_coordinator_and_the_pilot_team_define_an_indicator(
    app: Governance, coordinator: Actor, team: Team, role: MemberRole
) -> None:
    writer = actor_of(coordinator, team, role)

    created = app.define_indicator(
        writer,
        team.consortium_id,
        name=" Temps d'attente moyen ",
        unit="jours",
        baseline=Decimal("21.50"),
        target=Decimal("7"),
        target_on=date(2027, 6, 30),
        measured_by="Laboratoire fictif",
    )

    indicator = indicator_in(app, UUID(created.id))
    assert (
        indicator.consortium_id,
        indicator.name,
        indicator.unit,
        indicator.baseline,
        indicator.target,
        indicator.target_on,
        indicator.measured_by,
        indicator.measurements,
    ) == (
        str(team.consortium_id),
        "Temps d'attente moyen",
        "jours",
        Decimal("21.50"),
        Decimal("7"),
        date(2027, 6, 30),
        "Laboratoire fictif",
        [],
    )
    assert str(indicator.baseline) == "21.50"
    assert [e.actor_id for e in app.events.get(indicator.id)] == [writer.account_id]
    assert created.position == app.recorder.max_notification_id()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"name": " "}, "indicator.name_required", id="no-name"),
        pytest.param({"unit": ""}, "indicator.unit_required", id="no-unit"),
        pytest.param({"baseline": Decimal("NaN")}, "baseline.invalid", id="nan"),
        pytest.param({"target": Decimal("1E+13")}, "target.invalid", id="too-large"),
        pytest.param(
            {"target": Decimal("120")},
            "indicator.target_equals_baseline",
            id="target-equals-baseline",
        ),
    ],
)
def test_an_invalid_indicator_is_refused_and_records_nothing(
    app: Governance, team: Team, overrides: dict[str, object], code: str
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        defined_indicator(app, team.pilot, team.consortium_id, **overrides)

    assert refused.value.code == code
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("role", ONLOOKERS)
def test_members_and_financers_may_not_define_an_indicator(
    app: Governance, coordinator: Actor, team: Team, role: MemberRole
) -> None:
    actor = actor_of(coordinator, team, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        defined_indicator(app, actor, team.consortium_id)

    assert (refused.value.action, refused.value.actor_id) == (
        "report",
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


def test_someone_outside_the_consortium_defining_an_indicator_gets_not_found(
    app: Governance, team: Team
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        defined_indicator(app, Actor("acc-stranger"), team.consortium_id)

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        team.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


def test_defining_in_an_unknown_consortium_is_not_found(
    app: Governance, coordinator: Actor
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        defined_indicator(app, coordinator, unknown)

    assert (refused.value.kind, refused.value.identifier) == ("consortium", unknown)


# -- measuring ------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_the_coordinator_and_the_pilot_team_measure_an_indicator(
    app: Governance,
    coordinator: Actor,
    team: Team,
    indicator_id: UUID,
    role: MemberRole,
) -> None:
    writer = actor_of(coordinator, team, role)

    app.measure_indicator(
        writer, indicator_id, Decimal("180"), date(2026, 6, 30), " Fiches d'accueil "
    )
    position = app.measure_indicator(
        writer, indicator_id, Decimal("262.50"), date(2026, 12, 31), "Enquête"
    )

    measurements = indicator_in(app, indicator_id).measurements
    assert [(m.value, m.on, m.source) for m in measurements] == [
        (Decimal("180"), date(2026, 6, 30), "Fiches d'accueil"),
        (Decimal("262.50"), date(2026, 12, 31), "Enquête"),
    ]
    assert all(isinstance(m, Measurement) for m in measurements)
    assert str(measurements[1].value) == "262.50"
    assert len({m.measurement_id for m in measurements}) == 2
    assert [e.actor_id for e in app.events.get(indicator_id)][1:] == [
        writer.account_id
    ] * 2
    assert position == app.recorder.max_notification_id()


@pytest.mark.parametrize(
    ("value", "source", "code"),
    [
        pytest.param(Decimal("Infinity"), "Enquête", "measurement.invalid", id="inf"),
        pytest.param(Decimal("180"), "  ", "indicator.source_required", id="no-source"),
    ],
)
def test_an_invalid_measurement_is_refused_and_records_nothing(
    app: Governance,
    team: Team,
    indicator_id: UUID,
    value: Decimal,
    source: str,
    code: str,
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(RuleViolated) as refused:
        app.measure_indicator(
            team.pilot, indicator_id, value, date(2026, 6, 30), source
        )

    assert refused.value.code == code
    assert app.recorder.max_notification_id() == before
    assert indicator_in(app, indicator_id).measurements == []


@pytest.mark.parametrize("role", ONLOOKERS)
def test_members_and_financers_may_not_measure_an_indicator(
    app: Governance,
    coordinator: Actor,
    team: Team,
    indicator_id: UUID,
    role: MemberRole,
) -> None:
    actor = actor_of(coordinator, team, role)
    before = app.recorder.max_notification_id()

    with pytest.raises(NotPermitted) as refused:
        app.measure_indicator(
            actor, indicator_id, Decimal("180"), date(2026, 6, 30), "Enquête"
        )

    assert (refused.value.action, refused.value.actor_id) == (
        "report",
        actor.account_id,
    )
    assert app.recorder.max_notification_id() == before


def test_someone_outside_the_consortium_measuring_gets_not_found(
    app: Governance, team: Team, indicator_id: UUID
) -> None:
    before = app.recorder.max_notification_id()

    with pytest.raises(NotFound) as refused:
        app.measure_indicator(
            Actor("acc-stranger"),
            indicator_id,
            Decimal("180"),
            date(2026, 6, 30),
            "Enquête",
        )

    assert (refused.value.kind, refused.value.identifier) == (
        "consortium",
        team.consortium_id,
    )
    assert app.recorder.max_notification_id() == before


def test_measuring_an_unknown_indicator_is_not_found(
    app: Governance, team: Team
) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refused:
        app.measure_indicator(
            team.pilot, unknown, Decimal("180"), date(2026, 6, 30), "Enquête"
        )

    assert (refused.value.kind, refused.value.identifier) == ("indicator", unknown)


def test_measuring_a_report_as_if_it_were_an_indicator_is_not_found(
    app: Governance, team: Team
) -> None:
    report = scheduled_report(app, team.pilot, team.consortium_id)

    with pytest.raises(NotFound) as refused:
        app.measure_indicator(
            team.pilot, report, Decimal("180"), date(2026, 6, 30), "Enquête"
        )

    assert (refused.value.kind, refused.value.identifier) == ("indicator", report)
