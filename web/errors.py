"""Domain and HTTP errors mapped to responses in one place.

Not found → 404 (also for consortia the person does not belong to: their existence
is not revealed); not permitted → 403; a refused rule → 422 with the reason; a change
made meanwhile → 409 "reload"; login needed → redirect to the login page. htmx
requests get a small alert fragment aimed at the page's alert region; others a page.
Never a stack trace in a body.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from governance.errors import Conflict, NotFound, NotPermitted, RuleViolated
from web.auth import CsrfFailed, LoginRequired, client_address
from web.htmx import VARY, wants_fragment
from web.i18n import N_, gettext_
from web.identity.passwords import PasswordChecksBusy
from web.links import path_for
from web.presentation.labels import rule_message
from web.request_state import page_layout, templates
from web.security import HEADERS as SECURITY_HEADERS

if TYPE_CHECKING:
    from starlette.types import ExceptionHandler

logger = logging.getLogger(__name__)

TITLES = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Changed meanwhile"),
    413: N_("Too large"),
    422: N_("Not possible"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Busy"),
}

MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("Your role in this consortium does not allow this."),
    404: N_("There is nothing here, or you do not have access to it."),
    405: N_("This address does not accept that kind of request."),
    409: N_("Someone changed this meanwhile. Reload the page and try again."),
    413: N_("What you sent is too large."),
    500: N_("The error has been logged. Try again in a moment."),
}


def error_response(
    request: Request, status: int, message: str | None = None
) -> Response:
    """An error page, or an alert fragment for htmx."""
    text = message or gettext_(MESSAGES.get(status, MESSAGES[400]))
    context = {
        "status": status,
        "title": gettext_(TITLES.get(status, TITLES[400])),
        "message": text,
    }
    if wants_fragment(request):
        response: Response = templates(request).TemplateResponse(
            request,
            "errors/error.html",
            context,
            block_name="alert",
            status_code=status,
            headers={"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"},
        )
    else:
        response = templates(request).TemplateResponse(
            request,
            "errors/error.html",
            {**context, "layout": page_layout(request)},
            status_code=status,
        )
    response.headers["Vary"] = VARY
    return response


async def not_found(request: Request, exc: Exception) -> Response:
    logger.info(
        "access.not_found path=%s client=%s", request.url.path, client_address(request)
    )
    return error_response(request, 404)


async def not_permitted(request: Request, exc: Exception) -> Response:
    logger.warning(
        "access.refused path=%s client=%s detail=%s",
        request.url.path,
        client_address(request),
        exc,
    )
    return error_response(request, 403)


async def rule_violated(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RuleViolated)  # noqa: S101 - registered for this type
    return error_response(request, 422, rule_message(exc))


async def conflict(request: Request, exc: Exception) -> Response:
    return error_response(request, 409)


async def csrf_failed(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        403,
        gettext_(
            N_(
                "Your form expired or did not come from this site. Reload the page and try again."
            )
        ),
    )


async def login_required(request: Request, exc: Exception) -> Response:
    target = path_for(request, "session:login_page") + "?next="
    target += quote(request.url.path, safe="/")
    if wants_fragment(request):
        return Response(status_code=200, headers={"HX-Redirect": target, "Vary": VARY})
    return RedirectResponse(target, status_code=303)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for this type
    return error_response(request, exc.status_code)


async def busy(request: Request, exc: Exception) -> Response:
    """Too many password checks at once in this process (``web/identity/passwords.py``)."""
    logger.warning("passwords.busy path=%s", request.url.path)
    response = error_response(
        request,
        503,
        gettext_(
            N_(
                "The server is busy checking other passwords. Nothing was checked "
                "or counted: send the form again in a moment."
            )
        ),
    )
    response.headers["Retry-After"] = "5"
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    logger.error("server.error path=%s", request.url.path, exc_info=exc)
    try:
        response = error_response(request, 500)
    except Exception:  # the error page itself failed: answer plainly
        response = Response(
            "Internal server error", status_code=500, media_type="text/plain"
        )
    # Sent from outside our middleware: add the security headers here.
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


HANDLERS: dict[type[Exception] | int, ExceptionHandler] = {
    NotFound: not_found,
    NotPermitted: not_permitted,
    RuleViolated: rule_violated,
    Conflict: conflict,
    CsrfFailed: csrf_failed,
    LoginRequired: login_required,
    PasswordChecksBusy: busy,
    HTTPException: http_error,
    500: server_error,
}
