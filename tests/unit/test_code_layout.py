"""The code's layout as the documentation states it: one line per package in
``docs/development.md``, and no module over 600 lines outside the tests.

A package added (or moved) without its line leaves a newcomer with a map that lies;
a module that grows past 600 lines is the sign it holds more than one concern.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("governance", "projections", "notifications", "web")
DOCS = ROOT / "docs" / "development.md"
MAX_LINES = 600
# A directory as the layout writes it: web/cli/
DIRECTORY = re.compile(r"(?:[a-z_]+/)+")


def layout_block() -> str:
    """The code block under "How the code is laid out"."""
    text = DOCS.read_text("utf-8")
    section = text.split("## How the code is laid out", 1)[1]
    return section.split("```", 2)[1]


def documented() -> set[str]:
    """The directories the layout names, as ``web/cli``."""
    found = set()
    for line in layout_block().splitlines():
        # The directories a line starts with ("web/templates/ web/static/ ...");
        # the words after them describe, and may name folders inside (tests/).
        for word in line.split():
            if not DIRECTORY.fullmatch(word):
                break
            found.add(word.rstrip("/"))
    return found


def packages() -> set[str]:
    """Every package of the application, as ``web/cli``."""
    return {
        str(init.parent.relative_to(ROOT))
        for package in PACKAGES
        for init in (ROOT / package).rglob("__init__.py")
    }


def test_every_package_has_its_line_in_the_layout() -> None:
    assert sorted(packages() - documented()) == []


def test_every_directory_the_layout_names_exists() -> None:
    assert sorted(path for path in documented() if not (ROOT / path).is_dir()) == []


def test_no_module_outside_the_tests_is_over_600_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text("utf-8").splitlines())
        for package in (*PACKAGES, "scripts")
        for path in (ROOT / package).rglob("*.py")
    }

    assert {path: size for path, size in sizes.items() if size > MAX_LINES} == {}
