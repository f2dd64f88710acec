"""The pages' render probe: logged in through the form, it times each page's template
in a process of its own, and says why when it cannot.

Its figures are not checked beyond being times of a page's rendering: more than
nothing, less than a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.demo_store import COORDINATOR, load_demo
from web.bench.probes import ProbeFailed
from web.bench.render_probe import page_render_times


@pytest.fixture
def demo(tmp_path: Path) -> tuple[dict[str, str], str]:
    """The demo's store, and its consortium's id."""
    env = {"CONSORTIUM_DATA_DIR": str(tmp_path), "CONSORTIUM_SECRET_KEY": "k"}
    return env, load_demo(env)


def test_the_probe_times_each_pages_template_once_logged_in(
    demo: tuple[dict[str, str], str],
) -> None:
    env, consortium_id = demo
    overview = f"/consortia/{consortium_id}"
    ledger = f"{overview}/ledger"

    times = page_render_times(env, *COORDINATOR, [overview, ledger], 5)

    assert set(times) == {overview, ledger}
    assert all(0 < seconds < 1 for seconds in times.values()), times


def test_the_probe_says_why_it_failed(demo: tuple[dict[str, str], str]) -> None:
    env, consortium_id = demo

    with pytest.raises(ProbeFailed, match="the login answered HTTP"):
        page_render_times(env, COORDINATOR[0], "not the password", ["/"], 1)
    with pytest.raises(ProbeFailed, match="answered HTTP 404, not 200"):
        page_render_times(env, *COORDINATOR, [f"/consortia/{consortium_id}/nope"], 1)
