"""Addresses built from route names, never written out by hand.

Each route has a name (``area:action``, ``web/routes/``); a link asks the app for the
path of a name and its parameters, so a route can move without a page noticing.
Paths stay relative (``/consortia/…``), as the pages have always written them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import jinja2
from jinja2.runtime import Context
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, NoMatchFound, Route, Router


class PathFor(Protocol):
    """Gives the path of a named route with its parameters."""

    def __call__(self, name: str, /, **params: object) -> str: ...


class _Reverse:
    """The routes of each name in a route table, so that a link tries those only.

    Starlette's ``url_path_for`` tries every route in turn, each refusal a raised
    ``NoMatchFound``: among the app's hundreds of routes a link cost 50–100 µs, and
    a page makes dozens (the consortium's menu alone, every row's link), a fifth of
    a rendered page. A name found nowhere (a mounted app's ``api:…``, a typo) goes
    the router's own way, so the answer and the error are Starlette's.
    """

    def __init__(self, router: Router | Starlette) -> None:
        self.router = router
        self.by_name: dict[str, list[BaseRoute]] = {}
        for route in router.routes:
            if isinstance(route, Route):
                self.by_name.setdefault(route.name, []).append(route)

    def path(self, name: str, params: dict[str, Any]) -> str:
        for route in self.by_name.get(name, ()):
            try:
                return str(route.url_path_for(name, **params))
            except NoMatchFound:
                continue  # the same name with other parameters
        return str(self.router.url_path_for(name, **params))


def _reverse(router: Router | Starlette) -> _Reverse:
    """The app's index, made on its first link and kept in its state; a bare
    router's, made each time (only ``paths_of`` is given one, once)."""
    if not isinstance(router, Starlette):
        return _Reverse(router)
    found = getattr(router.state, "reverse_routes", None)
    if not isinstance(found, _Reverse):
        found = router.state.reverse_routes = _Reverse(router)
    return found


def path_for(connection: HTTPConnection, name: str, /, **params: object) -> str:
    """The path of the route ``name`` with ``params``, as the app routes it."""
    return _reverse(connection.app).path(name, params)


def paths(connection: HTTPConnection) -> PathFor:
    """``path_for`` bound to this request's app, for code that only makes links."""
    return paths_of(connection.app)


def paths_of(router: Router | Starlette) -> PathFor:
    """``path_for`` for an app or its routes, outside any request."""
    reverse = _reverse(router)

    def bound(name: str, /, **params: object) -> str:
        return reverse.path(name, params)

    return bound


@jinja2.pass_context
def template_path_for(context: Context, name: str, /, **params: Any) -> str:
    """``path_for`` in templates: ``{{ path_for("partners:detail", …) }}``."""
    request: HTTPConnection = context["request"]
    return path_for(request, name, **params)


class _RouteTable:
    """The application's route table, for code below the routes (e-mails, use
    cases) that needs absolute links but may not import the routes.

    Fed once at start by the composition root (``create_app``, the CLI) with a
    loader, called on first use: a command that sends no e-mail loads no route.
    """

    def __init__(self) -> None:
        self._load: Callable[[], PathFor] | None = None
        self._paths: PathFor | None = None

    def use(self, load: Callable[[], PathFor]) -> None:
        self._load, self._paths = load, None

    def paths(self) -> PathFor:
        if self._paths is None:
            if self._load is None:
                raise RuntimeError(
                    "the route table was not given: call web.links.use_route_table "
                    "at start (create_app and the CLI do)"
                )
            self._paths = self._load()
        return self._paths


_ROUTE_TABLE = _RouteTable()


def use_route_table(load: Callable[[], PathFor]) -> None:
    """Feed the application's route table (``load`` returns its ``path_for``)."""
    _ROUTE_TABLE.use(load)


class EmailLinks:
    """Absolute links into the application for e-mails, from its route table:
    the reminders' (``notifications.emails.MailLinks``), the one-time links of
    invitations and password resets."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _link(self, name: str, /, **params: object) -> str:
        return self.base_url + _ROUTE_TABLE.paths()(name, **params)

    def preferences(self) -> str:
        return self._link("notifications:index")

    def report(self, consortium_id: str, obligation_id: str) -> str:
        return self._link(
            "reporting:report", consortium_id=consortium_id, obligation_id=obligation_id
        )

    def deliverable(self, consortium_id: str, deliverable_id: str) -> str:
        return self._link(
            "workplan:deliverable",
            consortium_id=consortium_id,
            deliverable_id=deliverable_id,
        )

    def notice(self, kind: str, consortium_id: str, subject_id: str) -> str:
        """The page a notice leads to (``notifications.notice_emails``)."""
        name, params = notice_target(kind, consortium_id, subject_id)
        return self._link(name, **params)

    def application(self, consortium_id: str) -> str:
        return self._link("call:index", consortium_id=consortium_id)

    def expenses(self, consortium_id: str) -> str:
        return self._link("expenses:index", consortium_id=consortium_id)

    def funding(self, consortium_id: str) -> str:
        return self._link("funding:index", consortium_id=consortium_id)

    def invitation(self, token: str) -> str:
        """The link that opens an invitation (it works once)."""
        return self._link("invitations:accept_page", token=token)

    def password_reset(self, token: str) -> str:
        """The link that lets a person choose a new password (it works once)."""
        return self._link("session:reset_page", token=token)


def notice_target(
    kind: str, consortium_id: str, subject_id: str
) -> tuple[str, dict[str, str]]:
    """The route (name and parameters) of the page a notice is about."""
    if kind in {"vote_opened", "vote_closing", "vote_closed"}:
        return "proposals:detail", {
            "consortium_id": consortium_id,
            "proposal_id": subject_id,
        }
    if kind == "decision_recorded":
        return "decisions:index", {"consortium_id": consortium_id}
    if kind in {"report_submitted", "changes_requested", "report_accepted"}:
        return "reporting:report", {
            "consortium_id": consortium_id,
            "obligation_id": subject_id,
        }
    if kind == "invitation_accepted":
        return "members:index", {"consortium_id": consortium_id}
    return "audit:index", {"consortium_id": consortium_id}
