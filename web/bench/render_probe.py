"""How long each page's template takes to render, measured in a process of its own.

``python -m web.bench.render_probe SPEC`` builds the application as ``serve`` does
(settings from the environment, the benchmark's), logs in through the login form
and asks each page of ``SPEC`` over ASGI in this process, ``count`` times in turn,
timing only its templates' rendering (``Template.render``; the reads, the layout's
data, the middleware and the routing are not in it). It prints the median render
time of each page, in seconds, as JSON.

This is the pages' floor: a page cannot be served faster than its HTML is written,
whatever its reads cost. The benchmark compares it with the bare page.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.applications import Starlette

from web.bench.probes import run_probe
from web.request_state import APP_KEY, AppState

CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')


class TimedTemplate(jinja2.Template):
    """A template that adds each of its renderings' time to ``spent``."""

    spent: list[float] = []  # noqa: RUF012 - one list for the probe's one process

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Render, timed."""
        started = time.perf_counter()
        try:
            return super().render(*args, **kwargs)
        finally:
            TimedTemplate.spent.append(time.perf_counter() - started)


class _Client:
    """Requests to the application in this process, cookies kept."""

    def __init__(self, app: Starlette, state: MutableMapping[str, Any]) -> None:
        self.app = app
        self.state = state
        self.cookies: dict[str, str] = {}

    async def call(
        self, method: str, target: str, body: bytes = b""
    ) -> tuple[int, bytes]:
        """One request: ``(status, body)``."""
        url = urlsplit(target)
        headers = [(b"host", b"127.0.0.1")]
        if self.cookies:
            jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers.append((b"cookie", jar.encode()))
        if body:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": url.path,
            "raw_path": url.path.encode(),
            "query_string": url.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": dict(self.state),
        }
        answer: dict[str, Any] = {"status": 0, "body": b""}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie":
                        key, _, rest = value.decode().partition("=")
                        kept = rest.split(";")[0]
                        if kept.strip('"'):
                            self.cookies[key] = kept
                        else:  # deleted (a notice shown once): not sent again
                            self.cookies.pop(key, None)
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return int(answer["status"]), bytes(answer["body"])


def _state_templates(state: MutableMapping[str, Any]) -> jinja2.Environment:
    found = state.get(APP_KEY)
    if not isinstance(found, AppState):
        raise RuntimeError("the application's lifespan gave no state")
    return found.templates.env


def _checked(status: int, expected: int, what: str) -> None:
    if status != expected:
        raise RuntimeError(f"{what} answered HTTP {status}, not {expected}")


async def render_times(
    app: Starlette, email: str, password: str, paths: list[str], count: int
) -> dict[str, float]:
    """Each path's median template rendering time (seconds), once logged in."""
    async with app.router.lifespan_context(app) as given:
        state: MutableMapping[str, Any] = dict(given or {})
        # Set before any page is asked: every template is then loaded as timed.
        _state_templates(state).template_class = TimedTemplate
        client = _Client(app, state)
        status, page = await client.call("GET", "/login")
        _checked(status, 200, "/login")
        token = CSRF.search(page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        form = {"email": email, "password": password, "next": "/"}
        form["csrf_token"] = token.group(1).decode()
        status, _ = await client.call("POST", "/login", urlencode(form).encode())
        _checked(status, 303, "the login")
        medians: dict[str, float] = {}
        for path in paths:
            for _warm in range(5):
                _checked((await client.call("GET", path))[0], 200, path)
            TimedTemplate.spent.clear()
            for _each in range(count):
                _checked((await client.call("GET", path))[0], 200, path)
            medians[path] = statistics.median(TimedTemplate.spent)
        return medians


def page_render_times(
    env: dict[str, str], email: str, password: str, paths: list[str], count: int
) -> dict[str, float]:
    """Each path's median template rendering time (seconds), measured by this
    module in a process of its own, on the store ``env`` names (as the served
    application's environment)."""
    spec = {"email": email, "password": password, "paths": paths, "count": count}
    medians: dict[str, float] = run_probe(
        "web.bench.render_probe", spec, env, "the pages' render probe"
    )
    return medians


def main() -> None:
    """Entry point: ``SPEC`` (JSON: email, password, paths, count)."""
    from web.bench.server import real_app

    spec = json.loads(sys.argv[1])
    medians = asyncio.run(
        render_times(
            real_app(), spec["email"], spec["password"], spec["paths"], spec["count"]
        )
    )
    sys.stdout.write(json.dumps(medians) + "\n")


if __name__ == "__main__":
    main()
