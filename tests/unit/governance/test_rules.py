"""Rules of the project's life: which phase may follow which."""

from __future__ import annotations

import pytest

from governance.errors import RuleViolated
from governance.rules import (
    PHASE_ORDER,
    PHASE_TRANSITIONS,
    check_phase_transition,
    needs_lead_partner,
    next_phases,
)
from governance.values import Phase

LEGAL_MOVES = [
    (current, requested)
    for current, targets in PHASE_TRANSITIONS.items()
    for requested in sorted(targets, key=PHASE_ORDER.index)
]
ILLEGAL_MOVES = [
    (current, requested)
    for current in Phase
    for requested in Phase
    if requested not in PHASE_TRANSITIONS[current]
]


def test_every_phase_has_an_entry_in_the_transition_table() -> None:
    assert set(PHASE_TRANSITIONS) == set(Phase)


def test_the_transition_table_only_leads_to_known_phases() -> None:
    assert set().union(*PHASE_TRANSITIONS.values()) <= set(Phase)


def test_the_phase_order_lists_every_phase_once() -> None:
    assert sorted(PHASE_ORDER, key=lambda p: p.value) == sorted(
        Phase, key=lambda p: p.value
    )


def test_every_phase_can_be_reached_from_setup() -> None:
    reached = {Phase.SETUP}
    frontier = [Phase.SETUP]
    while frontier:
        for following in PHASE_TRANSITIONS[frontier.pop()] - reached:
            reached.add(following)
            frontier.append(following)

    assert reached == set(Phase)


def test_closed_is_the_end_of_the_road() -> None:
    assert next_phases(Phase.CLOSED) == frozenset()


def test_no_phase_leads_to_itself() -> None:
    assert all(phase not in PHASE_TRANSITIONS[phase] for phase in Phase)


@pytest.mark.parametrize(("current", "requested"), LEGAL_MOVES)
def test_a_move_of_the_projects_life_is_allowed(
    current: Phase, requested: Phase
) -> None:
    check_phase_transition(current, requested)

    assert requested in next_phases(current)


@pytest.mark.parametrize(("current", "requested"), ILLEGAL_MOVES)
def test_any_other_move_is_refused_naming_both_phases(
    current: Phase, requested: Phase
) -> None:
    with pytest.raises(RuleViolated) as refused:
        check_phase_transition(current, requested)

    assert refused.value.code == "phase.illegal_transition"
    assert refused.value.params == {
        "current": current.value,
        "requested": requested.value,
    }


def test_a_rejected_application_may_go_to_a_later_wave_or_stop() -> None:
    assert next_phases(Phase.REJECTED) == {Phase.APPLICATION_SUBMITTED, Phase.CLOSED}


@pytest.mark.parametrize("phase", list(Phase))
def test_only_setup_may_go_without_a_lead_partner(phase: Phase) -> None:
    assert needs_lead_partner(phase) is (phase is not Phase.SETUP)
