"""The indexed router answers every request exactly as Starlette's router does.

Each table is served twice, by Starlette's ``Router`` and by ``IndexedRouter``,
every endpoint answering with its route's name and path parameters, and the two
answers (status, body, redirect) are compared for the same requests: each route's
own path, the paths next to it (another slash, one segment more, the last one
changed) and paths no route has, with every method.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from web.app import all_routes, create_app
from web.routes.index import IndexedRouter, _Index
from web.settings import Settings

T = TypeVar("T")
METHODS = ("GET", "HEAD", "POST", "DELETE")
UUID = "0b9c2f3e-7a51-4f3c-9d0e-5c1b2a3f4e5d"


def _named(request: Request) -> Response:
    route = request.scope["route"]
    params = sorted(request.path_params.items())
    return PlainTextResponse(f"{route.name} {params} {request.scope['root_path']}")


async def _mounted(scope: Scope, receive: Receive, send: Send) -> None:
    route = scope["route"]
    await PlainTextResponse(f"{route.name} {scope['path']} {scope['root_path']}")(
        scope, receive, send
    )


def stand_ins(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """The table's paths, methods and names, each endpoint saying which it is."""
    made: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Mount):
            made.append(Mount(route.path, app=_mounted, name=route.name))
        else:
            assert isinstance(route, Route)
            made.append(
                Route(route.path, _named, methods=route.methods, name=route.name)
            )
    return made


def sample(path: str) -> str:
    """A path the route's pattern matches (its parameters filled in)."""
    return re.sub(r"\{[^}:]+(:[a-z]+)?\}", lambda m: _value(m.group(1)), path)


def _value(convertor: str | None) -> str:
    return {":int": "42", ":uuid": UUID, ":path": "a/b", ":float": "1.5"}.get(
        convertor or "", "x1"
    )


def neighbours(path: str) -> list[str]:
    """``path`` and the paths next to it."""
    head = path.rpartition("/")[0]
    return [
        path,
        path.rstrip("/") if path.endswith("/") else path + "/",
        path + "/zzz",
        f"{head}/zzz",
        path.upper(),
        head or "/",
    ]


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``coroutine`` run to its end on a loop of its own, in a thread of its own:
    the test may run where a loop already runs (the browser tests' Playwright)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def answer(router: Router, method: str, path: str) -> tuple[int, bytes, str]:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
    }
    status, body, location = 0, b"", ""

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status, body, location
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]
            headers = dict(message["headers"])  # type: ignore[call-overload]
            location = headers.get(b"location", b"").decode()
        else:
            body += message.get("body", b"")  # type: ignore[operator]

    await router(scope, receive, send)  # type: ignore[arg-type]
    return status, body, location


def compare(routes: list[BaseRoute], paths: Sequence[str]) -> int:
    """Ask both routers every path with every method; the number of answers.

    A route that answers is among the index's candidates for its path: found by
    the index, not by Starlette's code run again when the index found nothing."""
    plain, indexed = Router(list(routes)), IndexedRouter(list(routes))
    index = _Index.of(routes)

    async def both() -> int:
        asked = 0
        for path in paths:
            candidates = {r.name for r in index.candidates(path)}  # type: ignore[attr-defined]
            for method in METHODS:
                expected = await answer(plain, method, path)
                assert await answer(indexed, method, path) == expected, (method, path)
                if expected[0] == 200:
                    assert expected[1].split()[0].decode() in candidates, (method, path)
                asked += 1
        return asked

    return run(both())


def test_the_app_s_table_routes_alike() -> None:
    routes = stand_ins(all_routes())
    paths = {"/", "//", "/static", "/static/", "/api/v1", "/zzz", f"/consortia/{UUID}"}
    for route in routes:
        paths.update(neighbours(sample(getattr(route, "path", "/"))))
    paths.update(p + "/more" for p in ("/static", "/api/v1"))
    assert compare(routes, sorted(paths)) > 4 * len(all_routes())


@pytest.mark.parametrize(
    ("table", "paths"),
    [
        # The table's order decides, not how literal a route is.
        (["/a/{x}", "/a/b"], ["/a/b", "/a/c", "/a/b/"]),
        (["/a/b", "/a/{x}"], ["/a/b", "/a/c"]),
        # A full match further down wins over an earlier partial one (405).
        (["POST /a/b", "GET /a/{x}"], ["/a/b", "/a/c"]),
        # Mounts, among routes, at any depth, and a parameter spanning segments.
        (["/m/{x}", "MOUNT /m", "/m/b"], ["/m", "/m/", "/m/b", "/m/b/c"]),
        (["/{x}/b", "MOUNT /{y}/c", "/a/{p:path}"], ["/a/b", "/a/c/d", "/a/q/r/s"]),
        (["/x/{token}.ics", "/x/{y}"], ["/x/t.ics", "/x/t.ics/", "/x/t"]),
        # Trailing slashes: the redirect to the other one is Starlette's own.
        (["/a/", "/b"], ["/a", "/a/", "/b/", "/"]),
    ],
)
def test_tables_where_order_and_kind_matter(table: list[str], paths: list[str]) -> None:
    routes: list[BaseRoute] = []
    for number, line in enumerate(table):
        method, _, path = line.rpartition(" ")
        if method == "MOUNT":
            routes.append(Mount(path, app=_mounted, name=f"r{number}"))
        else:
            routes.append(
                Route(
                    path,
                    _named,
                    methods=[method] if method else None,
                    name=f"r{number}",
                )
            )
    assert compare(routes, paths) == len(paths) * len(METHODS)


def test_a_page_tries_only_the_routes_that_could_match() -> None:
    # What the index is for: the audit page is the 150th route or so of the app.
    routes = all_routes()
    index = _Index.of(routes)
    for route in routes:
        if isinstance(route, Route):
            found = index.candidates(sample(route.path))
            assert route in found
            assert len(found) <= 3, (route.path, [r.path for r in found])  # type: ignore[attr-defined]


class CountedRoute(Route):
    """A route that counts how often the router tries it."""

    tried = 0

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        self.tried += 1
        return super().matches(scope)


def test_routes_added_later_are_indexed() -> None:
    other = CountedRoute("/a", _named, name="a")
    router = IndexedRouter([other])
    assert run(answer(router, "GET", "/b"))[0] == 404
    router.routes.append(Route("/b", _named, name="b"))
    tried = other.tried
    assert run(answer(router, "GET", "/b"))[:2] == (200, b"b [] ")
    assert other.tried == tried  # "/b" was found without trying "/a"


def test_the_app_routes_through_the_index(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, secret_key="s", scheduler=False))
    assert isinstance(app.router, IndexedRouter)
    assert len(app.routes) == len(all_routes())
