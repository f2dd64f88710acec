"""Headings go down one level at a time (axe's ``heading-order``): the reporting list
and My deadlines skipped from the page's h1 to the months' h3 (issue 17, §5)."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, login
from tests.web.test_reporting_pages import schedule_once


class Headings(HTMLParser):
    """The levels of a page's headings, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def skipped_levels(page: str) -> list[tuple[int, int]]:
    """Each (previous, next) pair of headings where a level is skipped going down."""
    parser = Headings()
    parser.feed(page)
    levels = parser.levels
    return [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]


@pytest.mark.parametrize("view", ["list", "month"])
def test_the_reporting_list_and_my_deadlines_skip_no_heading_level(
    client: TestClient, world: World, view: str
) -> None:
    login(client, world.emails["coordinator"])
    schedule_once(client, world, "2026-12-01", "Financial statement")

    pages = {
        "reporting": client.get(
            f"/consortia/{world.consortium_id}/reporting?view={view}"
        ).text,
        "my deadlines": client.get(f"/calendar?view={view}").text,
    }

    assert "Financial statement" in pages["reporting"]
    assert {name: skipped_levels(page) for name, page in pages.items()} == {
        "reporting": [],
        "my deadlines": [],
    }
