"""One helper decides page or fragment, and renders either from the same template.

A fragment is a named block of the page template (jinja2-fragments). Works for
htmx 2 and 4: it never reads the htmx-2-only ``HX-Trigger`` request header.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.request_state import page_layout, request_state, templates

VARY = "HX-Request, HX-Request-Type, HX-Target"
DONE_COOKIE = "done"
"""Set by the redirect after a command, read once by the next page: "it worked"."""
DONE_EVENT = "consortium-done"
"""The htmx event an in-place answer to a command triggers (app.js shows the notice)."""


def wants_fragment(request: Request) -> bool:
    """Whether htmx asked for part of a page (not a boosted or history request)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") != "full"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page, or only ``block`` of it when htmx asked for a fragment.

    A whole page gets the layout's data (``layout``), computed here, before the
    template runs: templates do no I/O. A fragment has no layout and costs none.
    """
    done = request_state(request).saved and status_code < 400
    if block is not None and wants_fragment(request):
        response: Response = templates(request).TemplateResponse(
            request,
            template,
            context,
            block_name=block,
            status_code=status_code,
            headers=headers,
        )
        if done:
            # Beside the events the handler triggers itself ("partners-changed").
            own = response.headers.get("HX-Trigger")
            events = f"{own}, {DONE_EVENT}" if own else DONE_EVENT
            response.headers["HX-Trigger"] = events
    else:
        arrived_done = DONE_COOKIE in request.cookies
        response = templates(request).TemplateResponse(
            request,
            template,
            {
                **context,
                "layout": page_layout(request),
                # Not "done": pages have their own variables of that name.
                "done_notice": done or arrived_done,
            },
            status_code=status_code,
            headers=headers,
        )
        if arrived_done:
            response.delete_cookie(DONE_COOKIE, path="/")
    response.headers["Vary"] = VARY
    return response


def redirect(request: Request, url: str) -> Response:
    """After a command: 303 for plain forms, ``HX-Redirect`` for htmx.

    ``HX-Location`` would fetch the next page as an htmx request, which this module
    answers with a fragment; a full navigation keeps pages whole.
    """
    response: Response
    if wants_fragment(request):
        response = HTMLResponse("", headers={"HX-Redirect": url, "Vary": VARY})
    else:
        response = Response(status_code=303, headers={"Location": url, "Vary": VARY})
    if request_state(request).saved:
        # The next page says it worked, once: a short-lived cookie, not the URL
        # (a reload or a shared link must not say it again).
        response.set_cookie(
            DONE_COOKIE, "1", max_age=60, path="/", httponly=True, samesite="lax"
        )
    return response
