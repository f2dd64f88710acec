"""Addresses built from route names, never written out by hand.

Each route has a name (``area:action``, ``web/routes/``); a link asks the app for the
path of a name and its parameters, so a route can move without a page noticing.
Paths stay relative (``/consortia/…``), as the pages have always written them.
"""

from __future__ import annotations

from typing import Any, Protocol

import jinja2
from jinja2.runtime import Context
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.routing import Router


class PathFor(Protocol):
    """Gives the path of a named route with its parameters."""

    def __call__(self, name: str, /, **params: object) -> str: ...


def path_for(connection: HTTPConnection, name: str, /, **params: object) -> str:
    """The path of the route ``name`` with ``params``, as the app routes it."""
    return str(connection.app.url_path_for(name, **params))


def paths(connection: HTTPConnection) -> PathFor:
    """``path_for`` bound to this request's app, for code that only makes links."""
    return paths_of(connection.app)


def paths_of(router: Router | Starlette) -> PathFor:
    """``path_for`` for an app or its routes, outside any request."""

    def bound(name: str, /, **params: object) -> str:
        return str(router.url_path_for(name, **params))

    return bound


@jinja2.pass_context
def template_path_for(context: Context, name: str, /, **params: Any) -> str:
    """``path_for`` in templates: ``{{ path_for("partners:detail", …) }}``."""
    request: HTTPConnection = context["request"]
    return path_for(request, name, **params)
