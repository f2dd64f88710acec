"""The wheel users install holds every file our packages read at run time.

An editable install (what ``make install`` does) reads templates, static files and
translations straight from the source tree, so every other test passes when the wheel
leaves some of them out. This test builds the wheel and names the missing files;
``scripts/check_wheel.sh`` (run by CI) installs it and runs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("governance", "projections", "notifications", "web")


def source_files(*paths: str) -> set[str]:
    """The tree's files (tracked and new, not ignored) under ``paths``."""
    listing = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            *paths,
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    names = listing.stdout.decode().split("\0")
    return {name for name in names if name and (ROOT / name).is_file()}


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The file names in a wheel built from a clean copy of the tree.

    The copy keeps a stale ``build/`` of the working tree out of the wheel. The build
    uses this environment's setuptools (pinned by the lock): no download.
    """
    source = tmp_path_factory.mktemp("source")
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    # No isolation and no index: this environment's setuptools, no download.
    options = ["--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            *options,
            "--wheel-dir",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert build.returncode == 0, f"the wheel does not build:\n{build.stderr}"
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_holds_every_file_of_our_packages(wheel_names: set[str]) -> None:
    missing = sorted(source_files(*PACKAGES) - wheel_names)
    assert missing == [], f"left out of the wheel: {missing}"


def test_the_wheel_holds_nothing_but_our_packages(wheel_names: set[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_names}
    extra = {top for top in tops if top not in PACKAGES and ".dist-info" not in top}
    assert extra == set()


def test_the_wheel_carries_the_licence_its_metadata_names(
    wheel_names: set[str],
) -> None:
    licences = {
        name for name in wheel_names if name.endswith(".dist-info/licenses/LICENSE")
    }
    assert len(licences) == 1
