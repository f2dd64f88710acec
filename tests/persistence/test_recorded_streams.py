"""A Consortium stream recorded before ``governance/consortium.py`` became a package
still loads, byte for byte.

``fixtures/consortium_stream.json`` holds the stored records (topic and state bytes,
as UTF-8 text) of ``a_full_history()`` and of its snapshot, written by the code of
commit bc94f2b, when the aggregate lived in one module. Every Consortium event type
is in it. Stores in use hold such streams: they must replay unchanged, so each record
must come back as a domain event that the code of today stores again as the very same
bytes under the very same topic, and replaying the events must give the state the
old code snapshotted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from governance.application import Governance
from governance.consortium import Consortium
from governance.events import ALL_EVENTS
from tests.persistence.test_event_roundtrip import typed
from tests.support.builders import T0, store_env
from tests.support.fakes import FixedClock

RECORDED = Path(__file__).parent / "fixtures" / "consortium_stream.json"


def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RECORDED.read_text(encoding="utf-8"))
    return data


def stored(originator_id: UUID, rows: list[dict[str, Any]]) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=originator_id,
            originator_version=row["version"],
            topic=row["topic"],
            state=row["state"].encode("utf-8"),
        )
        for row in rows
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Governance]:
    """A store holding the recorded stream and its snapshot, as a service of today."""
    url = (
        request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    )
    governance = Governance(
        env=store_env(request.param, tmp_path, url=url), clock=FixedClock(T0)
    )
    data = recorded()
    originator_id = UUID(data["originator_id"])
    governance.recorder.insert_events(stored(originator_id, data["events"]))
    assert governance.snapshots is not None
    governance.snapshots.recorder.insert_events(
        stored(originator_id, data["snapshots"])
    )
    yield governance
    governance.close()


def test_the_recorded_stream_holds_every_consortium_event_type() -> None:
    topics = {row["topic"] for row in recorded()["events"]}

    consortium_events = {
        e for e in ALL_EVENTS if e.__qualname__.startswith("Consortium.")
    }
    assert len(consortium_events) == 18
    assert topics == {
        f"governance.consortium:{e.__qualname__}" for e in consortium_events
    }


def test_each_recorded_event_is_stored_again_as_the_same_topic_and_bytes(
    app: Governance,
) -> None:
    records = app.recorder.select_events(UUID(recorded()["originator_id"]))

    again = [app.mapper.to_stored_event(app.mapper.to_domain_event(r)) for r in records]

    assert len(records) == 28
    assert [(r.topic, r.state) for r in again] == [(r.topic, r.state) for r in records]


def test_the_recorded_snapshot_is_stored_again_as_the_same_bytes(
    app: Governance,
) -> None:
    assert app.snapshots is not None
    (record,) = app.snapshots.recorder.select_events(UUID(recorded()["originator_id"]))

    again = app.mapper.to_stored_event(app.mapper.to_domain_event(record))

    assert (again.topic, again.state) == (record.topic, record.state)


def test_replaying_the_recorded_events_gives_the_state_the_old_code_snapshotted(
    app: Governance,
) -> None:
    originator_id = UUID(recorded()["originator_id"])
    assert app.snapshots is not None
    (snapshot,) = app.snapshots.get(originator_id)

    replayed: Any = None
    for domain_event in app.events.get(originator_id):
        replayed = domain_event.mutate(replayed)
    from_snapshot = snapshot.mutate(None)

    assert isinstance(replayed, Consortium)
    assert replayed == from_snapshot
    assert typed(vars(replayed)) == typed(vars(from_snapshot))
    assert replayed.version == 28
    assert app.repository.get(originator_id) == replayed
    assert [b.name for b in replayed.bodies.values()] == [
        "Comité de pilotage",
        "Comité technique",
    ]
    assert list(replayed.proxies) == ["px-1"]
    assert replayed.beneficiary_involvement == "Un panel de douze usagers"
