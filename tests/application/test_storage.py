"""Storage behaviour seen through the service: stale saves, snapshots, reloading."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from governance.actor import Actor
from governance.application import Governance
from governance.consortium import Consortium
from governance.errors import Conflict
from governance.values import MemberRole, PartnerRole
from tests.support.builders import (
    a_call,
    admitted_partner,
    an_authority,
    an_invitation,
    founded_consortium,
    person_in_role,
)


def rename(app: Governance, actor: Actor, consortium_id: UUID, name: str) -> int:
    return app.revise_profile(
        actor,
        consortium_id,
        name=name,
        acronym="",
        summary="",
        territory="",
        call=a_call(),
    )


def replayed(app: Governance, consortium_id: UUID) -> Consortium:
    """The consortium rebuilt from its events alone, without any snapshot."""
    events: list[Any] = list(app.events.get(consortium_id))
    consortium = reduce(lambda state, past: past.mutate(state), events, None)
    assert isinstance(consortium, Consortium)
    return consortium


def test_a_stale_save_is_refused_as_a_conflict(
    sqlite_governance: Callable[..., Governance], coordinator: Actor
) -> None:
    # A cache that trusts itself (no fast-forward) keeps the copy it saved last:
    # once another process writes, this one works on a stale consortium.
    stale_writer = sqlite_governance(
        AGGREGATE_CACHE_MAXSIZE="10", AGGREGATE_CACHE_FASTFORWARD="n"
    )
    other_writer = sqlite_governance()
    consortium_id = founded_consortium(stale_writer, coordinator)
    rename(other_writer, coordinator, consortium_id, "Changé ailleurs")

    with pytest.raises(Conflict) as refused:
        rename(stale_writer, coordinator, consortium_id, "Changé ici")

    assert isinstance(refused.value.__context__, IntegrityError)
    assert refused.value.identifier == [consortium_id]
    assert other_writer.repository.get(consortium_id).name == "Changé ailleurs"


def test_a_snapshot_reloads_the_same_consortium(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    lead = admitted_partner(
        app, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    person_in_role(app, coordinator, consortium_id, "acc-lead", MemberRole.MEMBER, lead)
    an_invitation(app, coordinator, consortium_id, MemberRole.FINANCER)

    app.take_snapshot(consortium_id)

    assert app.snapshots is not None
    snapshots: list[Any] = list(app.snapshots.get(consortium_id))
    [snapshot] = snapshots
    assert snapshot.originator_version == replayed(app, consortium_id).version
    assert snapshot.mutate(None) == replayed(app, consortium_id)
    assert app.repository.get(consortium_id) == replayed(app, consortium_id)


def test_commands_after_a_snapshot_build_on_it(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    app.take_snapshot(consortium_id)

    rename(app, coordinator, consortium_id, "Après l'instantané")

    assert app.repository.get(consortium_id) == replayed(app, consortium_id)
    assert app.repository.get(consortium_id).name == "Après l'instantané"


def test_a_snapshot_is_taken_every_hundred_events(
    app: Governance, coordinator: Actor, consortium_id: UUID
) -> None:
    # Founding records two events; 98 renames bring the consortium to version 100.
    for number in range(98):
        rename(app, coordinator, consortium_id, f"Nom {number}")

    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(consortium_id)] == [100]
    assert app.repository.get(consortium_id) == replayed(app, consortium_id)


def test_another_process_reloads_the_consortium_equal(
    sqlite_governance: Callable[..., Governance], coordinator: Actor
) -> None:
    writer = sqlite_governance()
    consortium_id = founded_consortium(writer, coordinator)
    admitted_partner(
        writer, coordinator, consortium_id, an_authority(), role=PartnerRole.LEAD
    )
    writer.take_snapshot(consortium_id)
    rename(writer, coordinator, consortium_id, "Après l'instantané")

    reader = sqlite_governance()

    assert reader.repository.get(consortium_id) == writer.repository.get(consortium_id)
