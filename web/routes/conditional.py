"""Conditional GET: a consortium page's ``ETag``, and ``304 Not Modified`` without
rendering when the browser already holds it.

A page is tagged only if everything it shows is named by its tag:

- the consortium's log, by the position of its last event the read models applied
  (``projections.freshness``: none while projections disagree, so no tag);
- who asks and how: the session (pages embed its CSRF token), the account's name
  and flags shown in the header, the role (and partner) in this consortium, the
  language;
- the layout around the content: the unread-notices count (which follows the
  person's preferences: when notices were last read) and the portfolio link (a
  financer anywhere, another consortium's log);
- the day, in UTC and in the displayed zone ("overdue", "in 3 days");
- the address (path and query) and the htmx headers a fragment is chosen by.

A page that shows anything else is not tagged: names and e-mails of people (the
accounts store), the state of files, audit verifications, request keys (a form
whose key would be reused, ``web.usecases.keys``). So only the routes named in
``CONDITIONAL`` are, each checked for it; an answer that sets a cookie, or carries
a request key, or the one-shot "Done" notice (its cookie), is never tagged. The
tag is an HMAC under the server's secret: it reveals nothing, and another session
computes another one, so it never gets a 304 for someone else's page.

Tagged answers say ``Cache-Control: private, no-cache``: the browser keeps the page
(never a shared cache) and asks again each time, sending ``If-None-Match``.

The tag asks one statement: the session of the cookie with the page's facts and
the unread count (``web.identity.tagged_page``), when nothing asked the session
before it (else the facts alone, ``notifications.page_unread``).

On SQLite the tag is computed on the event loop, and a 304 answered there: its
read is in-process and never waits for a writer (WAL), and a hop to a worker
thread and back costs more than it does (measured: 304s +50 %,
docs/performance.md). Only a page to render goes to a worker thread. On PostgreSQL
the read is a network round trip, which must not hold the loop: the tag and the
page are computed in the page's one worker thread.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from notifications.page_unread import page_facts_and_unread
from web.auth import current_session
from web.htmx import DONE_COOKIE, VARY
from web.i18n import DISPLAY_ZONE
from web.identity.sessions import Session
from web.identity.tagged_page import tagged_facts
from web.presentation.layout import MAX_UNREAD, REMINDER_LIMIT
from web.request_state import request_state
from web.routes.common import (
    consortium_access,
    counted_layout,
    notices_seen_at,
    queries,
)

CONDITIONAL: frozenset[str] = frozenset(
    {
        # Each reads only its consortium's read models, the layout and the day.
        "consortia:overview",
        "partners:index",
        "decisions:index",
    }
)
"""The routes whose pages are tagged (each checked against the module's list)."""

CACHE_CONTROL = "private, no-cache"
HTMX_HEADERS = (
    "HX-Request",
    "HX-Boosted",
    "HX-History-Restore-Request",
    "HX-Request-Type",
    "HX-Target",
)
KEY_FIELD = b'name="request_key"'
VERSION = "2"
"""Changed when what a tag covers changes, so that no old tag matches."""

Endpoint = Callable[[Request], Response]


def page_tag(request: Request) -> str | None:
    """The tag of the page this request asks for, or None if it is not tagged.

    Raises as the page would (login required, 404 for non-members): the access is
    checked before anything is compared.
    """
    state = request_state(request)
    if DONE_COOKIE in request.cookies:
        return None
    try:
        consortium_id = str(UUID(request.path_params["consortium_id"]))
    except ValueError:
        return None  # not tagged: the page answers (the login, or not found)
    # The tracking rows of this process's own table sets (a reshaped projection's
    # row is named after its set): while one is still being built, they differ.
    names = state.app.stores.read_side.tracking_names()
    token = state.pending_cookie
    session: Session | None
    if token:
        # Nothing asked for the session yet: it is one statement with the facts.
        with queries(request, attached=True) as connection:
            found = tagged_facts(
                connection,
                token,
                consortium_id,
                names,
                REMINDER_LIMIT,
                MAX_UNREAD + 1,
                now=state.app.clock.now(),
            )
        if found is None:
            return None  # no live session of a person: the page says what follows
        state.session = session = found.session
        facts, unread = found.facts, found.unread
    else:
        session = current_session(request)
        if session is None or session.account is None:
            return None
        # One statement for the membership (kept for the page), the position and
        # the layout with its unread count (kept for the page too if it is
        # rendered): ``notifications.page_unread``.
        seen = notices_seen_at(request, session.account.account_id)
        with queries(request, attached=True) as connection:
            facts, unread = page_facts_and_unread(
                connection,
                consortium_id,
                session.account.account_id,
                names,
                seen,
                REMINDER_LIMIT,
                MAX_UNREAD + 1,
            )
    account = session.account
    if account is None:
        return None
    state.memberships[consortium_id, account.account_id] = facts.membership
    position = facts.position
    if state.layout is None:
        state.layout = counted_layout(facts.layout, unread)
    access = consortium_access(request)  # 404 for a non-member, as the page
    if position is None:
        return None
    membership = access.membership
    now = state.app.clock.now()
    parts = [
        VERSION,
        # The address as it arrived (the scope's, not ``request.url``: no URL built).
        request.scope["path"],
        request.scope["query_string"].decode("latin-1"),
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
        session.token,
        session.csrf_token,
        account.account_id,
        account.email,
        account.display_name,
        str(account.is_admin),
        state.language,
        membership.role.value,
        membership.partner_id or "",
        str(position),
        repr(state.layout),
        now.date().isoformat(),
        now.astimezone(DISPLAY_ZONE).date().isoformat(),
    ]
    digest = hmac.new(
        state.app.settings.secret_key.encode(),
        "\x1f".join(parts).encode(),
        hashlib.sha256,
    ).hexdigest()
    return f'W/"{digest[:32]}"'


def matches(request: Request, tag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``tag`` (weak comparison)."""
    header = request.headers.get("if-none-match", "")
    opaque = tag.removeprefix("W/")
    return any(
        candidate.strip().removeprefix("W/") == opaque
        for candidate in header.split(",")
    )


def taggable(response: Response) -> bool:
    """Whether an answer may carry the tag: a whole 200 that sets no cookie and
    holds no request key."""
    return (
        response.status_code == 200
        and "set-cookie" not in response.headers
        and KEY_FIELD not in bytes(response.body)
    )


def not_modified(tag: str) -> Response:
    """The empty answer to a browser whose copy is current."""
    return Response(
        status_code=304,
        headers={"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": VARY},
    )


def rendered(endpoint: Endpoint, request: Request, tag: str | None) -> Response:
    """The page, carrying the tag if it may."""
    response = endpoint(request)
    if tag is not None and taggable(response):
        response.headers["ETag"] = tag
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def answered(endpoint: Endpoint, request: Request) -> Response:
    """A 304 if the browser's copy is current, else the page (one thread's work)."""
    tag = page_tag(request)
    if tag is not None and matches(request, tag):
        return not_modified(tag)
    return rendered(endpoint, request, tag)


def conditional(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, answering 304 when the browser's copy is current, and tagging
    what it renders otherwise; where each part runs is said in the module's text."""
    if inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: a conditional page is synchronous")

    @functools.wraps(endpoint)
    async def page(request: Request) -> Response:
        if request_state(request).app.settings.uses_postgres:
            return await run_in_threadpool(answered, endpoint, request)
        tag = page_tag(request)
        if tag is not None and matches(request, tag):
            return not_modified(tag)
        return await run_in_threadpool(rendered, endpoint, request, tag)

    return page


def conditional_routes(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """The routes, those named in ``CONDITIONAL`` answering conditional GETs."""
    found = {r.name for r in routes if isinstance(r, Route)} & CONDITIONAL
    if found != CONDITIONAL:
        raise ValueError(f"no such route: {', '.join(sorted(CONDITIONAL - found))}")
    return [
        Route(
            route.path,
            conditional(route.endpoint),
            methods=sorted((route.methods or {"GET"}) - {"HEAD"}),
            name=route.name,
        )
        if isinstance(route, Route) and route.name in CONDITIONAL
        else route
        for route in routes
    ]
