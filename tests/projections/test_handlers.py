"""Every projection handler is typed by the event classes it is registered for.

``on`` lets mypy check one or two event types; this checks them all, including the
handlers registered for a tuple of types (``on(*events.CAPITALISATION_RECORDED)``),
so a handler cannot read fields its events do not have without mypy seeing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar, get_args, get_origin, get_type_hints

import pytest
from sqlalchemy import Connection, Table

from governance import events
from projections.base import Envelope, Projection, on
from projections.catalogue import all_projections


def registrations(projection: Projection) -> dict[Callable[..., Any], set[type]]:
    handled: dict[Callable[..., Any], set[type]] = defaultdict(set)
    for event_type, handler in projection.handlers.items():
        handled[handler].add(event_type)
    return handled


def envelope_types(handler: Callable[..., Any]) -> set[type]:
    hint = get_type_hints(handler)["envelope"]
    assert get_origin(hint) is Envelope, handler.__qualname__
    (carried,) = get_args(hint)
    return set(get_args(carried)) or {carried}


@pytest.mark.parametrize(
    "projection", all_projections(), ids=lambda p: type(p).__name__
)
def test_each_handler_takes_an_envelope_of_exactly_the_events_it_handles(
    projection: Projection,
) -> None:
    mismatched = {
        handler.__qualname__: (envelope_types(handler), handled)
        for handler, handled in registrations(projection).items()
        if envelope_types(handler) != handled
    }

    assert mismatched == {}


def test_the_history_handles_every_consortium_event_from_its_parts() -> None:
    (history,) = [p for p in all_projections() if p.name == "history"]

    modules = {handler.__module__ for handler in history.handlers.values()}

    assert set(history.handlers) == set(events.ALL_EVENTS) - {events.CheckpointSealed}
    assert modules == {
        "projections.history.partners",
        "projections.history.commitments",
        "projections.history.decisions",
        "projections.history.reporting",
        "projections.history.capitalisation",
        "projections.history.audit",
        "projections.history.budget",
        "projections.history.amendments",
        "projections.history.documents",
        "projections.history.workplan",
        "projections.history.expenses",
        "projections.history.funding",
        "projections.history.call_rules",
        "projections.history.financial_reports",
    }


def test_a_projection_handling_an_event_twice_is_refused_when_defined() -> None:
    class Part(Projection):
        @on(events.PartnerJoined)
        def joined(
            self, connection: Connection, envelope: Envelope[events.PartnerJoined]
        ) -> None:
            """One handler of ``PartnerJoined``."""

    with pytest.raises(TypeError, match="twice"):

        class Twice(Part):
            name: ClassVar[str] = "twice"
            tables: ClassVar[tuple[Table, ...]] = ()

            @on(events.PartnerJoined)
            def joined_again(
                self, connection: Connection, envelope: Envelope[events.PartnerJoined]
            ) -> None:
                """Another one: which would run?"""
