"""Who is asking: server-side sessions, the CSRF token, and form reading.

The session cookie holds only an opaque id (``__Host-session`` over https, ``session``
on plain-http development); the session itself lives in the database so that logout,
a password change or a disabled account end it at once. Every unsafe request goes
through ``form_endpoint``, which reads the form with size limits and checks the CSRF
token bound to the session (header ``X-CSRF-Token`` for htmx, field ``csrf_token`` for
plain forms).

Before login, a browser gets a cookie and no row: its CSRF token is an HMAC of the
cookie under the server secret (a signed double-submit token), so the login,
"forgot password" and invitation forms cost no insert, and a row is written only
when a password proves right. Every response to a logged-in person is marked
``Cache-Control: no-store`` (pages, fragments, exports, downloads), so no browser
or proxy cache keeps a copy; public static files keep their caching. The pages
that answer conditional GETs (``web.routes.conditional``) are the exception: ``private,
no-cache``, kept by the browser alone and asked again each time.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import Response

from governance.actor import Actor
from web.i18n import choose_language, current_language
from web.identity.accounts import Account
from web.identity.sessions import Session
from web.identity.tokens import same_token
from web.request_state import begin_request, request_state, stores

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 256 * 1024
MAX_FIELDS = 200


class LoginRequired(Exception):
    """Raised when a page needs a logged-in person and there is none."""


class CsrfFailed(Exception):
    """Raised when an unsafe request lacks the session's CSRF token."""


def cookie_name(request: HTTPConnection) -> str:
    """``__Host-`` prefixed (and Secure) over https; plain on http development."""
    # The scope's scheme, as ``request.url`` would give it, without building the URL
    # (every request asks).
    return "__Host-session" if request.scope.get("scheme") == "https" else "session"


class RequestContextMiddleware:
    """Sets the request's language and loads its session before any route runs;
    marks every answer to a logged-in person ``no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        language = choose_language(
            request.cookies.get("lang"), request.headers.get("accept-language")
        )
        token = current_language.set(language)
        state = begin_request(scope, language)
        cookie = request.cookies.get(cookie_name(request))
        if cookie and len(cookie) < 100:
            app = state.app
            now = app.clock.now()

            def look_up() -> Session:
                return app.stores.accounts.session(
                    cookie, now=now
                ) or anonymous_session(cookie, app.settings.secret_key, now)

            # Looked up by the first thing that asks, in its thread: a page's
            # worker thread, the one hop the request makes (not one more here).
            state.defer_session(look_up, cookie)
        static = scope.get("path", "").startswith(STATIC_PREFIX)

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start" and not static:
                # Read at the start of the answer: a login or logout made by this
                # very request counts. A session nothing looked up may be anyone's.
                pending = state.session_pending
                session = None if pending else state.session
                if pending or (session is not None and session.account is not None):
                    headers = MutableHeaders(scope=message)
                    # A tagged page (``web.routes.conditional``) is kept privately and
                    # asked again each time: its own ``private, no-cache`` stays.
                    if "etag" not in headers and "no-store" not in headers.get(
                        "cache-control", ""
                    ):
                        headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_private)
        finally:
            current_language.reset(token)


STATIC_PREFIX = "/static/"


def anonymous_session(token: str, secret_key: str, now: datetime) -> Session:
    """A pre-login session kept in the cookie alone (no row): its CSRF token is
    derived from the cookie under the server secret."""
    mac = hmac.new(secret_key.encode(), b"anonymous-csrf:" + token.encode(), "sha256")
    return Session(token, None, mac.hexdigest(), now)


def current_session(request: Request) -> Session | None:
    """The request's live session, if any."""
    return request_state(request).session


def current_account(request: Request) -> Account | None:
    """The logged-in account, if any."""
    session = current_session(request)
    return session.account if session else None


def require_account(request: Request) -> Account:
    """The logged-in account; raises ``LoginRequired`` otherwise."""
    account = current_account(request)
    if account is None:
        raise LoginRequired
    return account


def actor_of(account: Account) -> Actor:
    """The governance actor for an account."""
    return Actor(account.account_id, is_platform_admin=account.is_admin)


def ensure_session(request: Request) -> Session:
    """The request's session, or a new anonymous one for a pre-login form (a cookie
    value and its CSRF token, nothing stored).

    The new session's cookie is set by ``attach_session`` on the response.
    """
    state = request_state(request)
    if state.session is None:
        app = state.app
        state.session = anonymous_session(
            secrets.token_urlsafe(32), app.settings.secret_key, app.clock.now()
        )
    return state.session


def attach_session(request: Request, response: Response, session: Session) -> None:
    """Set the session cookie on the response."""
    secure = request.scope.get("scheme") == "https"
    response.set_cookie(
        cookie_name(request),
        session.token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=int(stores(request).accounts.session_lifetime.total_seconds()),
    )


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session ("" without a session)."""
    session = current_session(request)
    return session.csrf_token if session else ""


async def read_form(request: Request) -> FormData:
    """Read a form within limits and check its CSRF token; raises on failure."""
    form = await _parse(request, max_files=0, max_bytes=MAX_FORM_BYTES)
    _check_csrf(request, form)
    return form


async def _parse(request: Request, *, max_files: int, max_bytes: int) -> FormData:
    """Parse the body, refusing it (413) as soon as it exceeds ``max_bytes``.

    Bytes are counted as they arrive, whatever ``Content-Length`` announced.
    """
    length = request.headers.get("content-length")
    # isascii: "²".isdigit() is true, yet int("²") fails.
    if length is not None and (
        not (length.isascii() and length.isdigit()) or int(length) > max_bytes
    ):
        raise HTTPException(413, "Request body too large.")
    received = 0
    receive = request.receive

    async def counting_receive() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > max_bytes:
            raise HTTPException(413, "Request body too large.")
        return message

    limited = Request(request.scope, counting_receive)
    try:
        return await limited.form(
            max_files=max_files, max_fields=MAX_FIELDS, max_part_size=MAX_FORM_BYTES
        )
    except ClientDisconnect:
        raise HTTPException(400, "Incomplete request.") from None
    except HTTPException:
        raise
    except Exception as error:  # the multipart parser's own errors
        raise HTTPException(400, "Malformed form.") from error


def _check_csrf(request: Request, form: FormData) -> None:
    session = current_session(request)
    submitted = request.headers.get("x-csrf-token") or form.get("csrf_token")
    if session is None or not same_token(
        submitted if isinstance(submitted, str) else None, session.csrf_token
    ):
        logger.warning("csrf.refused path=%s", request.url.path)
        raise CsrfFailed


FormHandler = Callable[[Request, dict[str, str]], Response]


def form_endpoint(handler: FormHandler) -> Callable[[Request], Awaitable[Response]]:
    """Turn ``handler(request, fields)`` into an endpoint that reads the form safely.

    The form is read with limits and its CSRF token checked before the handler runs
    (in a worker thread, since services and stores are synchronous).
    """

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        form = await _parse(request, max_files=0, max_bytes=MAX_FORM_BYTES)
        fields = {key: value for key, value in form.items() if isinstance(value, str)}

        def checked() -> Response:
            # In the worker thread, where the session is looked up: one hop.
            _check_csrf(request, form)
            return handler(request, fields)

        return await run_in_threadpool(checked)

    return endpoint


UploadHandler = Callable[[Request, dict[str, str], dict[str, UploadFile]], Response]


def upload_endpoint(
    handler: UploadHandler, *, max_bytes: int = 10 * 1024 * 1024 + MAX_FORM_BYTES
) -> Callable[[Request], Awaitable[Response]]:
    """Like ``form_endpoint`` for forms with one file, counting bytes as they come.

    The body is refused with 413 as soon as it exceeds ``max_bytes``, whatever the
    ``Content-Length`` says; spooled files are closed afterwards.
    """

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        form = await _parse(request, max_files=1, max_bytes=max_bytes)
        try:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}

            def checked() -> Response:
                _check_csrf(request, form)
                return handler(request, fields, files)

            return await run_in_threadpool(checked)
        finally:
            await form.close()

    return endpoint


def client_address(request: Request) -> str:
    """The client's address, for logs."""
    return request.client.host if request.client else "-"


def template_context(request: Request) -> dict[str, Any]:
    """What every template may use: language, account, CSRF token."""
    return {
        "language": request_state(request).language,
        "account": current_account(request),
        "csrf_token": csrf_token(request),
    }
