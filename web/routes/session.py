"""Logging in and out, and choosing the language."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.accounts import utcnow
from web.auth import (
    attach_session,
    client_address,
    cookie_name,
    current_account,
    current_session,
    ensure_session,
    form_endpoint,
)
from web.htmx import render
from web.i18n import LANGUAGES, gettext_
from web.labels import N_
from web.routes.common import stores

logger = logging.getLogger(__name__)


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return "/"


def login_page(request: Request) -> Response:
    if current_account(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    session = ensure_session(request)
    response = render(
        request,
        "auth/login.html",
        {
            "next": safe_next(request.query_params.get("next")),
            "email": "",
            "error": None,
        },
    )
    attach_session(request, response, session)
    return response


@form_endpoint
def login(request: Request, fields: dict[str, str]) -> Response:
    accounts = stores(request).accounts
    email = fields.get("email", "")[:254]
    account = accounts.authenticate(email, fields.get("password", "")[:1024])
    target = safe_next(fields.get("next"))
    if account is None:
        logger.warning("login.failed client=%s", client_address(request))
        # One message whatever went wrong: no hint about which accounts exist.
        return render(
            request,
            "auth/login.html",
            {
                "next": target,
                "email": email,
                "error": gettext_(N_("Wrong e-mail address or password.")),
            },
            status_code=422,
        )
    old = current_session(request)
    if old is not None:
        accounts.close_session(old.token)
    session = accounts.open_session(account, now=utcnow())
    if accounts.preferences(account.account_id).language is None:
        # E-mails go out in the language the person first used here, until chosen.
        accounts.update_preferences(account.account_id, language=request.state.language)
    logger.info("login.succeeded account=%s", account.account_id)
    response = RedirectResponse(target, status_code=303)
    attach_session(request, response, session)
    return response


@form_endpoint
def logout(request: Request, fields: dict[str, str]) -> Response:
    session = current_session(request)
    if session is not None:
        stores(request).accounts.close_session(session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookie_name(request), path="/")
    return response


@form_endpoint
def choose_language(request: Request, fields: dict[str, str]) -> Response:
    language = fields.get("language", "")
    response = RedirectResponse(safe_next(fields.get("next")), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            "lang",
            language,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=request.url.scheme == "https",
            httponly=True,
        )
    return response


async def health(request: Request) -> Response:
    position = await run_in_threadpool(stores(request).read_side.position)
    return Response(f"ok {position}\n", media_type="text/plain")


routes = [
    Route("/login", login_page, methods=["GET"], name="session:login_page"),
    Route("/login", login, methods=["POST"], name="session:login"),
    Route("/logout", logout, methods=["POST"], name="session:logout"),
    Route("/language", choose_language, methods=["POST"], name="session:language"),
    Route("/healthz", health, methods=["GET"], name="session:health"),
]
