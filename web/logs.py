"""Log lines that say which request they belong to, as text or as JSON.

Every request gets an id: the one a proxy sent in ``X-Request-Id`` when it is
well formed, else a new one. The response carries it back, and every line logged
while the request runs carries it too (uvicorn's access line included, which is
written from inside the response's ``send``), so an operator can follow one request
from the proxy's log to ours. Lines logged outside a request say ``-``.

``CONSORTIUM_LOG_FORMAT=json`` writes one JSON object per line on stdout (for a log
collector); the default is one line of text on stderr.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING, TextIO

from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import Headers, MutableHeaders

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-Id"
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

_HANDLER_NAME = "consortium"

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

# An id from outside is kept only if it cannot forge a log line or grow one without
# bound: letters, digits and a few separators, as proxies' ids (UUIDs, hex) are.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id_from(headers: Headers) -> str:
    """The request's id: the proxy's if well formed, else a new one."""
    given = headers.get(HEADER, "")
    return given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each HTTP request its id, for the response and for every log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record a handler writes.

    On the handler, not a logger: a logger's filters skip the records that reach
    the handler from other loggers (uvicorn's, the libraries')."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class _StandardStream(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stdout`` or ``sys.stderr`` as they are when a line is written,
    not as they were when logging was set up (a test runner swaps them)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._standard = name

    @property
    def stream(self) -> TextIO:
        stream: TextIO = getattr(sys, self._standard)
        return stream

    @stream.setter
    def stream(self, value: object) -> None:
        """The stream is always the current standard one."""


def log_handler(log_format: str) -> logging.Handler:
    """The one handler every line goes through, in ``log_format``."""
    if log_format == "json":
        handler: logging.Handler = _StandardStream("stdout")
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level"},
            )
        )
    else:
        handler = _StandardStream("stderr")
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name(_HANDLER_NAME)
    return handler


def configure_logging(log_format: str, *, verbose: bool = False) -> None:
    """Send every log line of this process through one handler in ``log_format``.

    Replaces the handler an earlier call added (lines are never doubled); like
    ``logging.basicConfig``, leaves alone a process whose logging someone else set
    up (a test runner capturing it). uvicorn is then started without a logging
    configuration of its own, so its lines come here too."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == _HANDLER_NAME]
    if len(ours) != len(root.handlers):
        return
    for handler in ours:
        root.removeHandler(handler)
    root.addHandler(log_handler(log_format))
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Alembic says which dialect it found at every start, and APScheduler writes two
    # lines for every run of every job (the pollers run every 5 s): only their
    # warnings. The jobs' own runs are recorded (``consortium health``, the health
    # page) and their failures logged by our code.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(
            logging.DEBUG if verbose else logging.WARNING
        )


def configure_logging_once(log_format: str) -> None:
    """``configure_logging`` unless this process has logging set up already (the
    command line did, with its ``--verbose``)."""
    if not logging.getLogger().handlers:
        configure_logging(log_format)
