"""The request's state, typed: the one module that reads ``request.state``.

Starlette's ``request.state`` is an untyped bag. Here it holds two objects, each
reached through a typed accessor:

- ``AppState``, the process's objects the lifespan hands every request: the stores
  and their one clock, the templates, the settings, and how to compute the layout's
  data for a page;
- ``RequestState``, what belongs to one request, made first thing by the request
  middleware (``web.auth``): its language, its session (looked up on first use),
  whether a command was saved, and what every page asks once: the layout's data,
  the memberships read.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from jinja2_fragments.starlette import Jinja2Blocks
from starlette.requests import HTTPConnection, Request

from governance.clock import Clock
from projections.members import MembershipRow
from web.identity.sessions import Session
from web.presentation.layout import Layout
from web.settings import Settings
from web.stores import Stores

# The keys of the two objects in the scope's state (Starlette's ``request.state``).
APP_KEY = "app"
REQUEST_KEY = "request"

# Computes the layout's data for the request's person (routes' side: it queries).
LayoutSource = Callable[[Request], Layout]


@dataclass(frozen=True)
class AppState:
    """What the process gives every request, built once by the composition root."""

    stores: Stores
    templates: Jinja2Blocks
    settings: Settings
    layout: LayoutSource

    @property
    def clock(self) -> Clock:
        """The process's one clock (the stores'): pages, sessions and commands."""
        return self.stores.clock


@dataclass
class RequestState:
    """What one request carries besides its headers and body."""

    app: AppState
    language: str
    # A command's events are committed: a database fault after this says "saved".
    saved: bool = False
    # The layout's data, computed once per page: with the membership on a
    # consortium's page (``web.routes.common.consortium_access``) or its tag,
    # else by the first full page rendered.
    layout: Layout | None = None
    # The log position of the last command this request committed (0: none), and
    # the position the read models were last seen to include (``web.own_writes``).
    written: int = 0
    awaited: int = 0
    # Memberships read by this request, by (consortium, account): the page's tag
    # and the page itself ask once (``web.routes.common.consortium_access``).
    memberships: dict[tuple[str, str], MembershipRow | None] = field(
        default_factory=dict
    )
    # The session once looked up (``session``), and how to look it up until then.
    _session: Session | None = None
    _pending: Callable[[], Session | None] | None = None
    _pending_cookie: str = ""

    @property
    def session(self) -> Session | None:
        """The live session, an anonymous one (a cookie and its CSRF token), or
        none; looked up on first use, in the thread that first needs it (the
        page's own worker thread: one hop per request, ``web.auth``)."""
        if self._pending is not None:
            look_up, self._pending = self._pending, None
            self._session = look_up()
        return self._session

    @session.setter
    def session(self, value: Session | None) -> None:
        self._pending = None
        self._pending_cookie = ""
        self._session = value

    def defer_session(self, look_up: Callable[[], Session | None], cookie: str) -> None:
        """Look the session of the cookie value ``cookie`` up only when something
        first asks for it."""
        self._pending = look_up
        self._pending_cookie = cookie

    @property
    def pending_cookie(self) -> str:
        """The cookie value of the session not looked up yet ("" if none is
        pending): a tagged page looks it up with its facts
        (``web.identity.tagged_page``)."""
        return self._pending_cookie if self._pending is not None else ""

    @property
    def session_pending(self) -> bool:
        """Whether the session was not looked up yet (nothing asked for it)."""
        return self._pending is not None


def lifespan_state(app: AppState) -> dict[str, Any]:
    """The lifespan's state: Starlette copies it into every request's scope."""
    return {APP_KEY: app}


def begin_request(scope: MutableMapping[str, Any], language: str) -> RequestState:
    """The request's state, made on first call (else found), in ``language``.

    Called by the middleware that reads the session, and again by the fault
    middleware around it when it renders a fault page.
    """
    state = scope.setdefault("state", {})
    found = state.get(REQUEST_KEY)
    if isinstance(found, RequestState):
        found.language = language
        return found
    app = state.get(APP_KEY)
    if not isinstance(app, AppState):
        raise RuntimeError("the app's state is missing: was the lifespan run?")
    made = RequestState(app, language)
    state[REQUEST_KEY] = made
    return made


def request_state(connection: HTTPConnection) -> RequestState:
    """The request's own state (made by the request middleware)."""
    found = connection.scope.get("state", {}).get(REQUEST_KEY)
    if not isinstance(found, RequestState):
        raise RuntimeError("the request's state is missing: is the middleware on?")
    return found


def request_state_if_made(scope: MutableMapping[str, Any]) -> RequestState | None:
    """The request's state if a middleware made one yet, else None (a request
    answered before the session middleware ran has none)."""
    found = scope.get("state", {}).get(REQUEST_KEY)
    return found if isinstance(found, RequestState) else None


def app_state(connection: HTTPConnection) -> AppState:
    """The process's objects, as the lifespan handed them to this request."""
    found = connection.scope.get("state", {}).get(APP_KEY)
    if not isinstance(found, AppState):
        raise RuntimeError("the app's state is missing: was the lifespan run?")
    return found


def stores(connection: HTTPConnection) -> Stores:
    """The process's stores."""
    return app_state(connection).stores


def templates(connection: HTTPConnection) -> Jinja2Blocks:
    """The templates pages are rendered from."""
    return app_state(connection).templates


def clock(connection: HTTPConnection) -> Clock:
    """The process's one clock."""
    return app_state(connection).clock


def page_layout(request: Request) -> Layout:
    """The layout's data for this request, computed on first call only."""
    state = request_state(request)
    if state.layout is None:
        state.layout = state.app.layout(request)
    return state.layout
