"""Database faults: PostgreSQL out of reach, a full disk, answered with a clear page.

A request that fails because a database cannot be reached (connection refused, a
pool that found no live connection within its timeout, a connection dropped by a
server restart) gets a 503 page with ``Retry-After``; a write refused because the
storage is full (SQLite's ``SQLITE_FULL``, an I/O error on write such as ``EFBIG``
or ``ENOSPC``, PostgreSQL's ``disk_full``) gets a 507 page. Either way nothing the
request tried to write was stored: the event store writes a command's events in one
transaction, so a refused write leaves no trace, and a command is acknowledged only
after its transaction committed.

The middleware sits outside the session middleware so a session that cannot be
loaded gives the same page, and the page is rendered for nobody: without the
session, and with the layout's data of nobody logged in (no query).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import TYPE_CHECKING, Literal

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from starlette.requests import Request
from starlette.responses import Response

from web.htmx import VARY, wants_fragment
from web.i18n import N_, choose_language, current_language, gettext_
from web.presentation.layout import NO_ONE
from web.request_state import begin_request, request_state, templates

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

Fault = Literal["unavailable", "full", "saved"]
RETRY_AFTER_SECONDS = 10
HEALTH_PATH = "/healthz"

# SQLite primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 5, 6, 8
SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL = 10, 13, 14, 15
SQLITE_TRANSIENT = {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CANTOPEN}
SQLITE_TRANSIENT |= {SQLITE_PROTOCOL}
FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}

TITLES: dict[Fault, str] = {
    "unavailable": N_("Database unavailable"),
    "full": N_("Storage full"),
    "saved": N_("Database unavailable"),
}
MESSAGES: dict[Fault, str] = {
    "unavailable": N_(
        "The database cannot be reached right now. Nothing was saved by this "
        "request: if you were sending a form, send it again in a moment."
    ),
    "full": N_(
        "The server cannot write to its storage (its disk is probably full), so "
        "nothing was saved by this request. Everything saved before is kept. Try "
        "again once the administrators have freed space."
    ),
    # The command was committed before the fault (while the page was prepared).
    "saved": N_(
        "What you sent was saved, but the page cannot be shown right now. Do not "
        "send it again: reload the page in a moment."
    ),
}
STATUS: dict[Fault, int] = {"unavailable": 503, "full": 507, "saved": 503}


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes, outermost first (each seen once)."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not e for e in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _one(error: BaseException) -> Fault | None:
    if isinstance(error, psycopg.errors.DiskFull):
        return "full"
    if isinstance(error, psycopg.Error) and str(error.sqlstate or "").startswith("40"):
        return None  # class 40, a serialization failure or deadlock: not an outage
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        # Connection refused or dropped, pool timeout (psycopg_pool.PoolTimeout is
        # an OperationalError), statement cancelled by a shutdown.
        return "unavailable"
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(error).lower()
        if primary == SQLITE_FULL or "database or disk is full" in text:
            return "full"
        if primary == SQLITE_IOERR or "disk i/o error" in text:
            # Writes past a file-size limit (EFBIG) or a full disk (ENOSPC) end
            # here when the write fails outright rather than short.
            return "full"
        if primary in SQLITE_TRANSIENT:
            return "unavailable"
        return None
    if isinstance(error, OSError) and error.errno in FULL_ERRNOS:
        return "full"
    return None


def classify(error: BaseException) -> Fault | None:
    """Which database fault caused ``error``, if any.

    Looks through the wrappers (SQLAlchemy, ``eventsourcing``) at the driver's own
    error; SQLAlchemy's pool errors (no connection within the timeout) and an
    ``eventsourcing`` ``OperationalError`` without a driver cause count as
    unavailable. Programming errors (a missing table, bad SQL) are not faults.
    """
    chain = _chain(error)
    for link in chain:
        fault = _one(link)
        if fault is not None:
            return fault
    for link in chain:
        if isinstance(
            link,
            (
                sqlalchemy.exc.TimeoutError,
                sqlalchemy.exc.DisconnectionError,
                persistence.InterfaceError,
            ),
        ):
            return "unavailable"
        if isinstance(link, sqlalchemy.exc.DBAPIError) and link.connection_invalidated:
            return "unavailable"
    return None


def health_unavailable(fault: Fault) -> Response:
    """The health check's answer while a database is out of reach."""
    return Response(
        f"unavailable: database {fault}\n",
        status_code=503,
        media_type="text/plain",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def fault_response(request: Request, fault: Fault) -> Response:
    """The 503/507 page (or htmx alert) in the visitor's language."""
    state = request_state(request)
    if state.saved:
        fault = "saved"
    status = STATUS[fault]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Vary": VARY}
    if request.url.path == HEALTH_PATH:
        # For load balancers and monitors: the same words as the health route.
        return health_unavailable(fault)
    # Rendered for nobody: the database may be what failed.
    state.session = None
    context = {
        "status": status,
        "title": gettext_(TITLES[fault]),
        "message": gettext_(MESSAGES[fault]),
    }
    try:
        if wants_fragment(request):
            headers |= {"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"}
            response: Response = templates(request).TemplateResponse(
                request,
                "errors/error.html",
                context,
                block_name="alert",
                status_code=status,
                headers=headers,
            )
        else:
            response = templates(request).TemplateResponse(
                request,
                "errors/error.html",
                {**context, "layout": NO_ONE},
                status_code=status,
                headers=headers,
            )
    except Exception:  # the page itself failed: say it plainly
        logger.exception("database.fault_page_failed")
        response = Response(
            f"{context['title']}. {context['message']}\n",
            status_code=status,
            media_type="text/plain",
            headers=headers,
        )
    return response


SAFE_METHODS = frozenset({"GET", "HEAD"})


def retried_safely(scope: Scope, error: BaseException) -> bool:
    """Whether a request may be sent again on fresh connections: a read (nothing
    it did is kept) that failed on a pooled connection found dropped."""
    return scope.get("method") in SAFE_METHODS and any(
        isinstance(link, sqlalchemy.exc.DBAPIError) and link.connection_invalidated
        for link in _chain(error)
    )


class DatabaseFaultMiddleware:
    """Turns a database fault raised anywhere below into a 503 or 507 page.

    A fault raised after the response started (a streamed download) cannot be
    answered with a page; it is re-raised and the connection closes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            try:
                await self.app(scope, receive, watching_send)
            except Exception as error:
                if started or not retried_safely(scope, error):
                    raise
                # The pool keeps no pre-ping round trip per checkout: a connection
                # a server restart broke fails its first statement, which makes
                # SQLAlchemy drop every pooled connection of that time. A read is
                # asked again once, on fresh connections.
                logger.info("database.reconnected path=%s", scope.get("path", ""))
                await self.app(scope, receive, watching_send)
        except Exception as error:
            fault = classify(error)
            if fault is None or started:
                raise
            request = Request(scope, receive)
            logger.warning(
                "database.%s path=%s method=%s error=%s",
                fault,
                request.url.path,
                request.method,
                " ".join(str(error).split())[:300],
            )
            language = choose_language(
                request.cookies.get("lang"), request.headers.get("accept-language")
            )
            token = current_language.set(language)
            try:
                begin_request(scope, language)
                response = fault_response(request, fault)
            finally:
                current_language.reset(token)
            await response(scope, receive, send)
