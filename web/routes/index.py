"""Starlette's router, trying only the routes a path could match.

Starlette's ``Router`` tries its routes in order, each a regular expression and a
scope built for it: the app has about 200, so a page low in the list paid for
every one before it (the overview, 31st, 23–27 µs of matching; the audit page,
157th, 100–150 µs; docs/performance.md). ``IndexedRouter`` answers exactly as
Starlette's would, only skipping the routes that cannot match: a route's literal
path segments must equal the request's, and it must have as many segments. A trie
of those segments (a parameter's segment matches any) gives the candidates, which
are then tried in the table's order, the first full match winning, as Starlette's
would. When none matches in full, Starlette's own code runs on the whole table:
another method's route (its 405), the trailing-slash redirect and the 404 are its
own.

A mount is a candidate for the paths that go on past its own segments; a route the
trie cannot describe (a ``path`` parameter, which spans segments, a mount at the
root, any other kind) is a candidate for every path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send


@dataclass
class _Node:
    """One segment's place in the trie: the routes that end here, by position in
    the table, and the next segments."""

    ending: list[int] = field(default_factory=list)
    mounted: list[int] = field(default_factory=list)
    """Mounts whose path ends here: they match any path that goes on."""
    literal: dict[str, _Node] = field(default_factory=dict)
    parameter: _Node | None = None


def _segments(route: BaseRoute) -> list[str | None] | None:
    """The route's path segments (a mount's, before what it hands on), None for a
    parameter's; None for a route that may match any path (a parameter spanning
    segments, a mount at the root, any other kind)."""
    if not isinstance(route, Route | Mount) or ":path}" in route.path:
        return None
    if not route.path.startswith("/"):
        return None
    return [None if "{" in part else part for part in route.path[1:].split("/")]


@dataclass
class _Index:
    """The trie of a route table, and the routes tried for every path."""

    routes: list[BaseRoute]
    size: int
    root: _Node = field(default_factory=_Node)
    anywhere: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, routes: list[BaseRoute]) -> _Index:
        index = cls(routes, len(routes))
        for position, route in enumerate(routes):
            segments = _segments(route)
            if segments is None:
                index.anywhere.append(position)
                continue
            node = index.root
            for part in segments:
                if part is None:
                    node.parameter = node.parameter or _Node()
                    node = node.parameter
                else:
                    node = node.literal.setdefault(part, _Node())
            (node.mounted if isinstance(route, Mount) else node.ending).append(position)
        return index

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that could match ``path``, in the table's order."""
        nodes = [self.root]
        positions: list[int] = []
        for part in path[1:].split("/"):
            reached = []
            for node in nodes:
                positions += node.mounted  # the path goes on past them
                found = node.literal.get(part)
                if found is not None:
                    reached.append(found)
                if node.parameter is not None:
                    reached.append(node.parameter)
            nodes = reached
            if not nodes:
                break
        positions += [p for node in nodes for p in node.ending] + self.anywhere
        if len(positions) > 1:
            positions.sort()
        return [self.routes[p] for p in positions]


class IndexedRouter(Router):
    """``starlette.routing.Router``, its HTTP requests matched through an index of
    the routes' segments (see the module's text)."""

    _index: _Index | None = None

    def _current_index(self) -> _Index:
        # Rebuilt if routes were added since (``Starlette.add_route`` appends).
        index = self._index
        if (
            index is None
            or index.routes is not self.routes
            or index.size != len(self.routes)
        ):
            index = self._index = _Index.of(self.routes)
        return index

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the request to the route Starlette would choose."""
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        # The path as Starlette's routes match it (the root path left out), by its
        # own function (private, but what every route of it calls).
        for route in self._current_index().candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        # No route matches in full: Starlette's own code on the whole table, for
        # another method's route (405), the redirect to the other slash, or 404.
        await super().app(scope, receive, send)
