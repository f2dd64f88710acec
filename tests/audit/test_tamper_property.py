"""Property: a random byte flipped in a random stored event is always found, there.

One SQLite store is built per test; each example starts from a pristine copy of its
event file, flips one byte of one event's stored state, and verifies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.insider import Insider
from web.ops.audit_verify import verify_store
from web.settings import Settings


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_flipped_byte_is_always_detected_and_located(
    data: st.DataObject, store_with_pristine_copy: tuple[Settings, Path, int]
) -> None:
    settings_, pristine, last = store_with_pristine_copy
    events = settings_.data_dir / "events.db"
    shutil.copyfile(pristine, events)
    insider = Insider(settings_)
    position = data.draw(st.integers(1, last), label="position")
    state = insider.state(position)
    offset = data.draw(st.integers(0, len(state) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="mask")
    insider.flip_byte(position, offset, mask)

    report = verify_store(settings_)

    assert not report.ok
    assert ("altered", position) in {(f.kind, f.position) for f in report.findings}
    record_level = {
        f.position
        for f in report.findings
        if f.kind in {"altered", "removed", "inserted", "moved", "truncated"}
    }
    assert record_level == {position}
