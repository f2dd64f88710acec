"""``path_for`` finds a route by its name directly (``web.links._Reverse``) instead
of trying every route as Starlette does: it must give Starlette's answer for every
route of the application, and Starlette's error for what no route matches."""

from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, NoMatchFound, Route, Router

from web.app import all_routes
from web.links import paths_of


def _ok(_request: object) -> Response:
    return PlainTextResponse("")


def test_every_application_route_as_starlette_builds_it() -> None:
    router = Router(routes=all_routes())
    path_for = paths_of(router)
    checked = 0
    for route in router.routes:
        if not isinstance(route, Route):
            continue
        params = {name: f"value-{name}" for name in route.param_convertors}
        for name, convertor in route.param_convertors.items():
            if convertor.regex == "[0-9]+":
                params[name] = "7"
        assert path_for(route.name, **params) == router.url_path_for(
            route.name, **params
        )
        checked += 1
    assert checked > 200  # the whole table, not a few routes


def test_same_name_other_parameters_mounted_apps_and_unknown_names() -> None:
    inner = Router(routes=[Route("/spec.json", _ok, name="spec")])
    router = Router(
        routes=[
            Route("/items", _ok, name="items:list"),
            Route("/items/{item_id}", _ok, name="items:list"),
            Mount("/api", app=inner, name="api"),
        ]
    )
    path_for = paths_of(router)
    assert path_for("items:list") == "/items"
    assert path_for("items:list", item_id="a") == "/items/a"
    assert path_for("api:spec") == "/api/spec.json"
    with pytest.raises(NoMatchFound):
        path_for("items:list", other="b")
    with pytest.raises(NoMatchFound):
        path_for("nowhere:at_all")
