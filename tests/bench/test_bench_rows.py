"""Every row of the benchmark can say "no", and how far off; the output file keeps
everything but the run's own section.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from web.bench.report import verdict, write
from web.bench.results import Options, Row
from web.bench.workspace import workspace


def _row(value: float, limit: float, goal: str) -> Row:
    return Row("a figure", value, "/s", "its limit", limit, goal)


@pytest.mark.parametrize(
    ("value", "goal", "expected"),
    [
        (30, "≥ 0.25", "yes"),
        (10, "≥ 0.25", "**no**: 2.5× short"),
        (40, "≤ 0.5", "yes"),
        (200, "≤ 0.5", "**no**: 4.0× over"),
        (0, "≥ 0.25", "**no** (not measured)"),
    ],
)
def test_a_row_says_whether_its_ratio_meets_the_goal_and_how_far_off(
    value: float, goal: str, expected: str
) -> None:
    assert verdict(_row(value, 100, goal)) == expected


def test_a_row_whose_limit_was_not_measured_does_not_meet_its_goal() -> None:
    assert not _row(10, 0, "≥ 0.25").met
    assert not _row(10, 0, "≤ 1.5").met


def test_the_output_replaces_its_own_section_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "performance.md"
    path.write_text(
        "# Title\n\n<!-- bench: SQLite --events 10000 -->\nold\n"
        "<!-- /bench: SQLite --events 10000 -->\n\n"
        "<!-- bench: PostgreSQL --events 10000 -->\nkept\n"
        "<!-- /bench: PostgreSQL --events 10000 -->\n\nWhy.\n",
        encoding="utf-8",
    )

    write(path, "new table\n", "SQLite --events 10000")

    assert path.read_text(encoding="utf-8") == (
        "# Title\n\n<!-- bench: SQLite --events 10000 -->\nnew table\n"
        "<!-- /bench: SQLite --events 10000 -->\n\n"
        "<!-- bench: PostgreSQL --events 10000 -->\nkept\n"
        "<!-- /bench: PostgreSQL --events 10000 -->\n\nWhy.\n"
    )


def test_a_marker_quoted_inside_a_line_of_text_is_not_a_section(
    tmp_path: Path,
) -> None:
    path = tmp_path / "performance.md"
    text = (
        "Its section is `<!-- bench: SQLite --events 10000 -->` and so on.\n\n"
        "<!-- bench: SQLite --events 10000 -->\nold\n"
        "<!-- /bench: SQLite --events 10000 -->\n"
    )
    path.write_text(text, encoding="utf-8")

    write(path, "new\n", "SQLite --events 10000")

    assert path.read_text(encoding="utf-8") == text.replace("old", "new")


def test_the_output_adds_a_new_section_at_the_end_or_creates_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.md"
    write(path, "first\n", "SQLite --events 3000 --quick")
    write(path, "second\n", "SQLite --events 10000")

    assert path.read_text(encoding="utf-8") == (
        "<!-- bench: SQLite --events 3000 --quick -->\nfirst\n"
        "<!-- /bench: SQLite --events 3000 --quick -->\n\n"
        "<!-- bench: SQLite --events 10000 -->\nsecond\n"
        "<!-- /bench: SQLite --events 10000 -->\n"
    )


def test_the_reference_is_a_store_of_its_own_even_at_its_own_size() -> None:
    with workspace(Options(events=10_000)) as (store, reference):
        assert reference.data_dir != store.data_dir
        assert reference.data_dir.parent == store.data_dir.parent
