"""Pure rules of the domain: what is allowed in which state.

No I/O, no clock: every function takes what it needs and answers or raises
``RuleViolated``. Aggregates call these; so may read models, to explain a state.
"""

from __future__ import annotations

from governance.errors import RuleViolated
from governance.values import Phase

# The project's life as the funders describe it; a rejected application may go to
# a later wave of the call, or stop there.
PHASE_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.SETUP: frozenset({Phase.APPLICATION_SUBMITTED}),
    Phase.APPLICATION_SUBMITTED: frozenset({Phase.SELECTED, Phase.REJECTED}),
    Phase.SELECTED: frozenset({Phase.AGREEMENT_SIGNED}),
    Phase.REJECTED: frozenset({Phase.APPLICATION_SUBMITTED, Phase.CLOSED}),
    Phase.AGREEMENT_SIGNED: frozenset({Phase.IMPLEMENTATION}),
    Phase.IMPLEMENTATION: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}

PHASE_ORDER: tuple[Phase, ...] = (
    Phase.SETUP,
    Phase.APPLICATION_SUBMITTED,
    Phase.SELECTED,
    Phase.REJECTED,
    Phase.AGREEMENT_SIGNED,
    Phase.IMPLEMENTATION,
    Phase.CLOSED,
)


def next_phases(current: Phase) -> frozenset[Phase]:
    """The phases a consortium in ``current`` may move to."""
    return PHASE_TRANSITIONS[current]


def check_phase_transition(current: Phase, requested: Phase) -> None:
    """Raise unless ``current`` → ``requested`` is a move of the project's life."""
    if requested not in PHASE_TRANSITIONS[current]:
        raise RuleViolated(
            "phase.illegal_transition", current=current.value, requested=requested.value
        )


def needs_lead_partner(phase: Phase) -> bool:
    """Past setup, a consortium has exactly one lead partner."""
    return phase is not Phase.SETUP
