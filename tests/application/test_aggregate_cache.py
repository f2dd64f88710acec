"""The aggregate cache hands each command a copy of its own (a fork, cheaper than
the library's deep copy): whatever a command does to its aggregate before being
refused never reaches the cached one, nor the next command's."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.application.forking import fork
from governance.errors import NotFound
from governance.values import PartnerRole
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    founded_consortium,
    store_env,
)
from tests.support.fakes import FixedClock


@pytest.fixture
def cached(
    store: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Governance]:
    """The service with the aggregate cache on, as the web processes run it."""
    url = request.getfixturevalue("postgres_url") if store == "postgres" else None
    env = {**store_env(store, tmp_path, url=url), "AGGREGATE_CACHE_MAXSIZE": "100"}
    governance = Governance(env=env, clock=clock)
    yield governance
    governance.close()


def scribble(value: Any, depth: int = 0) -> None:
    """Change every mutable part of ``value`` in place, as a buggy command might."""
    if depth > 6:
        return
    if isinstance(value, dict):
        for item in list(value.values()):
            scribble(item, depth + 1)
        value["scribbled"] = object()
    elif isinstance(value, list):
        for item in value:
            scribble(item, depth + 1)
        value.append("scribbled")
    elif hasattr(value, "__dict__") and not isinstance(value, (type, Enum)):
        for name, item in list(vars(value).items()):
            scribble(item, depth + 1)
            if isinstance(item, str):
                # A frozen value refuses (FrozenInstanceError): it is shared.
                with contextlib.suppress(AttributeError):
                    setattr(value, name, item + " scribbled")


def test_changes_made_to_a_loaded_aggregate_and_never_saved_leave_the_cache_alone(
    cached: Governance, coordinator: Actor
) -> None:
    cid = founded_consortium(cached, coordinator)
    admitted_partner(cached, coordinator, cid, role=PartnerRole.LEAD)
    loaded = cached.repository.get(cid)
    before = copy.deepcopy(loaded)

    scribble(loaded)

    again = cached.repository.get(cid)
    assert again is not loaded
    assert again.version == before.version
    assert vars(again) == vars(before)
    # The next command works on the saved state and saves after it.
    admitted_partner(cached, coordinator, cid, a_partner_identity("Autre"))
    assert cached.repository.get(cid).version == before.version + 1


def test_a_refused_command_leaves_the_cached_aggregate_as_saved(
    cached: Governance, coordinator: Actor
) -> None:
    cid = founded_consortium(cached, coordinator)
    before = copy.deepcopy(cached.repository.get(cid))

    with pytest.raises(NotFound):
        admitted_partner(cached, Actor("someone-else"), cid)

    assert vars(cached.repository.get(cid)) == vars(before)


def test_a_fork_shares_immutable_values_and_copies_the_rest() -> None:
    shared = ("a", 1)
    inner = {"k": [1, 2]}
    value = {"t": shared, "d": inner, "again": inner}

    forked = fork(value)

    assert forked == value
    assert forked["t"] is shared
    assert forked["d"] is not inner
    assert forked["d"]["k"] is not inner["k"]
    assert forked["again"] is forked["d"]  # a shared reference stays shared


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Frozen:
    name: str
    items: tuple[Any, ...]


class Plain:
    def __init__(self, items: list[int]) -> None:
        self.items = items


class Slotted:
    __slots__ = ("items",)

    def __init__(self, items: list[int]) -> None:
        self.items = items


class Tagged(dict[str, list[int]]):
    """A dict subclass that keeps more than its items."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag


def test_a_fork_decides_by_type_what_it_shares_and_what_it_copies() -> None:
    tagged = Tagged("t")
    tagged["k"] = [1]
    value = {
        "colour": Colour.RED,
        "frozen": Frozen("f", ("a", Colour.RED)),
        "frozen_list": Frozen("g", ([1],)),
        "plain": Plain([1]),
        "slotted": Slotted([1]),
        "tagged": tagged,
        "colours": {Colour.RED},
        "names": frozenset({"a"}),
        "lists": ({1, 2}, [3]),
    }

    forked = fork(value)

    assert forked["colour"] is Colour.RED
    assert forked["frozen"] is value["frozen"]  # nothing in it can change
    assert forked["frozen_list"] == value["frozen_list"]
    assert forked["frozen_list"].items[0] is not value["frozen_list"].items[0]
    assert type(forked["plain"]) is Plain
    assert forked["plain"].items == [1]
    assert forked["plain"].items is not value["plain"].items
    assert forked["slotted"].items == [1]
    assert forked["slotted"].items is not value["slotted"].items
    assert type(forked["tagged"]) is Tagged
    assert forked["tagged"] == {"k": [1]}
    assert forked["tagged"].tag == "t"
    assert forked["tagged"]["k"] is not tagged["k"]
    assert forked["colours"] == {Colour.RED}
    assert forked["colours"] is not value["colours"]
    assert forked["names"] is value["names"]
    assert forked["lists"] == value["lists"]
    assert forked["lists"][0] is not value["lists"][0]
    assert forked["lists"][1] is not value["lists"][1]
