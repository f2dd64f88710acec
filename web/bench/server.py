"""The two ASGI apps the benchmark serves with the same uvicorn settings.

``real_app`` is the application on the benchmark's store (settings from the
environment, as ``consortium serve``; the scheduler is off so that no periodic job
runs during a measurement). ``bare_app`` is the limit: a bare Starlette endpoint
returning a constant page, and a bare POST endpoint that reads a form and redirects.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from web.settings import Settings

CONSTANT_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bench</title>"
    "</head><body><main>"
    + "<p>A constant page of about ten kilobytes.</p>" * 220
    + "</main></body></html>"
)


def real_app() -> Starlette:
    """The application, as ``consortium serve`` builds it, without the scheduler."""
    from web.app import create_app

    settings = replace(Settings.from_env(), scheduler=False).with_secret()
    return create_app(settings)


async def _page(request: Request) -> Response:
    return HTMLResponse(CONSTANT_PAGE)


async def _post(request: Request) -> Response:
    form = await request.form()
    target = str(form.get("next", "/page"))
    return RedirectResponse(target if target.startswith("/") else "/page", 303)


def bare_app() -> Starlette:
    """A constant page (GET /page) and a form post that redirects (POST /post)."""
    return Starlette(
        routes=[
            Route("/page", _page, methods=["GET"]),
            Route("/post", _post, methods=["POST"]),
        ]
    )
