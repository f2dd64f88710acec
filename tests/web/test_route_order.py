"""The mounted apps (static files, the API) are tried first, so that their requests
do not try every page's route before theirs; which route answers stays the same,
since no page's path starts with a mount's prefix."""

from __future__ import annotations

from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from web.app import all_routes


def test_the_mounts_come_first_and_own_their_prefixes() -> None:
    routes = all_routes()
    mounts = [r for r in routes if isinstance(r, Mount)]
    pages = [r for r in routes if isinstance(r, Route)]

    assert {m.path for m in mounts} == {"/static", "/api/v1"}
    assert routes[: len(mounts)] == mounts
    assert len(pages) == len(routes) - len(mounts)
    for mount in mounts:
        assert not [
            r.path
            for r in pages
            if r.path == mount.path or r.path.startswith(mount.path + "/")
        ]


def test_a_static_file_and_a_page_are_still_served(client: TestClient) -> None:
    static = client.get("/static/htmx-2.0.11.min.js")
    page = client.get("/login")
    missing = client.get("/static/no-such-file.js")

    assert static.status_code == 200
    assert "htmx" in static.text
    assert page.status_code == 200
    assert missing.status_code == 404
