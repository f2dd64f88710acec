"""Read-your-writes for the person who acted, without making the command wait.

A command returns as soon as its events are committed; the read models catch up
behind it (the background applier on SQLite, the worker on PostgreSQL). The log
position of the browser's last command travels in a cookie signed with the server
secret (so it works whichever host answers next, and costs no write), and every
later request of that browser waits, before its route runs, until the read models
include that position, catching up itself if nothing else has (``ReadSide.wait_for``,
with its timeout). Other browsers never wait for it: they see the change as soon as
it is applied.

A request that renders from the read models right after its own command (an htmx
fragment shown in place) waits the same way, at its first read: ``settle``.

Waiting can fail (the read models' database out of reach): the command stays
committed, the fault is logged, and the page is answered from what the read models
hold (or with the fault page that says what was sent is saved, ``web.faults``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection

from projections.runtime import ReadSide
from web.faults import classify
from web.request_state import app_state, request_state_if_made
from web.request_state import request_state as state_of

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# Long enough for any read model to catch up; a later command sets it again.
MAX_AGE_SECONDS = 3600
STATIC_PREFIX = "/static/"
_CONTEXT = b"written-position:"


def cookie_name(scheme: str) -> str:
    """``__Host-`` prefixed (and Secure) over https, like the session cookie."""
    return "__Host-written" if scheme == "https" else "written"


def signed(position: int, secret_key: str) -> str:
    """The cookie's value for ``position``: the number and its MAC."""
    return f"{position}.{_mac(position, secret_key)}"


def position_in(value: str | None, secret_key: str) -> int:
    """The position a cookie value carries, 0 if none or not signed by us."""
    if not value or len(value) > 80:
        return 0
    number, _, mac = value.partition(".")
    if not (number.isascii() and number.isdigit() and len(number) < 19):
        return 0
    position = int(number)
    if not hmac.compare_digest(mac, _mac(position, secret_key)):
        return 0
    return position


def _mac(position: int, secret_key: str) -> str:
    digest = hmac.new(
        secret_key.encode(), _CONTEXT + str(position).encode(), hashlib.sha256
    )
    return digest.hexdigest()[:32]


def remember(connection: HTTPConnection, position: int) -> None:
    """A command of this request committed its events at ``position``.

    From now on a fault says the command was saved; the response carries the
    position to the browser's next requests.
    """
    state = state_of(connection)
    state.saved = True
    state.written = max(state.written, position)


def settle(connection: HTTPConnection) -> None:
    """The read models include this request's own command, if it ran one (called
    before reading them: a fragment rendered in place after a command)."""
    state = state_of(connection)
    if state.written > state.awaited:
        wait_until_applied(state.app.stores.read_side, state.written)
        state.awaited = state.written


def wait_until_applied(read_side: ReadSide, position: int) -> None:
    """Wait until the read models include ``position``, catching up here if needed.

    A database fault is logged, not raised: the events are committed, and the read
    side retries on its next catch-up. Anything else is raised.
    """
    try:
        if not read_side.includes(position):
            read_side.wait_for(position)
    except Exception as error:
        if classify(error) is None:
            raise
        logger.warning("read_side.behind position=%s error=%s", position, error)


class OwnWritesMiddleware:
    """Waits for the browser's last command before its request runs; gives the
    browser the position of the command this request ran, if any."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        app = app_state(connection)
        name = cookie_name(scope.get("scheme", "http"))
        secret = app.settings.secret_key
        known = position_in(connection.cookies.get(name), secret)
        read_side = app.stores.read_side
        if known > read_side.reached:
            await run_in_threadpool(_wait_for_earlier, read_side, known)

        async def send_position(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = request_state_if_made(scope)
                if state is not None and state.written > known:
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", _cookie(name, state.written, secret))
            await send(message)

        await self.app(scope, receive, send_position)


def _wait_for_earlier(read_side: ReadSide, position: int) -> None:
    """Wait for an earlier request's command; whatever fails, the page is still
    answered (from what the read models hold), and the failure logged."""
    try:
        wait_until_applied(read_side, position)
    except Exception:
        logger.exception("read_side.wait_failed position=%s", position)


def _cookie(name: str, position: int, secret_key: str) -> str:
    secure = "; Secure" if name.startswith("__Host-") else ""
    return (
        f"{name}={signed(position, secret_key)}; Max-Age={MAX_AGE_SECONDS}; "
        f"Path=/; HttpOnly; SameSite=lax{secure}"
    )
