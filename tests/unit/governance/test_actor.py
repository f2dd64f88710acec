"""The acting account: every event has an author, and an event without one fails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance.actor import ActorMissingError, acting_as, current_actor
from governance.consortium import Consortium
from tests.support.builders import T0, a_consortium


def authors(consortium: Consortium) -> list[str]:
    """Who recorded each of the consortium's new events."""
    return [vars(event)["actor_id"] for event in consortium.collect_events()]


def test_founding_outside_acting_as_raises() -> None:
    with pytest.raises(ActorMissingError):
        a_consortium()


def test_a_command_outside_acting_as_raises_and_changes_nothing() -> None:
    with acting_as("acc-coordinator"):
        consortium = a_consortium()
    consortium.collect_events()

    with pytest.raises(ActorMissingError):
        consortium.revise_profile(
            name="Autre nom",
            acronym="",
            summary="",
            territory="",
            call=consortium.call,
        )

    assert consortium.collect_events() == []
    assert consortium.name == "Inclusion numérique du Val"


def test_events_carry_the_acting_account() -> None:
    with acting_as("acc-founder"):
        consortium = a_consortium(founder_id="acc-founder")

    assert set(authors(consortium)) == {"acc-founder"}


def test_events_carry_the_time_given_to_acting_as() -> None:
    with acting_as("acc-founder", at=T0):
        consortium = a_consortium(founder_id="acc-founder")

    assert {e.timestamp for e in consortium.collect_events()} == {T0}


def test_acting_as_restores_the_previous_account_on_exit() -> None:
    with acting_as("acc-outer", at=T0):
        with acting_as("acc-inner", at=T0 + timedelta(hours=1)):
            inner = a_consortium(founder_id="acc-inner")
        outer = a_consortium(founder_id="acc-outer")

    assert authors(inner) == ["acc-inner"] * 2
    assert authors(outer) == ["acc-outer"] * 2
    assert current_actor.get() is None


def test_acting_as_restores_the_previous_account_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), acting_as("acc-crashing"):
        _ = 1 / 0

    assert current_actor.get() is None
